"""The retention rules keep everything a defence still needs (domain/retention.py)."""

from datetime import UTC, datetime, timedelta

from accounts_center.domain.retention import (
    CODE_GRACE,
    GRANT_GRACE,
    THROTTLE_IDLE,
    cutoffs,
)
from accounts_center.domain.throttle import PER_ACCOUNT, PER_ADDRESS
from accounts_center.oidc.server import ACCESS_TOKEN_SECONDS


def test_graces_outlast_what_still_works_or_still_counts():
    assert timedelta(minutes=5) <= CODE_GRACE  # a replayed code is still recognised
    assert timedelta(seconds=ACCESS_TOKEN_SECONDS) < GRANT_GRACE  # any access token expired
    # A login throttle counter is deleted only once its failures would be forgotten.
    assert max(PER_ACCOUNT.forget_after, PER_ADDRESS.forget_after) < THROTTLE_IDLE


def test_cutoffs_are_counted_back_from_now():
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    cut = cutoffs(now, counter_window=timedelta(minutes=1))
    assert cut.requests_expired == now
    assert cut.codes_expired == now - CODE_GRACE
    assert cut.archives_made == now - timedelta(hours=1)
    assert cut.counter_windows == now - timedelta(minutes=1)
