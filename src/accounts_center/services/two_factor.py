"""Optional TOTP two-factor login with one-time recovery codes (SECURITY-CHECKLIST 29)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from accounts_center.crypto import totp
from accounts_center.crypto.tokens import digest
from accounts_center.domain.errors import (
    InvalidInput,
    LoginFailed,
    SecondFactorFailed,
    SecondFactorThrottled,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.domain.throttle import second_factor_key
from accounts_center.hub import Hub
from accounts_center.services.hub_sessions import FULL, PARTIAL, CurrentSession, start_session
from accounts_center.services.login_throttling import (
    count_failure,
    refuse_if_throttled,
    second_factor_keys,
)
from accounts_center.services.password_checks import confirm_current_password, login_name_of
from accounts_center.services.security_log import record_security_event
from accounts_center.store.models import IdentityRow
from accounts_center.store.unit_of_work import UnitOfWork

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i look-alikes


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    provisioning_uri: str
    qr_svg: str


@dataclass(frozen=True)
class TwoFactorStatus:
    enabled: bool
    unused_recovery_codes: int


def two_factor_status(hub: Hub, identity_id: str) -> TwoFactorStatus:
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(identity_id)
        enabled = bool(identity and identity.totp_enabled_at)
        return TwoFactorStatus(enabled, uow.identities.unused_recovery_codes(identity_id)
                               if enabled else 0)


def begin_totp_enrolment(hub: Hub, current: CurrentSession) -> TotpEnrolment:
    """A fresh secret, stored sealed and pending until a first code confirms it."""
    secret = totp.new_secret()
    with hub.unit_of_work() as uow:
        identity = _identity(uow, current)
        if identity.totp_enabled_at is not None:
            raise InvalidInput("Two-factor login is already on.")
        identity.totp_secret_sealed = hub.secret_box.seal(secret)
        account = login_name_of(identity)
        uow.commit()
    return _enrolment(hub, secret, account)


def pending_totp_enrolment(hub: Hub, current: CurrentSession) -> TotpEnrolment | None:
    """The enrolment still waiting for its first code, to show again after a typo."""
    with hub.unit_of_work() as uow:
        identity = _identity(uow, current)
        if identity.totp_enabled_at is not None or identity.totp_secret_sealed is None:
            return None
        secret = hub.secret_box.open(identity.totp_secret_sealed)
        account = login_name_of(identity)
    return _enrolment(hub, secret, account)


def _enrolment(hub: Hub, secret: str, account: str) -> TotpEnrolment:
    uri = totp.provisioning_uri(secret, account_name=account, issuer=hub.settings.totp_issuer)
    return TotpEnrolment(secret, uri, totp.qr_svg(uri))


def confirm_totp_enrolment(hub: Hub, current: CurrentSession, code: str,
                           origin: RequestOrigin) -> list[str]:
    """Turns two-factor login on; returns the recovery codes, shown this once."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        identity = _identity(uow, current)
        if identity.totp_enabled_at is not None or identity.totp_secret_sealed is None:
            raise InvalidInput("Start setting up two-factor login again.")
        step = totp.matching_step(hub.secret_box.open(identity.totp_secret_sealed), code,
                                  now, None)
        if step is None:
            raise InvalidInput("That code is not right. Check the time on your phone and "
                               "enter the code your app shows now.", field="code")
        identity.totp_enabled_at, identity.totp_last_step = now, step
        codes = _new_recovery_codes(uow, identity.id)
        record_security_event(uow, identity.id, SecurityEventKind.TWO_FACTOR_ENABLED,
                              origin, now)
        uow.commit()
        return codes


def replace_recovery_codes(hub: Hub, current: CurrentSession, password: str,
                           origin: RequestOrigin) -> list[str]:
    """A new set of recovery codes, shown this once; the old set stops working at once.
    Asks for the password again: whoever holds a session alone must not get codes that
    pass the second step of a login."""
    _password_again(hub, current, password, origin)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        identity = _identity(uow, current)
        if identity.totp_enabled_at is None:
            raise InvalidInput("Two-factor login is off: there are no recovery codes.")
        codes = _new_recovery_codes(uow, identity.id)
        record_security_event(uow, identity.id, SecurityEventKind.RECOVERY_CODES_REPLACED,
                              origin, now)
        uow.commit()
        return codes


