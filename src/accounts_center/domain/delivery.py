"""Webhook delivery rules, without I/O: what a receiver's answer means, when to try again,
and the body every receiver gets (the Standard Webhooks envelope)."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

JITTER = 0.2  # each wait is its nominal length ±20 %, so retries of many events spread out
MAX_ERROR_LENGTH = 300


class Outcome(enum.Enum):
    DELIVERED = "delivered"  # 2xx
    GONE = "gone"  # 410: the receiver asks us to stop; the endpoint is disabled
    RETRY = "retry"  # anything else, timeouts and refused connections included


def outcome_of(status_code: int | None) -> Outcome:
    """``None`` when no HTTP answer came (timeout, connection refused, reset)."""
    if status_code is not None and 200 <= status_code < 300:
        return Outcome.DELIVERED
    if status_code == 410:
        return Outcome.GONE
    return Outcome.RETRY


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay(self, attempts_made: int, draw: float) -> float:
        """Seconds to wait after the ``attempts_made``-th failure: exponential from
        ``base_seconds``, capped at ``max_seconds``, scaled by a jitter from ``draw`` in
        [0, 1)."""
        nominal = min(self.max_seconds, self.base_seconds * 2.0 ** min(attempts_made - 1, 60))
        return nominal * (1 - JITTER + 2 * JITTER * draw)

    def gives_up_after(self, attempts_made: int) -> bool:
        return attempts_made >= self.max_attempts

    def shortest_span(self) -> float:
        """The least time between the first and the last attempt, whatever the jitter."""
        return sum(self.delay(n, 0.0) for n in range(1, self.max_attempts))


def envelope(event_type: str, created_at: datetime, payload: dict[str, Any]) -> bytes:
    """The body: ``{"type", "timestamp", "data"}`` (Standard Webhooks §payload)."""
    return json.dumps({"type": event_type, "timestamp": created_at.isoformat(),
                       "data": payload}, separators=(",", ":"), sort_keys=True).encode()


def short_error(text: str) -> str:
    """One line, at most MAX_ERROR_LENGTH characters, for attempt records."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR_LENGTH else line[: MAX_ERROR_LENGTH - 1] + "…"
