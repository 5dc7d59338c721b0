"""Response bodies of the JSON API (documented in /openapi.json)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Health(BaseModel):
    status: str
    database: str


class Me(BaseModel):
    id: str
    email: str | None
    phone: str | None
    created_at: datetime
    two_factor_enabled: bool


class SessionOut(BaseModel):
    id: str
    user_agent: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class SecurityEventOut(BaseModel):
    id: int
    kind: str
    description: str
    occurred_at: datetime
    ip: str
    user_agent: str


class SecurityEventPage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[SecurityEventOut]
    next_before: int | None


class Problem(BaseModel):
    """RFC 9457 problem details; extension members (e.g. `field`, `errors`) may follow."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class DataPush(BaseModel):
    """Data of one category about one of the app's users, and why it is sent."""

    model_config = ConfigDict(extra="forbid")

    purpose: str
    fields: dict[str, str | int | float | bool | None]


class DataItem(BaseModel):
    fields: dict[str, str | int | float | bool | None]
    received_at: str | None


class DataRead(BaseModel):
    category: str
    purpose: str
    items: list[DataItem]


class Stored(BaseModel):
    status: str


class ProfileUpdate(BaseModel):
    """Profile fields the app's user changed there; send only those, and only fields the
    person keeps in sync with the app (name, photo, avatar). Unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="Display name, 1-64 characters")
    photo: str | None = Field(default=None, description="The photo's reference, or null")
    avatar: dict[str, Any] | None = Field(default=None,
                                          description="The avatar spec, or null")


class ProfileWritten(BaseModel):
    """Each field sent, and whether it won (false: a later write is held; yours is kept
    in the person's history)."""

    won: dict[str, bool]


class AppProfile(BaseModel):
    """The fields the person keeps in sync with the app, each category decided by the
    sharing gate; a refused one is under `withheld` with the reason."""

    profile: dict[str, Any]
    withheld: dict[str, str]
    updated_at: str | None


class Creation(BaseModel):
    """A sticker or image of the person's creations library, as an app receives it."""

    id: str
    kind: str = Field(description="`sticker` (made from the avatar) or `image`")
    title: str
    expression: str | None = Field(description="A sticker's expression, else null")
    media_type: str = Field(description="`image/png` or `image/jpeg`")
    width: int
    height: int
    url: str = Field(description="The picture, by a URL signed for this app (an hour)")
    made_in: str = Field(description="The app it was made in, or `Accounts Center`")
    created_at: str = Field(description="ISO 8601")


class CreationList(BaseModel):
    """The person's creations, newest first (hidden ones are not listed)."""

    creations: list[Creation]
