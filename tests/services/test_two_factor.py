"""Optional TOTP two-factor login with recovery codes (CHECKLIST 29)."""

import contextlib
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from accounts_center.crypto.tokens import digest
from accounts_center.domain.errors import (
    InvalidInput,
    LoginThrottled,
    PasswordCheckThrottled,
    SecondFactorFailed,
    SecondFactorThrottled,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.throttle import PER_ADDRESS, SECOND_FACTOR
from accounts_center.services.hub_sessions import resolve_session
from accounts_center.services.log_in import log_in
from accounts_center.services.security_log import list_security_events
from accounts_center.services.sign_up import sign_up
from accounts_center.services.two_factor import (
    begin_totp_enrolment,
    complete_second_factor,
    confirm_totp_enrolment,
    disable_two_factor,
    replace_recovery_codes,
    two_factor_status,
)
from accounts_center.store.models import RecoveryCodeRow

HOME = RequestOrigin("203.0.113.5", "Firefox")
PASSWORD = "correct horse battery"


def code_at(secret, clock, steps=0):
    return pyotp.TOTP(secret).at(clock.now().timestamp() + 30 * steps)


def wrong_code(secret, clock):
    """Six digits that match none of the steps the hub would accept now."""
    valid = {code_at(secret, clock, steps) for steps in range(-2, 3)}
    return next(c for c in ("000000", "111111", "123456", "999999") if c not in valid)


def address(n):
    return RequestOrigin(f"198.51.100.{n % 250}", "Bot")


@pytest.fixture
def enrolled(hub, clock):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    enrolment = begin_totp_enrolment(hub, session)
    codes = confirm_totp_enrolment(hub, session, code_at(enrolment.secret, clock), HOME)
    return session, enrolment.secret, codes


def test_enrolment_stores_the_secret_encrypted_and_returns_ten_codes(hub, enrolled):
    session, secret, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(session.identity_id)
        assert secret not in identity.totp_secret_sealed
        assert hub.secret_box.open(identity.totp_secret_sealed) == secret
    assert two_factor_status(hub, session.identity_id).unused_recovery_codes == 10


def test_enrolment_offers_a_scannable_qr_code(hub):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    enrolment = begin_totp_enrolment(hub, session)
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    assert "ada%40example.com" in enrolment.provisioning_uri
    assert enrolment.qr_svg.startswith("<svg") and "<script" not in enrolment.qr_svg


def test_a_wrong_code_does_not_turn_two_factor_on(hub, clock):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    begin_totp_enrolment(hub, session)
    with pytest.raises(InvalidInput):
        confirm_totp_enrolment(hub, session, "000000", HOME)
    assert not two_factor_status(hub, session.identity_id).enabled


def test_with_two_factor_on_a_password_alone_only_half_logs_in(hub, enrolled, clock):
    _, secret, _ = enrolled
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    assert not pending.is_full
    clock.advance(seconds=30)
    full = complete_second_factor(hub, pending, code_at(secret, clock), HOME)
    assert full.is_full and full.token != pending.token  # rotated on privilege change
    assert resolve_session(hub, pending.token, HOME) is None


def test_a_code_cannot_be_used_twice(hub, enrolled, clock):
    _, secret, _ = enrolled
    clock.advance(seconds=30)
    code = code_at(secret, clock)
    complete_second_factor(hub, log_in(hub, "ada@example.com", PASSWORD, HOME), code, HOME)
    with pytest.raises(SecondFactorFailed):
        complete_second_factor(hub, log_in(hub, "ada@example.com", PASSWORD, HOME), code, HOME)


def test_the_enrolment_code_cannot_be_replayed_at_login(hub, enrolled, clock):
    _, secret, _ = enrolled
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(SecondFactorFailed):
        complete_second_factor(hub, pending, code_at(secret, clock), HOME)
    # The next step's code (drift of one step is tolerated) is fine.
    assert complete_second_factor(hub, pending, code_at(secret, clock, 1), HOME).is_full


def test_recovery_codes_work_once_each_and_are_stored_hashed(hub, enrolled):
    session, _, codes = enrolled
    with hub.unit_of_work() as uow:
        stored = set(uow.session.scalars(select(RecoveryCodeRow.code_digest)))
    assert codes[0] not in stored and digest(codes[0].replace("-", "")) in stored
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    assert complete_second_factor(hub, pending, codes[0].upper(), HOME).is_full
    again = log_in(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(SecondFactorFailed):
        complete_second_factor(hub, again, codes[0], HOME)
    kinds = [e.kind.value for e in list_security_events(hub, session.identity_id)]
    assert "recovery_code_used" in kinds and "second_factor_failed" in kinds
    assert two_factor_status(hub, session.identity_id).unused_recovery_codes == 9


def test_guessing_codes_is_throttled(hub, enrolled):
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(LoginThrottled):
        for guess in range(100):
            with contextlib.suppress(SecondFactorFailed):
                complete_second_factor(hub, pending, f"{guess:06d}", HOME)


def test_wrong_codes_are_at_most_ten_an_hour_even_with_a_right_password_between_them(
        hub, enrolled, clock):
    # Whoever knows the password logs in again before every guess, each time from a new
    # address: a right password must not buy more guesses, nor a new address.
    _, secret, _ = enrolled
    start, checked, n = clock.now(), 0, 0
    while clock.now() - start < timedelta(hours=1):
        n += 1
        try:
            pending = log_in(hub, "ada@example.com", PASSWORD, address(n))
            complete_second_factor(hub, pending, wrong_code(secret, clock), address(n))
        except SecondFactorFailed:
            checked += 1
        except LoginThrottled as refused:
            clock.advance(seconds=refused.retry_after_seconds)
    assert checked == SECOND_FACTOR.most_in(timedelta(hours=1)) == 10


def test_a_refused_code_says_how_long_to_wait_and_even_the_right_code_waits(
        hub, enrolled, clock):
    _, secret, _ = enrolled
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    for _ in range(SECOND_FACTOR.burst):
        with pytest.raises(SecondFactorFailed):
            complete_second_factor(hub, pending, wrong_code(secret, clock), HOME)
    clock.advance(seconds=30)
    with pytest.raises(SecondFactorThrottled) as refused:
        complete_second_factor(hub, pending, code_at(secret, clock), HOME)
    assert refused.value.status == 429
    assert refused.value.retry_after_seconds == 10 * 60 - 30
    assert "Please wait 10 minutes" in refused.value.detail
    clock.advance(seconds=refused.value.retry_after_seconds)
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)  # a half login lasts 10 min
    assert complete_second_factor(hub, pending, code_at(secret, clock), HOME).is_full


def test_recovery_codes_count_on_the_same_counter(hub, enrolled, clock):
    _, secret, codes = enrolled
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    for guess in range(SECOND_FACTOR.burst):
        with pytest.raises(SecondFactorFailed):
            complete_second_factor(hub, pending, f"abcd-efgh-jk{guess}{guess}", address(guess))
    with pytest.raises(SecondFactorThrottled):
        complete_second_factor(hub, pending, codes[0], HOME)
    with pytest.raises(SecondFactorThrottled):
        complete_second_factor(hub, pending, code_at(secret, clock, 1), HOME)


def test_only_a_right_code_starts_the_count_of_wrong_codes_over(hub, enrolled, clock):
    _, secret, _ = enrolled
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    for _ in range(SECOND_FACTOR.burst - 1):
        with pytest.raises(SecondFactorFailed):
            complete_second_factor(hub, pending, wrong_code(secret, clock), HOME)
    log_in(hub, "ada@example.com", PASSWORD, HOME)  # a right password changes nothing
    complete_second_factor(hub, pending, code_at(secret, clock, 1), HOME)
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    for _ in range(SECOND_FACTOR.burst):  # a full allowance again
        with pytest.raises(SecondFactorFailed):
            complete_second_factor(hub, pending, wrong_code(secret, clock), HOME)
    with pytest.raises(SecondFactorThrottled):
        complete_second_factor(hub, pending, wrong_code(secret, clock), HOME)


def test_each_wrong_code_is_a_security_event_the_person_sees(hub, enrolled, clock):
    session, secret, _ = enrolled
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    for n in range(SECOND_FACTOR.burst):
        with contextlib.suppress(SecondFactorFailed):
            complete_second_factor(hub, pending, wrong_code(secret, clock), address(n))
    kinds = [e.kind.value for e in list_security_events(hub, session.identity_id)]
    assert kinds.count("second_factor_failed") == SECOND_FACTOR.burst


def test_turning_two_factor_off_needs_the_password(hub, enrolled):
    session, _, _ = enrolled
    with pytest.raises(InvalidInput):
        disable_two_factor(hub, session, "not my password", HOME)
    disable_two_factor(hub, session, PASSWORD, HOME)
    assert not two_factor_status(hub, session.identity_id).enabled
    assert log_in(hub, "ada@example.com", PASSWORD, HOME).is_full


def test_guessing_the_password_to_turn_two_factor_off_is_throttled_per_address(
        hub, enrolled):
    session, _, _ = enrolled
    for _ in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(InvalidInput):
            disable_two_factor(hub, session, "not my password", HOME)
    with pytest.raises(PasswordCheckThrottled) as refused:
        disable_two_factor(hub, session, PASSWORD, HOME)  # unchecked, so not turned off
    assert "Please wait 1 second" in refused.value.detail
    assert "Nothing was changed" in refused.value.detail
    assert two_factor_status(hub, session.identity_id).enabled
    disable_two_factor(hub, session, PASSWORD, RequestOrigin("192.0.2.1", "Firefox"))
    assert not two_factor_status(hub, session.identity_id).enabled


def test_new_recovery_codes_end_the_old_set_and_are_a_security_event(hub, enrolled):
    session, _, old = enrolled
    with pytest.raises(InvalidInput):
        replace_recovery_codes(hub, session, "not my password", HOME)
    new = replace_recovery_codes(hub, session, PASSWORD, HOME)
    assert len(set(new)) == 10 and not set(new) & set(old)
    assert two_factor_status(hub, session.identity_id).unused_recovery_codes == 10
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(SecondFactorFailed):
        complete_second_factor(hub, pending, old[0], HOME)
    assert complete_second_factor(hub, pending, new[0], HOME).is_full
    kinds = [e.kind.value for e in list_security_events(hub, session.identity_id)]
    assert "recovery_codes_replaced" in kinds


def test_guessing_the_password_for_new_recovery_codes_is_throttled_per_address(
        hub, enrolled):
    session, _, old = enrolled
    for _ in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(InvalidInput):
            replace_recovery_codes(hub, session, "not my password", HOME)
    with pytest.raises(PasswordCheckThrottled):
        replace_recovery_codes(hub, session, PASSWORD, HOME)  # unchecked, nothing made
    elsewhere = RequestOrigin("192.0.2.1", "Firefox")
    pending = log_in(hub, "ada@example.com", PASSWORD, elsewhere)
    assert complete_second_factor(hub, pending, old[0], elsewhere).is_full  # still the old


def test_there_are_no_recovery_codes_to_replace_with_two_factor_off(hub):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    with pytest.raises(InvalidInput):
        replace_recovery_codes(hub, session, PASSWORD, HOME)
    assert two_factor_status(hub, session.identity_id).unused_recovery_codes == 0
