"""Sign-up is throttled per address like logins: "already exists" answers tell whoever
asks which names have accounts (CHECKLIST 26, 27); and each address may create only so
many logins an hour."""

from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from accounts_center.domain.errors import (
    AlreadyRegistered,
    InvalidInputs,
    LoginFailed,
    SignUpThrottled,
    TooManySignUps,
)
from accounts_center.domain.login_names import parse_login_name
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.domain.throttle import PER_ADDRESS, address_key
from accounts_center.hub import build_hub
from accounts_center.services.log_in import log_in
from accounts_center.services.security_log import list_security_events
from accounts_center.services.sign_up import sign_up
from accounts_center.services.two_factor import begin_totp_enrolment, confirm_totp_enrolment
from tests.support import cheap_settings

HOME = RequestOrigin("203.0.113.5", "Firefox")
PROBER = RequestOrigin("198.51.100.99", "Bot")
PASSWORD = "correct horse battery"


def test_finding_taken_names_by_signing_up_is_throttled_per_address(hub, clock):
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    for _ in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(AlreadyRegistered):
            sign_up(hub, "ada@example.com", PASSWORD, PROBER)
    with pytest.raises(SignUpThrottled) as refused:
        sign_up(hub, "new@example.com", PASSWORD, PROBER)
    assert refused.value.status == 429 and refused.value.retry_after_seconds == 1
    assert "No account was created" in refused.value.detail
    with pytest.raises(LoginFailed):  # nothing was created
        log_in(hub, "new@example.com", PASSWORD, HOME)
    assert sign_up(hub, "other@example.com", PASSWORD, HOME).is_full  # other addresses sign up
    clock.advance(seconds=refused.value.retry_after_seconds)
    assert sign_up(hub, "new@example.com", PASSWORD, PROBER).is_full


def test_an_address_guessing_passwords_cannot_sign_up_meanwhile(hub):
    # One counter per address for every guess, so probing cannot switch pages to go on.
    for n in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(LoginFailed):
            log_in(hub, f"person{n}@example.com", "guess guess guess", PROBER)
    with pytest.raises(SignUpThrottled):
        sign_up(hub, "person0@example.com", PASSWORD, PROBER)


def test_an_address_creates_at_most_its_hourly_share_of_logins(database_url, clock):
    hub = build_hub(cheap_settings(database_url, signups_per_address_per_hour=3), clock=clock)
    try:
        for n in range(3):
            assert sign_up(hub, f"bulk{n}@example.com", PASSWORD, PROBER).is_full
        with pytest.raises(TooManySignUps) as refused:
            sign_up(hub, "bulk3@example.com", PASSWORD, PROBER)
        assert refused.value.status == 429 and 0 < refused.value.retry_after_seconds <= 3600
        assert "No account was created" in refused.value.detail
        with pytest.raises(LoginFailed):
            log_in(hub, "bulk3@example.com", PASSWORD, HOME)
        assert sign_up(hub, "neighbour@example.com", PASSWORD, HOME).is_full
        clock.advance(seconds=refused.value.retry_after_seconds)
        assert sign_up(hub, "bulk3@example.com", PASSWORD, PROBER).is_full
    finally:
        hub.close()


def test_new_names_are_not_counted_as_failed_guesses(hub):
    # A family or an office behind one address signs up its people (within the hourly
    # limit) without being taken for a prober.
    for n in range(PER_ADDRESS.free_failures + 5):
        assert sign_up(hub, f"person{n}@example.com", PASSWORD, HOME).is_full


def test_a_sign_up_hands_the_browser_a_device_cookie(hub, clock):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    assert hub.device_cookies.nonce_for(session.device_cookie, "ada@example.com",
                                        clock.now())


def test_every_problem_with_the_form_is_refused_at_once_before_anything_is_counted(
        database_url, clock):
    hub = build_hub(cheap_settings(database_url, signups_per_address_per_hour=1), clock=clock)
    try:
        with pytest.raises(InvalidInputs) as refused:
            sign_up(hub, "ada@example", "qwerty123", HOME)
        assert [(p.field, p.detail) for p in refused.value.problems] == [
            ("login", "That email address does not look right."),
            ("password", "Use at least 15 characters: a few words together are long enough "
                         "and easy to remember."),
            ("password", "This is one of the most common passwords, among the first that "
                         "anyone guessing tries."),
            ("password", "Add another word or two: uncommon words are better.")]
        with hub.unit_of_work() as uow:
            assert uow.identities.by_login_name(parse_login_name("ada@example.com")) is None
        # A refused form cost no hash and none of the address's hourly share.
        assert sign_up(hub, "ada@example.com", PASSWORD, HOME).is_full
    finally:
        hub.close()


# The same sign-up sent twice (issue 11, point 6) ------------------------------------------

BROWSER = "the pre-session value of Ada's browser"


def test_the_same_sign_up_sent_again_by_its_browser_logs_in(hub, clock):
    first = sign_up(hub, "ada@example.com", PASSWORD, HOME, browser=BROWSER)
    clock.advance(seconds=1)  # the first answer never arrived; the person clicks again
    again = sign_up(hub, "ada@example.com", PASSWORD, HOME, browser=BROWSER)
    assert again.is_full and again.identity_id == first.identity_id
    assert again.token != first.token and again.device_cookie
    kinds = [e.kind for e in list_security_events(hub, first.identity_id)]
    assert kinds == [SecurityEventKind.LOGIN_SUCCEEDED, SecurityEventKind.SIGNED_UP]


@pytest.mark.parametrize("case", ["another password", "another browser", "no browser",
                                  "three minutes later", "two-factor on"])
def test_anything_but_that_repeat_is_already_exists_and_counted(hub, clock, case):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME, browser=BROWSER)
    password, browser = PASSWORD, BROWSER
    if case == "another password":
        password = "another long passphrase"
    elif case == "another browser":
        browser = "someone else's browser"
    elif case == "no browser":
        browser = ""
    elif case == "three minutes later":
        clock.advance(minutes=3)
    else:
        totp = pyotp.TOTP(begin_totp_enrolment(hub, session).secret)
        confirm_totp_enrolment(hub, session, totp.at(clock.now()), HOME)
    with pytest.raises(AlreadyRegistered):
        sign_up(hub, "ada@example.com", password, HOME, browser=browser)
    with hub.unit_of_work() as uow:
        [row] = uow.throttles.get_many([address_key(HOME.ip)])
        assert row.failures == 1  # like any "already exists"


def test_two_clicks_at_once_both_end_logged_in_as_one_identity(hub):
    def click(_: int) -> str:
        return sign_up(hub, "ada@example.com", PASSWORD, HOME, browser=BROWSER).identity_id

    with ThreadPoolExecutor(max_workers=2) as pool:
        identities = list(pool.map(click, range(2)))
    assert len(set(identities)) == 1
