"""The tables every app has: its people, their browser sessions, applied webhooks.
``Ephemeral`` is the shape of a post that expires after 24 hours (Chat's Status, the
Stories of Pics and Social); each app makes its own table of it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from accounts_center_demo.family.store import Base, utcnow

EPHEMERAL_LIFETIME = timedelta(hours=24)


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

    @property
    def hub_ever_linked(self) -> bool:
        return self.hub_linked_at is not None


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
    """Columns of a text post visible to everyone in the app for 24 hours."""

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    @property
    def expires_at(self) -> datetime:
        return self.created_at + EPHEMERAL_LIFETIME


def family_tables() -> list[Table]:
    return [User.__table__, WebSession.__table__, AppliedWebhook.__table__]  # type: ignore[list-item]
