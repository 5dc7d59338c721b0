"""Retention of counters (domain/retention.py): a login throttle counter goes once its
failures are forgotten and it blocks nobody; one still blocking stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from accounts_center.domain.errors import LoginFailed, LoginThrottled
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.log_in import log_in
from accounts_center.services.retention import prune_expired

GUESSER = RequestOrigin(ip="198.51.100.9", user_agent="curl")


def throttle_keys(hub) -> set[str]:
    with hub.unit_of_work() as uow:
        return set(uow.session.execute(text("SELECT key FROM login_throttles")).scalars())


def test_idle_login_throttle_counters_are_pruned_but_blocking_ones_are_kept(hub, clock):
    with pytest.raises(LoginFailed):
        log_in(hub, "nobody@example.com", "wrong", GUESSER)
    assert len(throttle_keys(hub)) == 2  # the typed name and the address
    clock.advance(hours=23)
    assert prune_expired(hub).login_throttles == 0
    clock.advance(hours=1, seconds=1)
    assert prune_expired(hub).login_throttles == 2
    assert throttle_keys(hub) == set()


def test_a_counter_that_still_blocks_is_kept_however_old_its_last_failure(hub, clock):
    with hub.unit_of_work() as uow:
        row = uow.throttles.lock("address:198.51.100.9", clock.now())
        row.failures, row.blocked_until = 40, clock.now() + timedelta(days=2)
        uow.commit()
    clock.advance(days=1, seconds=1)
    assert prune_expired(hub).login_throttles == 0
    with pytest.raises(LoginThrottled):
        log_in(hub, "nobody@example.com", "wrong", GUESSER)