def complete_second_factor(hub: Hub, pending: CurrentSession, code: str,
                           origin: RequestOrigin) -> CurrentSession:
    """Swaps a partial session for a full one with a new token (rotation on privilege).

    Wrong codes, TOTP or recovery, count on the person's own counter, whatever the
    address; only a right code or time clears it, never a right password (else whoever
    knows the password could guess codes forever by logging in again between guesses)."""
    if pending.auth_level != PARTIAL:
        raise InvalidInput("There is no login waiting for a code.")
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        # Locked before anything is read: one person's code checks take turns, so guesses
        # sent at once cannot all slip in under the limit, nor one code be used twice
        # (each check sees the step the one before it spent).
        uow.throttles.lock(second_factor_key(pending.identity_id), now)
        identity = _identity(uow, pending)
        keys = second_factor_keys(identity.id, origin.ip)
        refuse_if_throttled(uow, keys, now, SecondFactorThrottled)
        method = _accept_code(hub, uow, identity, code, now)
        if method is None:
            count_failure(uow, keys, now)
            record_security_event(uow, identity.id, SecurityEventKind.SECOND_FACTOR_FAILED,
                                  origin, now)
            uow.commit()
            raise SecondFactorFailed()
        row = uow.hub_sessions.by_token_digest(digest(pending.token))
        if row is None:
            raise LoginFailed()
        uow.hub_sessions.remove(row)
        uow.throttles.clear(second_factor_key(identity.id))
        record_security_event(uow, identity.id, SecurityEventKind.LOGIN_SUCCEEDED, origin, now,
                              {"method": method})
        if method == "recovery_code":
            record_security_event(uow, identity.id, SecurityEventKind.RECOVERY_CODE_USED,
                                  origin, now, {"left": uow.identities.unused_recovery_codes(
                                      identity.id)})
        session = start_session(uow, hub, identity.id, FULL, origin, now)
        login_value = login_name_of(identity)
        uow.commit()
    return replace(session, device_cookie=hub.device_cookies.issue(login_value, now))


def disable_two_factor(hub: Hub, current: CurrentSession, password: str,
                       origin: RequestOrigin) -> None:
    _password_again(hub, current, password, origin)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        identity = _identity(uow, current)
        identity.totp_secret_sealed = identity.totp_enabled_at = None
        identity.totp_last_step = None
        uow.identities.replace_recovery_codes(identity.id, [])
        record_security_event(uow, identity.id, SecurityEventKind.TWO_FACTOR_DISABLED,
                              origin, now)
        uow.commit()


def _password_again(hub: Hub, current: CurrentSession, password: str,
                    origin: RequestOrigin) -> None:
    """The current password, asked again before a change only the owner may make."""
    confirm_current_password(hub, current.identity_id, password, origin,
                             wrong=InvalidInput("That password is not correct.",
                                                field="password"))


def _accept_code(hub: Hub, uow: UnitOfWork, identity: IdentityRow, code: str,
                 now: datetime) -> str | None:
    if identity.totp_secret_sealed is None:
        return None
    step = totp.matching_step(hub.secret_box.open(identity.totp_secret_sealed), code, now,
                              identity.totp_last_step)
    if step is not None:
        identity.totp_last_step = step
        return "totp"
    normalised = _normalise_recovery_code(code)
    if 8 <= len(normalised) <= 32 and uow.identities.use_recovery_code(
            identity.id, digest(normalised), now):
        return "recovery_code"
    return None


def _identity(uow: UnitOfWork, current: CurrentSession) -> IdentityRow:
    identity = uow.identities.get(current.identity_id)
    if identity is None:
        raise LoginFailed()
    return identity


def _new_recovery_codes(uow: UnitOfWork, identity_id: str) -> list[str]:
    """Replaces the stored set (hashed); returns the codes in clear, to show once."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    uow.identities.replace_recovery_codes(
        identity_id, [digest(_normalise_recovery_code(c)) for c in codes])
    return codes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalise_recovery_code(code: str) -> str:
    return code.strip().lower().replace(" ", "").replace("-", "")
