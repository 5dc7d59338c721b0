"""Password login, with throttling, argon2 parameter upgrade and the second-factor step.

The slow hash is checked between two short transactions (read, then write), so a login
never holds a database lock while argon2 runs.
"""

from __future__ import annotations

from dataclasses import replace

from accounts_center.domain.errors import LoginFailed
from accounts_center.domain.login_names import parse_login_name
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.domain.throttle import address_key
from accounts_center.hub import Hub
from accounts_center.services.hub_sessions import FULL, PARTIAL, CurrentSession, start_session
from accounts_center.services.login_throttling import (
    count_failure,
    password_keys,
    refuse_if_throttled,
)
from accounts_center.services.security_log import record_security_event


def log_in(hub: Hub, login: str, password: str, origin: RequestOrigin,
           device_cookie: str = "") -> CurrentSession:
    """A full session, or a partial one when the identity has two-factor login on.

    ``device_cookie``: what the browser kept from an earlier full login, if anything. A
    valid one for this login name takes the browser past the account-wide slow-down to the
    password check, counting its failures on its own counter; a full login hands out a
    new one (``CurrentSession.device_cookie``)."""
    name = parse_login_name(login)
    now = hub.clock.now()
    keys = password_keys(name.value, origin.ip,
                         hub.device_cookies.nonce_for(device_cookie, name.value, now))
    with hub.unit_of_work() as uow:
        counted = refuse_if_throttled(uow, keys, now)
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
        # The account's (or the device cookie's) counter starts over; most logins have
        # none, so the write is skipped. The address keeps its count: one success among
        # many guesses from a network does not excuse the rest.
        for key in counted - {address_key(origin.ip)}:
            uow.throttles.clear(key)
        level = PARTIAL if identity.totp_enabled_at else FULL
        if level == FULL:
            record_security_event(uow, identity.id, SecurityEventKind.LOGIN_SUCCEEDED,
                                  origin, now, {"method": "password"})
        session = start_session(uow, hub, identity.id, level, origin, now)
        uow.commit()
    if level == PARTIAL:  # the device is remembered only once the code is right too
        return session
    return replace(session, device_cookie=hub.device_cookies.issue(name.value, now))
