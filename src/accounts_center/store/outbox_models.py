"""The transactional outbox (DESIGN §3, Event): one row per receiving app, written in the
same transaction as the change, and the record of every attempt to deliver it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime

# Order of events, hub-wide: PostgreSQL draws it from this sequence; on SQLite, where one
# transaction writes at a time, the outbox repository takes the next number itself.
OUTBOX_SEQUENCE = Sequence("outbox_events_seq")

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
_PENDING_ONLY = text("status = 'pending'")
_DEAD_ONLY = text("status = 'dead'")


class OutboxEventRow(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_app_created", "app_id", "created_at"),
        # What workers look through: only undelivered events, in order ...
        Index("ix_outbox_events_pending_seq", "seq", postgresql_where=_PENDING_ONLY,
              sqlite_where=_PENDING_ONLY),
        # ... and, for the order per (app, person), an earlier one still waiting.
        Index("ix_outbox_events_pending_app_person", "app_id", "identity_id", "seq",
              postgresql_where=_PENDING_ONLY, sqlite_where=_PENDING_ONLY),
        # Dead letters per app, for operators and metrics (delivered rows stay unread).
        Index("ix_outbox_events_dead_app", "app_id", postgresql_where=_DEAD_ONLY,
              sqlite_where=_DEAD_ONLY),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the stable event id
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"))
    identity_id: Mapped[str | None] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seq: Mapped[int] = mapped_column(BigInteger, OUTBOX_SEQUENCE, unique=True)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # While set and in the future, a worker is delivering the event; a worker that dies
    # leaves it to expire, and the event is delivered again.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))


class DeliveryAttemptRow(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
