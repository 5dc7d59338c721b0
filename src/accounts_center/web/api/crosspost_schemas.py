"""Bodies of the cross-posting API (issue 14), documented in /openapi.json."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CrossPostDestination(BaseModel):
    id: str = Field(description="Opaque: pass it in `destinations` to post there")
    app: str = Field(description="The destination app's name, to show the person")
    type: str = Field(description="The type the post becomes there, e.g. `story`")
    mode: str = Field(description="`ask` (offer a checkbox) or `always` (the hub adds it)")


class CrossPostDestinations(BaseModel):
    """Only the destinations the person set to `ask` or `always` for this app."""

    destinations: list[CrossPostDestination]


class CrossPostCopy(BaseModel):
    destination: CrossPostDestination
    state: str = Field(description="`sent`, `refused` (by the sharing policy), or what "
                                   "the destination reported: `created`, `failed`, "
                                   "`deleted`")
    updated_at: datetime


class CrossPost(BaseModel):
    id: str
    type: str
    caption: str
    media_type: str
    expires_at: datetime | None
    created_at: datetime
    deleted_at: datetime | None
    expired_at: datetime | None = Field(
        None, description="When the hub expired it (its `expires_at` passed) and told "
                          "every copy `crosspost.expired`")
    destinations: list[CrossPostCopy]


class CopyReport(BaseModel):
    """What became of the copy the destination app was sent."""

    model_config = ConfigDict(extra="forbid")

    state: Literal["created", "failed", "deleted"]
    item_id: str | None = Field(default=None, min_length=1, max_length=200,
                                description="The app's own id of the item (for `created`)")
    type: str | None = Field(default=None, max_length=16, description=(
        "Which copy, when the app was sent the post as several types"))


class CopyReported(BaseModel):
    crosspost_id: str
    type: str
    state: str
    item_id: str | None
