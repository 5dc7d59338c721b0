"""Tables for linked accounts (DESIGN §3, LinkedAccount)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class LinkedAccountRow(Base):
    __tablename__ = "linked_accounts"
    __table_args__ = (
        # One app account is linked to at most one identity at a time.
        Index("uq_linked_accounts_active_app_user", "app_id", "app_user_id", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
        Index("ix_linked_accounts_identity", "identity_id", "status"),
        # Retention finds confirmations that lapsed unredeemed.
        Index("ix_linked_accounts_pending_expiry", "expires_at",
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"),
                                        index=True)
    app_user_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str] = mapped_column(String(200))
    # "pending": the person confirmed, the app has not redeemed its code yet (nothing is
    # shared, no sign-in uses it); "active"; "removed".
    status: Mapped[str] = mapped_column(String(16))
    sign_in_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # While pending: when the confirmation lapses unredeemed, and what activation needs
    # (the confirming browser's address and agent for the security event, a birth date
    # the app brought). Cleared when the link becomes active.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    activation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
