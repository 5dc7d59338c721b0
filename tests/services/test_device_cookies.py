"""A stream of bad passwords from many addresses slows strangers down, never the owner's
own browser (OWASP device cookies; CHECKLIST 26: no lock-out an attacker can trigger)."""

import pyotp
import pytest

from accounts_center.crypto.device_cookies import LIFETIME, DeviceCookies
from accounts_center.domain.errors import LoginFailed, LoginThrottled
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.throttle import PER_ACCOUNT, PER_ADDRESS, PER_DEVICE
from accounts_center.services.log_in import log_in
from accounts_center.services.sign_up import sign_up
from accounts_center.services.two_factor import (
    begin_totp_enrolment,
    complete_second_factor,
    confirm_totp_enrolment,
)

HOME = RequestOrigin("203.0.113.5", "Firefox")
CAFE = RequestOrigin("192.0.2.44", "Firefox")
PASSWORD = "correct horse battery"


def flood(hub, login="ada@example.com", guesses=40):
    """Bad passwords from a botnet, one address each, as fast as the account allows."""
    for n in range(guesses):
        try:
            log_in(hub, login, f"guess number {n}", RequestOrigin(f"198.51.100.{n}", "Bot"))
        except LoginFailed:
            pass
        except LoginThrottled:
            pass  # they keep knocking; strangers are refused unchecked


@pytest.fixture
def owners_cookie(hub):
    """The device cookie Ada's browser got when she last logged in."""
    sign_up(hub, "ada@example.com", PASSWORD, HOME)
    cookie = log_in(hub, "ada@example.com", PASSWORD, HOME).device_cookie
    assert cookie
    return cookie


def test_the_owners_browser_logs_in_at_once_while_strangers_are_slowed_down(
        hub, owners_cookie):
    flood(hub)
    with pytest.raises(LoginThrottled):  # even with the right password, a new browser waits
        log_in(hub, "ada@example.com", PASSWORD, CAFE)
    session = log_in(hub, "ada@example.com", PASSWORD, HOME, owners_cookie)
    assert session.is_full and session.device_cookie not in (None, owners_cookie)
    with pytest.raises(LoginThrottled):  # and her login did not open the door for them
        log_in(hub, "ada@example.com", "one more guess", RequestOrigin("198.51.100.200"))


def test_the_owners_typos_count_on_the_cookie_not_on_the_account(hub, owners_cookie):
    flood(hub)
    for _ in range(PER_DEVICE.free_failures):
        with pytest.raises(LoginFailed):  # checked despite the flood
            log_in(hub, "ada@example.com", "mistyped password", HOME, owners_cookie)
    assert log_in(hub, "ada@example.com", PASSWORD, HOME, owners_cookie).is_full


def test_the_owners_typos_do_not_slow_down_her_other_browsers(hub, owners_cookie):
    for _ in range(PER_DEVICE.free_failures):
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "mistyped password", HOME, owners_cookie)
    for _ in range(PER_ACCOUNT.free_failures):  # the account's allowance is all still there
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "mistyped again", CAFE)
    assert log_in(hub, "ada@example.com", PASSWORD, CAFE).is_full


def test_a_device_cookie_that_fails_too_often_is_refused(hub, owners_cookie, clock):
    flood(hub)
    for _ in range(PER_DEVICE.free_failures + 1):
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "stolen cookie guess", HOME, owners_cookie)
    with pytest.raises(LoginThrottled) as refused:  # not checked, not even the right one
        log_in(hub, "ada@example.com", PASSWORD, HOME, owners_cookie)
    clock.advance(seconds=refused.value.retry_after_seconds)
    assert log_in(hub, "ada@example.com", PASSWORD, HOME, owners_cookie).is_full


def test_a_locked_cookie_is_refused_even_when_strangers_are_not(hub, owners_cookie):
    for _ in range(PER_DEVICE.free_failures + 1):
        with pytest.raises(LoginFailed):
            log_in(hub, "ada@example.com", "stolen cookie guess", HOME, owners_cookie)
    with pytest.raises(LoginThrottled):
        log_in(hub, "ada@example.com", "stolen cookie guess", HOME, owners_cookie)
    # Its failures never counted against the account: unknown browsers are not slowed.
    assert log_in(hub, "ada@example.com", PASSWORD, CAFE).is_full


def test_a_device_cookie_for_another_login_does_not_get_past_the_slow_down(
        hub, owners_cookie):
    sign_up(hub, "mallory@example.com", PASSWORD, CAFE)
    mallorys = log_in(hub, "mallory@example.com", PASSWORD, CAFE).device_cookie
    flood(hub)
    with pytest.raises(LoginThrottled):
        log_in(hub, "ada@example.com", PASSWORD, CAFE, mallorys)


def tampered(cookie: str, part: int) -> str:
    parts = cookie.split(".")
    parts[part] = parts[part][:-1] + ("A" if parts[part][-1] != "A" else "B")
    return ".".join(parts)


@pytest.mark.parametrize("forge", [
    pytest.param(lambda cookie, clock: tampered(cookie, 1), id="issue-time-changed"),
    pytest.param(lambda cookie, clock: tampered(cookie, 2), id="nonce-changed"),
    pytest.param(lambda cookie, clock: tampered(cookie, 3), id="signature-changed"),
    pytest.param(lambda cookie, clock: DeviceCookies("another-hub-secret-" * 3).issue(
        "ada@example.com", clock.now()), id="signed-with-another-key"),
    pytest.param(lambda cookie, clock: "v1." + "A" * 80, id="garbage"),
    pytest.param(lambda cookie, clock: cookie + "x" * 10_000, id="huge"),
])
def test_a_forged_or_tampered_device_cookie_does_not_get_past_the_slow_down(
        hub, owners_cookie, clock, forge):
    flood(hub)
    with pytest.raises(LoginThrottled):
        log_in(hub, "ada@example.com", PASSWORD, HOME, forge(owners_cookie, clock))


def test_an_expired_device_cookie_does_not_get_past_the_slow_down(hub, owners_cookie, clock):
    clock.advance(days=LIFETIME.days + 1)
    flood(hub)
    with pytest.raises(LoginThrottled):
        log_in(hub, "ada@example.com", PASSWORD, HOME, owners_cookie)


def test_the_address_throttle_applies_to_the_owners_browser_too(hub, owners_cookie):
    for n in range(PER_ADDRESS.free_failures + 1):
        with pytest.raises(LoginFailed):
            log_in(hub, f"person{n}@example.com", "guess guess guess", HOME)
    with pytest.raises(LoginThrottled):
        log_in(hub, "ada@example.com", PASSWORD, HOME, owners_cookie)


def test_only_a_full_login_hands_out_a_device_cookie(hub, clock):
    session = sign_up(hub, "ada@example.com", PASSWORD, HOME)
    secret = begin_totp_enrolment(hub, session).secret
    confirm_totp_enrolment(hub, session, pyotp.TOTP(secret).at(clock.now()), HOME)
    pending = log_in(hub, "ada@example.com", PASSWORD, HOME)
    assert pending.device_cookie is None  # a password alone does not make this browser hers
    clock.advance(seconds=30)
    full = complete_second_factor(hub, pending, pyotp.TOTP(secret).at(clock.now()), HOME)
    assert hub.device_cookies.nonce_for(full.device_cookie, "ada@example.com", clock.now())
