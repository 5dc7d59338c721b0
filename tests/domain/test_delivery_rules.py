"""Delivery rules: what an answer means, the retry schedule, the body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.delivery import (
    Outcome,
    RetryPolicy,
    envelope,
    outcome_of,
    short_error,
)
from accounts_center.settings import Settings


def test_2xx_delivers_410_disables_and_everything_else_retries():
    assert {outcome_of(code) for code in (200, 201, 202, 204, 299)} == {Outcome.DELIVERED}
    assert outcome_of(410) is Outcome.GONE
    for code in (None, 100, 301, 302, 400, 401, 404, 408, 429, 500, 502, 503):
        assert outcome_of(code) is Outcome.RETRY, code


def test_the_default_schedule_retries_for_more_than_a_day_whatever_the_jitter():
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    policy = RetryPolicy(settings.delivery_max_attempts, settings.delivery_backoff_base_seconds,
                         settings.delivery_backoff_max_seconds)
    assert policy.shortest_span() >= 24 * 3600
    assert not policy.gives_up_after(settings.delivery_max_attempts - 1)
    assert policy.gives_up_after(settings.delivery_max_attempts)


@given(attempt=st.integers(1, 200), draw=st.floats(0, 1, exclude_max=True))
def test_waits_grow_exponentially_up_to_the_cap_within_the_jitter(attempt, draw):
    policy = RetryPolicy(18, 5.0, 3600.0)
    nominal = min(3600.0, 5.0 * 2 ** (attempt - 1))
    assert 0.8 * nominal - 1e-9 <= policy.delay(attempt, draw) <= 1.2 * nominal + 1e-9
    if attempt > 1:
        assert policy.delay(attempt, 0.0) >= policy.delay(attempt - 1, 0.0)


def test_the_body_is_the_standard_webhooks_envelope():
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    body = json.loads(envelope("account.linked", at, {"sub": "s"}))
    assert body == {"type": "account.linked", "timestamp": "2026-11-25T12:00:00+00:00",
                    "data": {"sub": "s"}}


def test_errors_are_kept_to_one_short_line():
    assert short_error("a\nb\t c") == "a b c"
    assert len(short_error("x" * 1000)) == 300
