"""Device cookies are HMAC-signed for one login name, random per issue, and expire."""

import base64
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from accounts_center.crypto.device_cookies import LIFETIME, DeviceCookies
from tests.support import TEST_SECRET_KEY

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
cookies = DeviceCookies(TEST_SECRET_KEY)


def test_a_cookie_is_valid_for_its_login_name_only():
    cookie = cookies.issue("ada@example.com", NOW)
    assert cookies.nonce_for(cookie, "ada@example.com", NOW)
    assert cookies.nonce_for(cookie, "bob@example.com", NOW) is None


# The login name as it could show in a cookie: plain, or base64 (standard or URL-safe).
LOGIN_NAME_FORMS = ("ada@example.com", base64.b64encode(b"ada@example.com").decode()[:16],
                    base64.urlsafe_b64encode(b"ada@example.com").decode()[:16])


def test_the_cookie_does_not_show_the_login_name_and_each_is_new():
    first, second = (cookies.issue("ada@example.com", NOW) for _ in range(2))
    assert not any(shown in first for shown in LOGIN_NAME_FORMS) and first != second
    assert cookies.nonce_for(first, "ada@example.com", NOW) != cookies.nonce_for(
        second, "ada@example.com", NOW)


def test_only_the_hub_that_signed_it_accepts_it():
    other = DeviceCookies(TEST_SECRET_KEY + "-rotated")
    assert other.nonce_for(cookies.issue("ada@example.com", NOW), "ada@example.com", NOW) is None


def test_a_cookie_expires_and_one_from_the_future_is_refused():
    cookie = cookies.issue("ada@example.com", NOW)
    assert cookies.nonce_for(cookie, "ada@example.com", NOW + LIFETIME)
    assert cookies.nonce_for(cookie, "ada@example.com", NOW + LIFETIME + timedelta(seconds=1)) \
        is None
    assert cookies.nonce_for(cookie, "ada@example.com", NOW - timedelta(hours=1)) is None


@given(st.text(max_size=300))
def test_no_other_value_is_accepted_or_breaks_the_check(value):
    assert cookies.nonce_for(value, "ada@example.com", NOW) is None


@given(st.integers(min_value=0, max_value=81), st.characters(codec="ascii"))
def test_changing_any_one_character_spoils_the_cookie(position, replacement):
    cookie = cookies.issue("ada@example.com", NOW)
    changed = cookie[:position] + replacement + cookie[position + 1:]
    if changed != cookie:
        assert cookies.nonce_for(changed, "ada@example.com", NOW) is None
