"""Applying the throttle rules to stored counters (SECURITY-CHECKLIST 26, 29).

Which counters a guess counts on, and is refused by:
- a password at login: the address, and either the account (an unknown browser) or the
  browser's own device cookie (one that logged in to this account before), never both,
  so strangers' failures cannot slow the owner's browser down, nor its typos the account;
- a second-factor code: the address and the person (`second_factor_key`), which a correct
  password never clears;
- the current password on the password and two-factor pages, and a sign-up that finds
  the name taken: the address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from accounts_center.domain.errors import LoginThrottled
from accounts_center.domain.throttle import (
    PER_ACCOUNT,
    PER_ADDRESS,
    PER_DEVICE,
    SECOND_FACTOR,
    Counter,
    Rule,
    account_key,
    address_key,
    device_key,
    second_factor_key,
    seconds_until,
)
from accounts_center.hub import Hub
from accounts_center.store.unit_of_work import UnitOfWork


def password_keys(login_value: str, ip: str, device_nonce: str | None) -> dict[str, Rule]:
    """``device_nonce``: from a valid device cookie for this login name, else None."""
    own: dict[str, Rule] = ({device_key(device_nonce): PER_DEVICE} if device_nonce
                            else {account_key(login_value): PER_ACCOUNT})
    return {**own, address_key(ip): PER_ADDRESS}


def second_factor_keys(identity_id: str, ip: str) -> dict[str, Rule]:
    return {second_factor_key(identity_id): SECOND_FACTOR, address_key(ip): PER_ADDRESS}


def address_keys(ip: str) -> dict[str, Rule]:
    return {address_key(ip): PER_ADDRESS}


def refuse_if_throttled(uow: UnitOfWork, keys: dict[str, Rule], now: datetime,
                        refusal: Callable[[int], LoginThrottled] = LoginThrottled) -> set[str]:
    """Raises while any counter blocks; returns the keys that have a counter at all."""
    rows = uow.throttles.get_many(list(keys))
    wait = max((seconds_until(row.blocked_until, now) for row in rows), default=0)
    if wait:
        raise refusal(wait)
    return {row.key for row in rows}


def count_failure(uow: UnitOfWork, keys: dict[str, Rule], now: datetime) -> None:
    for key, rule in keys.items():
        row = uow.throttles.lock(key, now)
        counted = rule.after_failure(
            Counter(row.failures, row.last_failure_at, row.blocked_until), now)
        row.failures, row.last_failure_at = counted.failures, counted.last_failure_at
        row.blocked_until = counted.blocked_until


def count_failure_now(hub: Hub, keys: dict[str, Rule]) -> None:
    """In a transaction of its own: for a check made outside any (a slow password hash)."""
    with hub.unit_of_work() as uow:
        count_failure(uow, keys, hub.clock.now())
        uow.commit()
