"""Rules of the creations library (issue 13, point 5), without I/O: what a creation is,
how its title is checked, and what stickers there are."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

from accounts_center.domain.avatar import EXPRESSIONS
from accounts_center.domain.errors import InvalidInput

# What the media store calls the blobs of creations (one per creation, rendition 0).
CREATION_MEDIA = "creation"
TITLE_MAX = 80
STICKER_SIZE = 256  # px: what the avatar is sent to apps as
# Said as the maker when a creation was made in the console (or its app is gone).
MADE_IN_HUB = "Accounts Center"


class CreationKind(StrEnum):
    STICKER = "sticker"  # the person's avatar with an expression
    IMAGE = "image"  # an uploaded picture


def sticker_expressions() -> tuple[str, ...]:
    return tuple(EXPRESSIONS)


def check_expression(expression: str) -> str:
    if expression not in EXPRESSIONS:
        raise InvalidInput(f"Choose one of: {', '.join(EXPRESSIONS)}.", field="expression")
    return expression


def check_title(title: str | None, default: str) -> str:
    """The title as kept: trimmed, ``default`` when empty; refused when longer than
    `TITLE_MAX` characters or holding control or formatting characters."""
    text = (title or "").strip()
    if not text:
        return default
    if len(text) > TITLE_MAX:
        raise InvalidInput(f"A title has at most {TITLE_MAX} characters.", field="title")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in text):
        raise InvalidInput("A title holds only printable characters.", field="title")
    return text


def sticker_title(expression: str) -> str:
    return f"{expression.capitalize()} sticker"
