"""Cross-post routing (DESIGN §2 cross-posting row, §4.4; issue 14, points 1 and 2): which
content type may flow to which (the operator's direction matrix), which pairs of a
person's apps could carry a cross-post, and the person's choice for each pair.

Pure: the store keeps the operator's overrides and the person's choices; the rules of
what they mean are here. The gate's own rule for one copy is `policy.decide_crosspost`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.errors import InvalidInput

Direction = tuple[CrossPostType, CrossPostType]

# The source article: Status → Stories is the feature; the reverse "is not yet available"
# there. Here every pair can be opened by the operator; only this one is open at first.
DEFAULT_OPEN: frozenset[Direction] = frozenset({(CrossPostType.STATUS, CrossPostType.STORY)})

CAPTION_MAX = 2200  # characters, as the larger photo apps allow
# A cross-post lives at most this long: expiry is for stories and statuses, not archives.
MAX_LIFETIME = timedelta(days=30)


class CrossPostMode(StrEnum):
    """The person's choice for one source → destination pair; ``off`` until they pick."""

    OFF = "off"
    ASK = "ask"  # the source app asks each time (a checkbox when posting)
    ALWAYS = "always"  # every post of that type goes there


@dataclass(frozen=True)
class DirectionMatrix:
    """The operator's matrix: every pair not overridden keeps its default."""

    overrides: Mapping[Direction, bool] = field(default_factory=dict)

    def allows(self, source: CrossPostType, destination: CrossPostType) -> bool:
        return self.overrides.get((source, destination), (source, destination) in DEFAULT_OPEN)

    def with_override(self, direction: Direction, allowed: bool) -> DirectionMatrix:
        return DirectionMatrix({**self.overrides, direction: allowed})


def parse_direction(text: str) -> Direction:
    """``"status:story"`` → (STATUS, STORY); `InvalidInput` naming what is wrong."""
    source, colon, destination = text.strip().partition(":")
    if not colon or not source or not destination:
        raise InvalidInput(f"{text!r}: give a direction as SOURCE:DESTINATION, "
                           "e.g. status:story", field="direction")
    return _post_type(source, text), _post_type(destination, text)


def _post_type(name: str, text: str) -> CrossPostType:
    try:
        return CrossPostType(name.strip().lower())
    except ValueError:
        known = ", ".join(t.value for t in CrossPostType)
        raise InvalidInput(f"{text!r}: unknown content type {name.strip()!r} "
                           f"(known: {known})", field="direction") from None


def parse_post_type(name: str, field_name: str = "type") -> CrossPostType:
    try:
        return CrossPostType(name)
    except ValueError:
        known = ", ".join(t.value for t in CrossPostType)
        raise InvalidInput(f"{field_name}: unknown content type (known: {known})",
                           field=field_name) from None


def parse_mode(name: str) -> CrossPostMode:
    try:
        return CrossPostMode(name)
    except ValueError:
        raise InvalidInput("mode: choose off, ask or always", field="mode") from None


def open_pairs(sources: Iterable[CrossPostType], destinations: Iterable[CrossPostType],
               matrix: DirectionMatrix) -> list[Direction]:
    """The type pairs one app (declaring ``sources``) could cross-post to another
    (declaring ``destinations``), in a stable order."""
    wanted = sorted(destinations)
    return [(s, d) for s in sorted(sources) for d in wanted if matrix.allows(s, d)]


def check_caption(caption: str | None) -> str:
    """A caption as sent on: bounded, no control characters but line breaks."""
    text = caption or ""
    if len(text) > CAPTION_MAX:
        raise InvalidInput(f"caption: at most {CAPTION_MAX} characters", field="caption")
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text):
        raise InvalidInput("caption: no control characters", field="caption")
    return text


def check_expiry(value: str | None, now: datetime) -> datetime | None:
    """``expires_at`` (ISO 8601 with a time zone): in the future, within `MAX_LIFETIME`."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("expires_at: give an ISO 8601 date and time, e.g. "
                           "2026-11-28T12:00:00Z", field="expires_at") from None
    if moment.tzinfo is None:
        raise InvalidInput("expires_at: give a time zone (e.g. Z or +01:00)",
                           field="expires_at")
    if moment <= now:
        raise InvalidInput("expires_at: must be in the future", field="expires_at")
    if moment > now + MAX_LIFETIME:
        raise InvalidInput(f"expires_at: at most {MAX_LIFETIME.days} days ahead",
                           field="expires_at")
    return moment
