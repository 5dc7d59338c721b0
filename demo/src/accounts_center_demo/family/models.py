"""The tables every app has: its people, the profile fields they keep in sync from
Accounts Center, their browser sessions, applied webhooks.
``Ephemeral`` is the shape of a post that expires after 24 hours (Chat's Status, the
Stories of Pics and Social); each app makes its own table of it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, LargeBinary, String, Table, Text, false
from sqlalchemy.orm import Mapped, declared_attr, deferred, mapped_column, relationship

from accounts_center_demo.family.store import Base, utcnow

EPHEMERAL_LIFETIME = timedelta(hours=24)
# The picture of someone who keeps neither a photo nor an avatar in sync with this app.
DEFAULT_PICTURE = "/static/family/default-picture.svg"
# Shown next to a person: the avatar where they keep both in sync, else the photo.
PICTURE_FIELDS = ("avatar", "photo")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(40), unique=True)  # phone number or username
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Accounts Center, as this app knows it: added (linked) or not, and the last refusal.
    hub_linked: Mapped[bool] = mapped_column(default=False)
    hub_linked_at: Mapped[datetime | None] = mapped_column(default=None)
    hub_last_refusal: Mapped[str | None] = mapped_column(String(300), default=None)
    hub_last_refusal_at: Mapped[datetime | None] = mapped_column(default=None)
    # What Accounts Center sent of the profile fields the person keeps in sync with this
    # app; loaded with the user (one query for a whole feed's authors).
    synced: Mapped[list[SyncedField]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def hub_ever_linked(self) -> bool:
        return self.hub_linked_at is not None

    def synced_field(self, field: str) -> SyncedField | None:
        return next((s for s in self.synced if s.field == field), None)

    @property
    def shown_name(self) -> str:
        """The name from Accounts Center while the person keeps it in sync, else the one
        they gave this app."""
        name = self.synced_field("name")
        return name.text if name is not None and name.text else self.display_name

    @property
    def picture_url(self) -> str:
        """This app's own address of the person's picture (the digest in the query makes
        a new picture a new URL, so no browser shows a cached old one)."""
        for field in PICTURE_FIELDS:
            held = self.synced_field(field)
            if held is not None and held.digest:
                return f"/people/{self.id}/{field}?v={held.digest[:16]}"
        return DEFAULT_PICTURE


class SyncedField(Base):
    """One profile field (``name``, ``photo``, ``avatar``) as Accounts Center last sent it.
    A photo or an avatar is kept here, downloaded when it arrived (the hub's signed URL
    lasts an hour) and served from this app's own origin. A cleared field keeps its row
    with no value, so a late delivery of an older value cannot bring it back."""

    __tablename__ = "synced_profile_fields"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    field: Mapped[str] = mapped_column(String(10), primary_key=True)
    text: Mapped[str | None] = mapped_column(String(64), default=None)  # the name
    media_type: Mapped[str | None] = mapped_column(String(20), default=None)
    digest: Mapped[str | None] = mapped_column(String(64), default=None)  # SHA-256 of data
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary, default=None))
    updated_at: Mapped[datetime] = mapped_column()  # when the hub took the value


class WebSession(Base):
    """A browser's session; the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    # The SDK's Pending of a trip to the hub in progress (state, nonce, PKCE verifier).
    pending: Mapped[str | None] = mapped_column(Text, default=None)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppliedWebhook(Base):
    """Webhook ids this app applied: the hub retries for more than a day, so "apply
    once" needs a durable record, not the SDK's ten-minute memory."""

    __tablename__ = "applied_webhooks"

    webhook_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)


class Ephemeral:
    """Columns of a post visible to everyone in the app for 24 hours: text, and a photo
    where one came with it. ``crosspost_id``: for a post made here (``crosspost_copy``
    false), the hub's id of the post it was cross-posted as; for a copy another app shared
    here through Accounts Center (``crosspost_copy`` true), the hub's id of the post it
    came from. Pics's Stories are both: posted there and sent on to Chat, or sent there
    from Chat's Status."""

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    media_type: Mapped[str | None] = mapped_column(String(20), default=None)
    crosspost_id: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    crosspost_copy: Mapped[bool] = mapped_column(default=False, server_default=false())

    @declared_attr
    def photo(cls) -> Mapped[bytes | None]:
        return deferred(mapped_column(LargeBinary, default=None))  # loaded only to serve it

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    @property
    def expires_at(self) -> datetime:
        return self.created_at + EPHEMERAL_LIFETIME


def family_tables() -> list[Table]:
    return [User.__table__, SyncedField.__table__,  # type: ignore[list-item]
            WebSession.__table__, AppliedWebhook.__table__]  # type: ignore[list-item]
