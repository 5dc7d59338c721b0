"""The transactional outbox (DESIGN §3, Event): one row per receiving app, written in the
same transaction as the change. Delivery (signed webhooks) reads from here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class OutboxEventRow(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_app_created", "app_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the stable event id
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"))
    identity_id: Mapped[str | None] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
