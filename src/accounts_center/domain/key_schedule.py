"""When an ID-token signing key is published, signs, and leaves the JWKS
(SECURITY-CHECKLIST 13).

Apps cache the hub's JWKS for `JWKS_MAX_AGE_SECONDS`. A token signed with a key their
cached set does not hold is refused, so a new key is published at once but signs only
`PREPUBLICATION` later; the key it replaces keeps signing until then. A key that stops
signing stays published until everything it signed has expired. The very first key of a
hub signs at once: no app can have cached a key set without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import TypeVar

# What the JWKS response says in `cache-control: max-age`.
JWKS_MAX_AGE_SECONDS = 300
# Twice the max-age: a shared cache (a proxy, a CDN) may serve a copy it has held for up to
# max-age, and the app may then keep that copy for max-age more.
PREPUBLICATION = timedelta(seconds=2 * JWKS_MAX_AGE_SECONDS)
# The longest-lived thing a key signs (ID tokens), and leeway for clock skew between hub
# processes and their short-lived key caches.
SIGNED_LIFETIME = timedelta(minutes=10)
PUBLISH_LEEWAY = timedelta(minutes=5)


class Phase(Enum):
    PENDING = "pending"  # published, not signing yet
    SIGNING = "signing"
    RETIRING = "retiring"  # signing until its successor takes over
    PUBLISHED = "published"  # no longer signs; published until its tokens expired
    EXPIRED = "expired"


@dataclass(frozen=True)
class KeyTimes:
    signs_from: datetime
    retired_at: datetime | None = None  # when the next key takes over signing
    publish_until: datetime | None = None

    def phase(self, now: datetime) -> Phase:
        if self.signs_from > now:
            return Phase.PENDING
        if self.retired_at is None:
            return Phase.SIGNING
        if self.retired_at > now:
            return Phase.RETIRING
        if self.publish_until is None or self.publish_until > now:
            return Phase.PUBLISHED
        return Phase.EXPIRED

    def is_published(self, now: datetime) -> bool:
        return self.phase(now) is not Phase.EXPIRED

    def may_sign_after(self, now: datetime) -> bool:
        """Whether the key signs now or will later (so a signer must hold it)."""
        return self.retired_at is None or self.retired_at > now


def new_key_signs_from(now: datetime, *, a_key_signs: bool) -> datetime:
    """A hub with no signing key needs one at once; otherwise apps must see it first."""
    return now + PREPUBLICATION if a_key_signs else now


def retirement(successor_signs_from: datetime) -> tuple[datetime, datetime]:
    """``(retired_at, publish_until)`` of a key whose successor signs from the given
    moment: it signs until then, and what it signed last expires after that."""
    return (successor_signs_from,
            successor_signs_from + SIGNED_LIFETIME + PUBLISH_LEEWAY)


K = TypeVar("K")


def signing_at(keys: Sequence[tuple[K, KeyTimes]], now: datetime) -> K:
    """The key that signs at ``now``: of those already due, the one due last. (Should no
    key be due yet, e.g. after a clock step back, the earliest one.)"""
    if not keys:
        raise ValueError("no signing keys")
    due = [item for item in keys if item[1].signs_from <= now]
    if due:
        return max(due, key=lambda item: item[1].signs_from)[0]
    return min(keys, key=lambda item: item[1].signs_from)[0]
