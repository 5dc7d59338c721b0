"""Limits on guessing: growing delays and rate limits (SECURITY-CHECKLIST 26, 29).

Each counter is a row (`Counter`) under a string key; a rule turns a counter and the moment
of one more failure into the counter after it, and `blocked_until` says when the next
attempt may be checked.

Passwords get *growing delays* (`ThrottleRule`): a few failures are free, then each one
doubles the wait, up to a cap. The cap for an account is short so an attacker cannot keep
someone else locked out; the cap for a network address is long, since that is where
guessing comes from. Browsers that have logged in before carry a device cookie and count
on their own counter instead of the account's (OWASP "Slow Down Online Guessing Attacks
with Device Cookies"), so a flood of bad passwords does not keep the owner out.

Second-factor codes get a *rate limit* (`RateLimit`) per person that holds whatever the
address, since the password is already known to whoever is guessing there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class Counter:
    failures: int
    last_failure_at: datetime
    # When the next attempt may be checked; a moment in the past blocks nothing.
    blocked_until: datetime | None


class Rule(Protocol):
    def after_failure(self, counter: Counter | None, now: datetime) -> Counter: ...


@dataclass(frozen=True)
class ThrottleRule:
    """Growing delays, forgotten after a quiet period."""

    free_failures: int
    base_delay_seconds: float
    max_delay_seconds: float
    forget_after: timedelta

    def delay_after(self, failures: int) -> timedelta:
        """How long to refuse attempts after ``failures`` consecutive failures."""
        over = failures - self.free_failures
        if over <= 0:
            return timedelta(0)
        seconds = min(self.base_delay_seconds * (2 ** min(over - 1, 32)),
                      self.max_delay_seconds)
        return timedelta(seconds=seconds)

    def failures_so_far(self, failures: int, last_failure_at: datetime, now: datetime) -> int:
        return 0 if now - last_failure_at >= self.forget_after else failures

    def after_failure(self, counter: Counter | None, now: datetime) -> Counter:
        failures = 1 + (self.failures_so_far(counter.failures, counter.last_failure_at, now)
                        if counter else 0)
        delay = self.delay_after(failures)
        return Counter(failures, now, now + delay if delay else None)


@dataclass(frozen=True)
class RateLimit:
    """At most ``burst`` failures at once, then one per ``interval``.

    The generic cell rate algorithm, which needs one moment per counter: the theoretical
    time of the next failure ("TAT") moves ``interval`` later with each one, and a try is
    checked only while TAT is at most ``burst - 1`` intervals ahead. Hence in any window of
    length w at most ``burst + ceil(w / interval) - 1`` failures are checked. The counter
    stores ``blocked_until = TAT - (burst - 1) * interval``, the moment the next try may
    be checked, so blocking is read the same way as for `ThrottleRule`."""

    burst: int
    interval: timedelta

    def after_failure(self, counter: Counter | None, now: datetime) -> Counter:
        slack = self.interval * (self.burst - 1)
        theoretical = (counter.blocked_until + slack
                       if counter and counter.blocked_until else now)
        theoretical = max(theoretical, now) + self.interval
        return Counter((counter.failures if counter else 0) + 1, now, theoretical - slack)

    def most_in(self, window: timedelta) -> int:
        """The most failures that can be checked in any window of this length."""
        return self.burst + -(-window // self.interval) - 1


PER_ACCOUNT = ThrottleRule(free_failures=5, base_delay_seconds=1, max_delay_seconds=60,
                           forget_after=timedelta(hours=1))
PER_ADDRESS = ThrottleRule(free_failures=20, base_delay_seconds=1, max_delay_seconds=900,
                           forget_after=timedelta(hours=6))
# A device cookie's own counter. Only its holder is slowed down, so the cap can be long:
# a stolen cookie buys an attacker a few guesses an hour, no more.
PER_DEVICE = ThrottleRule(free_failures=5, base_delay_seconds=1, max_delay_seconds=3600,
                          forget_after=timedelta(days=1))
# Wrong second-factor codes for one person: five at once, then one every ten minutes, so
# never more than ten in any hour (the "at most ~10 guesses per hour per account").
SECOND_FACTOR = RateLimit(burst=5, interval=timedelta(minutes=10))


def account_key(login_value: str) -> str:
    # Keyed by the name typed, known or not, so throttling reveals nothing about existence;
    # hashed so the table does not collect the addresses of people who are not users.
    return "account:" + _sha256(login_value)


def address_key(ip: str) -> str:
    return "address:" + ip[:64]


def device_key(nonce: str) -> str:
    return "device:" + _sha256(nonce)


def second_factor_key(identity_id: str) -> str:
    return "second-factor:" + identity_id[:64]


def seconds_until(blocked_until: datetime | None, now: datetime) -> int:
    """Whole seconds left to wait (rounded up), 0 when not blocked."""
    if blocked_until is None or blocked_until <= now:
        return 0
    remaining = (blocked_until - now).total_seconds()
    return max(1, int(-(-remaining // 1)))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
