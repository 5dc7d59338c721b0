"""Changing the hub password: proves the old one, rotates the session, and can log out
every other session (SECURITY-CHECKLIST 28)."""

from __future__ import annotations

from accounts_center.crypto.tokens import digest
from accounts_center.domain.errors import InvalidInput, InvalidInputs, LoginFailed
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.password_policy import password_refusals
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.hub import Hub
from accounts_center.services.hub_sessions import FULL, CurrentSession, start_session
from accounts_center.services.password_checks import confirm_current_password
from accounts_center.services.security_log import record_security_event


def change_password(hub: Hub, current: CurrentSession, current_password: str,
                    new_password: str, *, log_out_others: bool,
                    origin: RequestOrigin) -> CurrentSession:
    login_value = confirm_current_password(
        hub, current.identity_id, current_password, origin,
        wrong=InvalidInput("Your current password is not correct.", field="current_password"))
    problems = password_refusals(new_password, login_value=login_value, field="new_password")
    if new_password == current_password:
        problems.append(InvalidInput("Choose a password different from the current one.",
                                     field="new_password"))
    if problems:
        raise InvalidInputs(problems)
    new_hash = hub.passwords.hash(new_password)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(current.identity_id)
        if identity is None:
            raise LoginFailed()
        identity.password_hash, identity.password_changed_at = new_hash, now
        # The current session is replaced by a new token either way (rotation).
        if log_out_others:
            uow.hub_sessions.remove_all_of(identity.id)
        else:
            row = uow.hub_sessions.by_token_digest(digest(current.token))
            if row is not None:
                uow.hub_sessions.remove(row)
        # A changed password may mean a stolen one: apps must sign the person in again
        # (SECURITY-CHECKLIST 11).
        uow.oauth.revoke_where(now, identity_id=identity.id)
        record_security_event(uow, identity.id, SecurityEventKind.PASSWORD_CHANGED, origin, now,
                              {"other_sessions_ended": log_out_others})
        session = start_session(uow, hub, identity.id, FULL, origin, now)
        uow.commit()
        return session
