"""Tables of the media store (issue 13): content-addressed blobs, who owns each and for
what, and which apps were granted which blob."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class MediaBlobRow(Base):
    """Bytes named by their SHA-256: the same content uploaded twice is one row, and a
    digest names its content forever (so it can be cached as immutable). In the database
    rather than on a disk, so every hub process serves every blob."""

    __tablename__ = "media_blobs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex SHA-256
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # When last put (stored, or put again): the pruner of unowned blobs spares recent ones.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class MediaOwnershipRow(Base):
    """A blob belongs to a person for one purpose (``profile_photo``, ``avatar``,
    ``creation``) and, for renditions, one size; only they, and apps granted it, get it."""

    __tablename__ = "media_ownerships"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    rendition: Mapped[int] = mapped_column(Integer, primary_key=True)  # px; 0: the original
    digest: Mapped[str] = mapped_column(
        ForeignKey("media_blobs.digest", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MediaGrantRow(Base):
    """An app may fetch a person's blob: written when the sharing gate allowed the flow
    that carried it, deleted with the link (or the app, or the person)."""

    __tablename__ = "media_grants"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    app_id: Mapped[str] = mapped_column(
        ForeignKey("member_apps.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(
        ForeignKey("media_blobs.digest", ondelete="CASCADE"), primary_key=True, index=True)
