from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.throttle import (
    PER_ACCOUNT,
    PER_ADDRESS,
    account_key,
    seconds_until,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_first_failures_cost_nothing_then_delays_grow():
    free = PER_ACCOUNT.free_failures
    assert PER_ACCOUNT.delay_after(free) == timedelta(0)
    delays = [PER_ACCOUNT.delay_after(free + 1 + n) for n in range(4)]
    assert delays[0] > timedelta(0)
    assert delays == sorted(delays) and delays[0] < delays[-1]


@given(st.integers(min_value=0, max_value=10**9))
def test_an_account_is_never_locked_longer_than_a_minute(failures):
    # An attacker can keep failing for someone else's account; the person is never
    # locked out for more than the cap (SECURITY-CHECKLIST 26: no hard lock-out).
    assert PER_ACCOUNT.delay_after(failures) <= timedelta(seconds=60)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_more_failures_never_mean_a_shorter_wait(a, b):
    low, high = sorted((a, b))
    assert PER_ADDRESS.delay_after(low) <= PER_ADDRESS.delay_after(high)


def test_failures_are_forgotten_after_a_quiet_period():
    last = NOW - PER_ACCOUNT.forget_after
    assert PER_ACCOUNT.failures_so_far(9, last, NOW) == 0
    assert PER_ACCOUNT.failures_so_far(9, NOW - timedelta(minutes=1), NOW) == 9


def test_waiting_time_is_rounded_up_to_whole_seconds():
    assert seconds_until(None, NOW) == 0
    assert seconds_until(NOW - timedelta(seconds=1), NOW) == 0
    assert seconds_until(NOW + timedelta(milliseconds=200), NOW) == 1
    assert seconds_until(NOW + timedelta(seconds=2.5), NOW) == 3


def test_account_keys_do_not_store_the_typed_name():
    key = account_key("ada@example.com")
    assert "ada" not in key and key == account_key("ada@example.com")
