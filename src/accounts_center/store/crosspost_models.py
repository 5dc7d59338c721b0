"""Cross-posting's tables (issue 14): the operator's direction matrix, the person's choice
per pair of links, and each cross-post with one copy per destination."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class CrossPostDirectionRow(Base):
    """The operator's override of one direction; no row means the default
    (`domain/crosspost.DEFAULT_OPEN`)."""

    __tablename__ = "crosspost_directions"

    source_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    destination_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    allowed: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CrossPostChoiceRow(Base):
    """The person's choice for one source link → destination link and type pair; no row
    means off. ``id`` is what the source app sees of the destination: opaque, and made
    only once the person chose something for the pair."""

    __tablename__ = "crosspost_choices"
    __table_args__ = (UniqueConstraint("source_link_id", "destination_link_id",
                                       "source_type", "destination_type",
                                       name="uq_crosspost_choices_pair"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    source_link_id: Mapped[str] = mapped_column(
        ForeignKey("linked_accounts.id", ondelete="CASCADE"), index=True)
    destination_link_id: Mapped[str] = mapped_column(
        ForeignKey("linked_accounts.id", ondelete="CASCADE"), index=True)
    source_type: Mapped[str] = mapped_column(String(16))
    destination_type: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))  # off | ask | always
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CrossPostRow(Base):
    """One item a source app posted; its picture is a media blob the person owns
    (purpose ``crosspost``). Each copy hears of its end once: ``deleted_at`` or
    ``expired_at``, whichever came first."""

    __tablename__ = "crossposts"
    __table_args__ = (Index("ix_crossposts_identity_created", "identity_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    source_app_id: Mapped[str] = mapped_column(
        ForeignKey("member_apps.id", ondelete="CASCADE"), index=True)
    source_link_id: Mapped[str] = mapped_column(
        ForeignKey("linked_accounts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(16))
    caption: Mapped[str] = mapped_column(Text)
    # None once the post ended and its picture left the hub (nothing else held it).
    digest: Mapped[str | None] = mapped_column(
        ForeignKey("media_blobs.digest", ondelete="SET NULL"), index=True)
    media_type: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set once, by the sweep that told every copy its `expires_at` passed (issue 14, 5).
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CrossPostCopyRow(Base):
    """One destination of a cross-post: ``sent`` (the event is in the outbox), then what
    the destination reported (``created`` with its own item id, ``failed``,
    ``deleted``), or ``refused`` when the gate said no at fan-out."""

    __tablename__ = "crosspost_copies"

    crosspost_id: Mapped[str] = mapped_column(
        ForeignKey("crossposts.id", ondelete="CASCADE"), primary_key=True)
    choice_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    destination_app_id: Mapped[str] = mapped_column(
        ForeignKey("member_apps.id", ondelete="CASCADE"), index=True)
    destination_link_id: Mapped[str] = mapped_column(
        ForeignKey("linked_accounts.id", ondelete="CASCADE"))
    destination_type: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    item_id: Mapped[str | None] = mapped_column(String(200))
    # When the destination was told the post ended (deleted or expired). Not told while
    # its app is removed: a copy the app kept, which the person may ask it to delete.
    end_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
