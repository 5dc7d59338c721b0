"""Tables of the privacy core (DESIGN §2, §3): the sharing ledger, ad consents, and data
apps pushed into the hub."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class LedgerEntryRow(Base):
    """One entry of a person's hash-chained ledger (``domain/ledger.py``). Append-only:
    nothing updates or deletes these rows except the person's own account deletion."""

    __tablename__ = "ledger_entries"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 UTC, exactly as hashed
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The hub's seal (HMAC under a key derived from the secret key, `domain/ledger.py`):
    # null only for entries written before migration 0008 until `ledger seal` runs.
    seal: Mapped[str | None] = mapped_column(String(64))


class LedgerHeadRow(Base):
    """The last entry of a person's ledger (so a cut-off tail is detected), and the key of
    their value digests (sealed with the hub's secret key)."""

    __tablename__ = "ledger_heads"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    digest_key_sealed: Mapped[str] = mapped_column(Text)


class AdConsentRow(Base):
    """The person's advertising consent for one app; no row means off (the default)."""

    __tablename__ = "ad_consents"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    app_id: Mapped[str] = mapped_column(
        ForeignKey("member_apps.id", ondelete="CASCADE"), primary_key=True)
    granted: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SharedDataRow(Base):
    """Data of one shareable category an app pushed into the hub for one of its users."""

    __tablename__ = "shared_data"
    __table_args__ = (Index("ix_shared_data_identity_category", "identity_id", "category"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"),
                                        index=True)
    category: Mapped[str] = mapped_column(String(32))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgeConfirmationRow(Base):
    """The birth date the person confirmed in the console; it wins over apps' claims."""

    __tablename__ = "age_confirmations"

    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    birth_date: Mapped[str] = mapped_column(String(10))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ArchiveJobRow(Base):
    """A "Download your information" archive being built or ready, so that any hub
    process can report its progress and serve it."""

    __tablename__ = "archive_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"),
                                             index=True)
    status: Mapped[str] = mapped_column(String(16))  # building | ready | failed
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # pruned by it
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
