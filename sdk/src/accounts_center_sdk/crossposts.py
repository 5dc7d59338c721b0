"""Cross-posting, as a member app sees it (issue 14): a source app lists where its user's
post may go (``crosspost_destinations``), posts it (``create_crosspost``), reads each
destination's state (``get_crosspost``) and deletes it (``delete_crosspost``); a
destination app reports what became of its copy (``report_crosspost_copy``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CrossPostDestination:
    """Where a post may go. ``id`` is opaque (the person's choice for that pair, neither a
    link nor an app id): pass it in ``destinations`` when the person ticks it."""

    id: str
    app: str  # the destination app's name, to show the person
    type: str  # what the post becomes there, e.g. "story"
    mode: str  # "ask" (offer a checkbox) or "always" (the hub adds it)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> CrossPostDestination:
        """Raises ValueError when ``document`` is not a destination."""
        try:
            return cls(id=str(document["id"]), app=str(document["app"]),
                       type=str(document["type"]), mode=str(document["mode"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a cross-post destination: {error}") from None


@dataclass(frozen=True)
class CrossPostCopy:
    """One destination of a post and what became of its copy: ``state`` is ``sent``,
    ``refused`` (by the sharing policy), or what the destination reported: ``created``,
    ``failed``, ``deleted``."""

    destination: CrossPostDestination
    state: str
    updated_at: datetime


@dataclass(frozen=True)
class CrossPost:
    """A post the app cross-posted, with each destination's state."""

    id: str
    type: str
    caption: str
    media_type: str
    expires_at: datetime | None
    created_at: datetime
    deleted_at: datetime | None
    destinations: tuple[CrossPostCopy, ...]
    expired_at: datetime | None = None  # set once its ``expires_at`` passed

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> CrossPost:
        """Raises ValueError when ``document`` is not a cross-post."""
        try:
            copies = document["destinations"]
            if not isinstance(copies, list):
                raise TypeError("destinations is not a list")
            return cls(
                id=str(document["id"]), type=str(document["type"]),
                caption=str(document["caption"]), media_type=str(document["media_type"]),
                expires_at=_moment_or_none(document["expires_at"]),
                created_at=_moment(document["created_at"]),
                deleted_at=_moment_or_none(document["deleted_at"]),
                expired_at=_moment_or_none(document.get("expired_at")),
                destinations=tuple(CrossPostCopy(
                    destination=CrossPostDestination.from_document(copy["destination"]),
                    state=str(copy["state"]), updated_at=_moment(copy["updated_at"]))
                    for copy in copies))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a cross-post: {error}") from None


@dataclass(frozen=True)
class CopyReported:
    """The hub's record of a destination's report on its copy."""

    crosspost_id: str
    type: str  # the type the post became in your app
    state: str  # "created", "failed" or "deleted"
    item_id: str | None

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> CopyReported:
        try:
            item_id = document["item_id"]
            return cls(crosspost_id=str(document["crosspost_id"]), type=str(document["type"]),
                       state=str(document["state"]),
                       item_id=None if item_id is None else str(item_id))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a copy report: {error}") from None


def _moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("a time is not a string")
    return datetime.fromisoformat(value)


def _moment_or_none(value: Any) -> datetime | None:
    return None if value is None else _moment(value)
