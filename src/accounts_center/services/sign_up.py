"""Creating a hub identity with an email or phone number and a password.

"Already exists" tells whoever asks that a name has an account, so that answer counts as
a failed guess on the address's counter, shared with failed logins, and sign-up is
refused while that counter blocks: enumerating names here costs what guessing at the
login page does. Every attempt also counts towards a per-address hourly limit
(`signups_per_address_per_hour`), checked before the password is hashed: each costs an
argon2 hash, and mass sign-ups are how spam starts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from accounts_center.crypto.tokens import digest
from accounts_center.domain.errors import (
    AlreadyRegistered,
    InvalidInput,
    InvalidInputs,
    SignUpThrottled,
    TooManySignUps,
)
from accounts_center.domain.login_names import LoginKind, LoginName, parse_login_name
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.password_policy import password_refusals
from accounts_center.domain.rate_limit import FixedWindow, sign_up_key
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.domain.throttle import Rule
from accounts_center.hub import Hub
from accounts_center.services.hub_sessions import FULL, CurrentSession, start_session
from accounts_center.services.login_throttling import (
    address_keys,
    count_failure,
    count_failure_now,
    refuse_if_throttled,
)
from accounts_center.services.security_log import record_security_event
from accounts_center.store.models import IdentityRow
from accounts_center.store.unit_of_work import UnitOfWork

# How long after a sign-up the same browser sending it again is taken as a repeat.
REPEAT_WINDOW = timedelta(minutes=2)
_TAKEN = "An account with that email address or phone number already exists. Log in instead."


def sign_up(hub: Hub, login: str, password: str, origin: RequestOrigin,
            browser: str = "") -> CurrentSession:
    """``browser``: the random value bound to the browser (its pre-session cookie), so a
    repeat of this sign-up from the same browser can be told from anyone else's."""
    name = _checked_form(login, password)
    keys = address_keys(origin.ip)
    window = FixedWindow(hub.settings.signups_per_address_per_hour, 3600)
    with hub.unit_of_work() as uow:
        refuse_if_throttled(uow, keys, hub.clock.now(), SignUpThrottled)
        hits = uow.request_counters.hit(sign_up_key(origin.ip),
                                        window.start_of(hub.clock.now()))
        uow.commit()
    if not window.allows(hits):
        raise TooManySignUps(window.retry_after(hub.clock.now()))
    password_hash = hub.passwords.hash(password)  # slow on purpose: outside the transaction
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        if uow.identities.by_login_name(name) is None:
            identity = IdentityRow(
                id=hub.new_id(), password_hash=password_hash, password_changed_at=now,
                created_at=now,
                email=name.value if name.kind is LoginKind.EMAIL else None,
                phone=name.value if name.kind is LoginKind.PHONE else None)
            try:
                uow.identities.add(identity)
            except IntegrityError:  # the same name signed up concurrently: see below
                pass
            else:
                record_security_event(uow, identity.id, SecurityEventKind.SIGNED_UP, origin,
                                      now, {"browser": digest(browser)} if browser else None)
                session = start_session(uow, hub, identity.id, FULL, origin, now)
                uow.commit()
                # Signing up is the first full login: this browser is the owner's from now on.
                return replace(session,
                               device_cookie=hub.device_cookies.issue(name.value, now))
    return _repeat_or_refuse(hub, name, password, origin, browser, keys)


def _repeat_or_refuse(hub: Hub, name: LoginName, password: str, origin: RequestOrigin,
                      browser: str, keys: dict[str, Rule]) -> CurrentSession:
    """The name is taken. When this browser took it a moment ago and the password is the
    same, this is the same sign-up sent twice (a double click, a repeat whose first answer
    never arrived): it logs in, as the first one did. Anything else is "already exists",
    counted like a failed login."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        identity = uow.identities.by_login_name(name)
        if identity is None or not _just_signed_up_here(uow, identity, browser, now):
            count_failure(uow, keys, now)
            uow.commit()
            raise AlreadyRegistered(_TAKEN, field="login")
        identity_id, stored_hash = identity.id, identity.password_hash
    if not hub.passwords.verify(stored_hash, password):  # slow: outside any transaction
        count_failure_now(hub, keys)
        raise AlreadyRegistered(_TAKEN, field="login")
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        record_security_event(uow, identity_id, SecurityEventKind.LOGIN_SUCCEEDED, origin, now,
                              {"method": "password"})
        session = start_session(uow, hub, identity_id, FULL, origin, now)
        uow.commit()
    return replace(session, device_cookie=hub.device_cookies.issue(name.value, now))


def _checked_form(login: str, password: str) -> LoginName:
    """The parsed login name, or every problem with the form at once: a person who
    mistyped their email address and chose a common password hears of both."""
    problems: list[InvalidInput] = []
    name: LoginName | None = None
    try:
        name = parse_login_name(login)
    except InvalidInput as refused:
        problems.append(refused)
    problems += password_refusals(password, login_value=name.value if name else login,
                                  field="password")
    if problems or name is None:
        raise InvalidInputs(problems)
    return name


def _just_signed_up_here(uow: UnitOfWork, identity: IdentityRow, browser: str,
                         now: datetime) -> bool:
    # Two-factor on means a code is due at every login: a repeat never skips it.
    if not browser or identity.totp_enabled_at is not None:
        return False
    if identity.created_at < now - REPEAT_WINDOW:
        return False
    events = uow.security_events.of_identity(identity.id, limit=20, before_id=None)
    return any(e.kind == SecurityEventKind.SIGNED_UP
               and e.detail.get("browser") == digest(browser) for e in events)
