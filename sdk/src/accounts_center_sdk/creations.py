"""The person's creations library, as a member app that declares ``"creations": true``
receives it: ``list_creations``, ``get_creation``, ``add_creation`` and the
``creation.added`` event all give ``Creation``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Creation:
    id: str
    kind: str  # "sticker" (made from the person's avatar) or "image"
    title: str
    expression: str | None  # a sticker's expression ("happy", "wink", …), else None
    media_type: str  # "image/png" or "image/jpeg"
    width: int
    height: int
    # The picture, by a URL signed for your app alone, valid an hour: fetch it now (later,
    # fetch `/media/{digest}` with your client credentials, or ask for the creation again).
    url: str
    made_in: str  # the app it was made in, or "Accounts Center"
    created_at: str  # ISO 8601

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> Creation:
        """Raises ValueError when ``document`` is not a creation."""
        try:
            expression = document["expression"]
            return cls(id=str(document["id"]), kind=str(document["kind"]),
                       title=str(document["title"]),
                       expression=None if expression is None else str(expression),
                       media_type=str(document["media_type"]),
                       width=int(document["width"]), height=int(document["height"]),
                       url=str(document["url"]), made_in=str(document["made_in"]),
                       created_at=str(document["created_at"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a creation: {error}") from None
