"""Anonymous /oauth2/authorize calls counted per address in the database, so every hub
process sees one count (issue 10, point 7)."""

from __future__ import annotations

import pytest

from accounts_center.domain.errors import TooManyRequests
from accounts_center.hub import build_hub
from accounts_center.services.authorize_throttling import count_anonymous_authorize
from accounts_center.services.retention import prune_expired
from tests.support import cheap_settings


def test_an_address_over_the_limit_is_refused_until_the_next_minute(hub, clock):
    clock.advance(seconds=15)  # a quarter into the minute
    limit = hub.settings.authorize_anonymous_per_minute
    assert limit == 30
    for _ in range(limit):
        count_anonymous_authorize(hub, "203.0.113.7")
    with pytest.raises(TooManyRequests) as refused:
        count_anonymous_authorize(hub, "203.0.113.7")
    assert refused.value.retry_after_seconds == 45 and refused.value.status == 429
    count_anonymous_authorize(hub, "198.51.100.1")  # another address is not affected
    clock.advance(seconds=45)
    count_anonymous_authorize(hub, "203.0.113.7")


def test_processes_sharing_the_database_share_the_count(hub, database_url, clock):
    other = build_hub(cheap_settings(database_url, authorize_anonymous_per_minute=4),
                      clock=clock)
    try:
        for process in (hub, other, hub, other):
            count_anonymous_authorize(process, "203.0.113.7")
        with pytest.raises(TooManyRequests):
            count_anonymous_authorize(other, "203.0.113.7")
    finally:
        other.close()


def test_counters_of_past_minutes_are_pruned(hub, clock):
    count_anonymous_authorize(hub, "203.0.113.7")
    assert prune_expired(hub).request_counters == 0
    clock.advance(minutes=2)
    assert prune_expired(hub).request_counters == 1
