"""The creations library's table (issue 13, point 5): a person's stickers and images."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class CreationRow(Base):
    """One creation: its picture is a media blob the person owns (purpose ``creation``).
    Hidden ones stay the person's but reach no app; ``made_in_app_id`` is null for the
    console (or once the app it was made in is removed from the hub)."""

    __tablename__ = "creations"
    __table_args__ = (Index("ix_creations_identity_created", "identity_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # sticker | image
    title: Mapped[str] = mapped_column(String(80))
    expression: Mapped[str | None] = mapped_column(String(32))  # stickers only
    digest: Mapped[str] = mapped_column(ForeignKey("media_blobs.digest"), index=True)
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    made_in_app_id: Mapped[str | None] = mapped_column(
        ForeignKey("member_apps.id", ondelete="SET NULL"))
    hidden: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
