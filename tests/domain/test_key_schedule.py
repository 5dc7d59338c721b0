"""When signing keys publish, sign and leave the JWKS (domain/key_schedule.py)."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.key_schedule import (
    JWKS_MAX_AGE_SECONDS,
    PREPUBLICATION,
    PUBLISH_LEEWAY,
    SIGNED_LIFETIME,
    KeyTimes,
    Phase,
    new_key_signs_from,
    retirement,
    signing_at,
)

T = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_new_key_waits_longer_than_any_cache_may_hold_the_key_set():
    assert timedelta(seconds=2 * JWKS_MAX_AGE_SECONDS) <= PREPUBLICATION
    assert new_key_signs_from(T, a_key_signs=True) == T + PREPUBLICATION
    assert new_key_signs_from(T, a_key_signs=False) == T


def test_a_key_goes_through_its_phases_in_order():
    retired_at, until = retirement(T + PREPUBLICATION)
    times = KeyTimes(T, retired_at, until)
    assert until == retired_at + SIGNED_LIFETIME + PUBLISH_LEEWAY
    assert KeyTimes(T + PREPUBLICATION).phase(T) is Phase.PENDING
    assert KeyTimes(T).phase(T) is Phase.SIGNING
    assert times.phase(T) is Phase.RETIRING
    assert times.phase(retired_at) is Phase.PUBLISHED and times.is_published(retired_at)
    assert times.phase(until) is Phase.EXPIRED and not times.is_published(until)


@given(offsets=st.lists(st.integers(min_value=-100, max_value=100), min_size=1, max_size=5),
       at=st.integers(min_value=-200, max_value=200))
def test_the_signing_key_is_the_one_due_last(offsets, at):
    keys = [(n, KeyTimes(T + timedelta(minutes=m))) for n, m in enumerate(offsets)]
    now = T + timedelta(minutes=at)
    chosen = signing_at(keys, now)
    due = [m for m in offsets if m <= at]
    assert offsets[chosen] == (max(due) if due else min(offsets))
