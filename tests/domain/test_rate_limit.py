"""Fixed-window request limits (domain/rate_limit.py)."""

from datetime import UTC, datetime

from accounts_center.domain.rate_limit import FixedWindow, authorize_key


def test_windows_are_aligned_minutes_and_say_how_long_to_wait():
    window = FixedWindow(limit=30, seconds=60)
    now = datetime(2026, 11, 25, 12, 0, 15, 500000, tzinfo=UTC)
    assert window.start_of(now) == datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert window.retry_after(now) == 45  # 44.5 s, rounded up
    assert window.allows(30) and not window.allows(31)


def test_one_client_is_one_ipv4_address_or_one_ipv6_subnet():
    assert authorize_key("203.0.113.5") == "authorize:203.0.113.5"
    assert authorize_key("2001:db8:1:2::a") == authorize_key("2001:db8:1:2:ffff::1") == (
        "authorize:2001:db8:1:2::/64")
    assert authorize_key("2001:db8:1:3::a") != authorize_key("2001:db8:1:2::a")
    assert authorize_key("::ffff:203.0.113.5") == "authorize:203.0.113.5"
    assert authorize_key("testclient") == "authorize:testclient"
    assert len(authorize_key("x" * 500)) == len("authorize:") + 64
