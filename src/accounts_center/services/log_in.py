"""Password login, with throttling, argon2 parameter upgrade and the second-factor step.

The slow hash is checked between two short transactions (read, then write), so a login
never holds a database lock while argon2 runs.
"""

from __future__ import annotations

from accounts_center.domain.errors import LoginFailed
from accounts_center.domain.login_names import parse_login_name
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.domain.throttle import account_key
from accounts_center.hub import Hub
from accounts_center.services.hub_sessions import FULL, PARTIAL, CurrentSession, start_session
from accounts_center.services.login_throttling import (
    count_failure,
    refuse_if_throttled,
    throttle_keys,
)
from accounts_center.services.security_log import record_security_event


def log_in(hub: Hub, login: str, password: str, origin: RequestOrigin) -> CurrentSession:
    """A full session, or a partial one when the identity has two-factor login on."""
    name = parse_login_name(login)
    keys = throttle_keys(name.value, origin.ip)
    with hub.unit_of_work() as uow:
        counted = refuse_if_throttled(uow, keys, hub.clock.now())
        identity = uow.identities.by_login_name(name)
        identity_id = identity.id if identity else None
        stored_hash = identity.password_hash if identity else None

    # An unknown account is checked against a decoy hash: same error, same time.
    accepted = hub.passwords.verify(stored_hash, password)
    upgraded = (hub.passwords.hash(password)
                if accepted and stored_hash and hub.passwords.needs_rehash(stored_hash)
                else None)

    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(identity_id) if identity_id else None
        if not accepted or identity is None:
            count_failure(uow, keys, now)
            if identity is not None:
                record_security_event(uow, identity.id, SecurityEventKind.LOGIN_FAILED,
                                      origin, now)
            uow.commit()
            raise LoginFailed()
        if upgraded and identity.password_hash == stored_hash:
            identity.password_hash = upgraded
        if account_key(name.value) in counted:  # most logins have none: skip the write
            uow.throttles.clear(account_key(name.value))
        level = PARTIAL if identity.totp_enabled_at else FULL
        if level == FULL:
            record_security_event(uow, identity.id, SecurityEventKind.LOGIN_SUCCEEDED,
                                  origin, now, {"method": "password"})
        session = start_session(uow, hub, identity.id, level, origin, now)
        uow.commit()
        return session
