"""Applying the throttle rules to stored counters (SECURITY-CHECKLIST 26)."""

from __future__ import annotations

from datetime import datetime

from accounts_center.domain.errors import LoginThrottled
from accounts_center.domain.throttle import (
    PER_ACCOUNT,
    PER_ADDRESS,
    ThrottleRule,
    account_key,
    address_key,
    seconds_until,
)
from accounts_center.store.unit_of_work import UnitOfWork


def throttle_keys(login_value: str, ip: str) -> dict[str, ThrottleRule]:
    return {account_key(login_value): PER_ACCOUNT, address_key(ip): PER_ADDRESS}


def refuse_if_throttled(uow: UnitOfWork, keys: dict[str, ThrottleRule],
                        now: datetime) -> set[str]:
    """Raises while any counter blocks; returns the keys that have a counter at all."""
    rows = uow.throttles.get_many(list(keys))
    wait = max((seconds_until(row.blocked_until, now) for row in rows), default=0)
    if wait:
        raise LoginThrottled(wait)
    return {row.key for row in rows}


def count_failure(uow: UnitOfWork, keys: dict[str, ThrottleRule], now: datetime) -> None:
    for key, rule in keys.items():
        row = uow.throttles.lock(key, now)
        row.failures = rule.failures_so_far(row.failures, row.last_failure_at, now) + 1
        row.last_failure_at = now
        delay = rule.delay_after(row.failures)
        row.blocked_until = now + delay if delay else None
