from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.errors import LoginThrottled, SecondFactorThrottled, wait_phrase
from accounts_center.domain.throttle import (
    PER_ACCOUNT,
    PER_ADDRESS,
    SECOND_FACTOR,
    Counter,
    RateLimit,
    account_key,
    device_key,
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


def checked_failures(rule, gaps_in_seconds):
    """The moments a guesser who tries after each gap gets a try checked (and fails)."""
    counter: Counter | None = None
    now, checked = NOW, []
    for gap in gaps_in_seconds:
        now += timedelta(seconds=gap)
        if counter is None or seconds_until(counter.blocked_until, now) == 0:
            counter = rule.after_failure(counter, now)
            checked.append(now)
    return checked


@given(st.lists(st.integers(min_value=0, max_value=1200), max_size=300))
def test_no_hour_ever_has_more_than_ten_wrong_codes_checked(gaps):
    # The issue: at most ~10 guesses per hour per account, however they are spread.
    checked = checked_failures(SECOND_FACTOR, gaps)
    for first, moment in enumerate(checked):
        in_the_hour = [m for m in checked[first:] if m - moment < timedelta(hours=1)]
        assert len(in_the_hour) <= 10


def test_five_wrong_codes_at_once_then_one_every_ten_minutes():
    assert len(checked_failures(SECOND_FACTOR, [0] * 100)) == 5
    assert len(checked_failures(SECOND_FACTOR, [0] * 5 + [600] * 3)) == 8
    assert len(checked_failures(SECOND_FACTOR, [0] * 5 + [599])) == 5
    assert SECOND_FACTOR.most_in(timedelta(hours=1)) == 10


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=3600),
       st.lists(st.integers(min_value=0, max_value=7200), max_size=200))
def test_a_rate_limit_keeps_to_its_own_bound(burst, interval, gaps):
    rule = RateLimit(burst=burst, interval=timedelta(seconds=interval))
    window = timedelta(hours=1)
    checked = checked_failures(rule, gaps)
    for first, moment in enumerate(checked):
        assert len([m for m in checked[first:] if m - moment < window]) <= rule.most_in(window)


def test_a_quiet_period_gives_the_whole_burst_back():
    counter = None
    for _ in range(5):
        counter = SECOND_FACTOR.after_failure(counter, NOW)
    later = NOW + 5 * SECOND_FACTOR.interval
    assert seconds_until(counter.blocked_until, later) == 0
    assert len(checked_failures(SECOND_FACTOR, [0] * 5 + [3000] + [0] * 10)) == 10


def test_waits_read_as_people_say_them():
    assert wait_phrase(1) == "1 second" and wait_phrase(59) == "59 seconds"
    assert wait_phrase(60) == "1 minute" and wait_phrase(61) == "2 minutes"
    assert wait_phrase(900) == "15 minutes"
    assert "wait 10 minutes" in SecondFactorThrottled(600).detail
    assert "wait 3 seconds" in LoginThrottled(3).detail


def test_device_keys_do_not_store_the_cookie_nonce():
    assert "nonce-value" not in device_key("nonce-value")
    assert len(device_key("x" * 1000)) <= 100  # the key column's width
