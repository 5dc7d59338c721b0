"""Path parameters that name a row, bounded by the column they are looked up in: an id
longer than any the hub issues is refused (422), never cut short and looked up anyway."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# Ids the hub issues (people, apps, links, sessions, downloads, pending requests) are
# UUIDs, kept in String(36) columns.
RowId = Annotated[str, Path(min_length=1, max_length=36)]
