"""Tables of the canonical profile (issue 13): the profile, every write to it (winners
and losers), and which fields each link keeps in sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class ProfileRow(Base):
    """The person's profile as it stands; no row until they first set something."""

    __tablename__ = "profiles"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    handle: Mapped[str | None] = mapped_column(String(30), unique=True)
    bio: Mapped[str | None] = mapped_column(String(160))
    photo: Mapped[str | None] = mapped_column(Text)  # an opaque reference (media digest)
    avatar: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the avatar spec
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))  # "console" or an app id
    # When each field was last written (the merge compares per field), ISO 8601.
    field_times: Mapped[dict[str, Any]] = mapped_column(JSON)


class ProfileHistoryRow(Base):
    """One write to one field, as the person sees it: who, when, from what to what, and
    whether it won (a losing write changed nothing, but is kept)."""

    __tablename__ = "profile_history"
    __table_args__ = (Index("ix_profile_history_identity_at", "identity_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(16))
    old: Mapped[Any] = mapped_column(JSON, nullable=True)
    new: Mapped[Any] = mapped_column(JSON, nullable=True)
    by: Mapped[str] = mapped_column(String(64))  # "console" or an app id
    by_name: Mapped[str] = mapped_column(String(80))  # the app's name then, or "You"
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    won: Mapped[bool] = mapped_column(Boolean)


class ProfileSyncRow(Base):
    """Whether one link keeps one syncable field in sync; no row means off."""

    __tablename__ = "profile_sync"

    link_id: Mapped[str] = mapped_column(
        ForeignKey("linked_accounts.id", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
