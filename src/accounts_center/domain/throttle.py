"""Growing delays after failed logins (SECURITY-CHECKLIST 26).

A few failures are free; after that each failure doubles the wait, up to a cap. The cap
for a single account is short so an attacker cannot keep someone else locked out; the cap
for a single network address is long, since that is where guessing comes from. Failures
are forgotten after a quiet period.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottleRule:
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


PER_ACCOUNT = ThrottleRule(free_failures=5, base_delay_seconds=1, max_delay_seconds=60,
                           forget_after=timedelta(hours=1))
PER_ADDRESS = ThrottleRule(free_failures=20, base_delay_seconds=1, max_delay_seconds=900,
                           forget_after=timedelta(hours=6))


def account_key(login_value: str) -> str:
    # Keyed by the name typed, known or not, so throttling reveals nothing about existence;
    # hashed so the table does not collect the addresses of people who are not users.
    return "account:" + hashlib.sha256(login_value.encode("utf-8")).hexdigest()


def address_key(ip: str) -> str:
    return "address:" + ip[:64]


def seconds_until(blocked_until: datetime | None, now: datetime) -> int:
    """Whole seconds left to wait (rounded up), 0 when not blocked."""
    if blocked_until is None or blocked_until <= now:
        return 0
    remaining = (blocked_until - now).total_seconds()
    return max(1, int(-(-remaining // 1)))
