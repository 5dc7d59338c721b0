"""Tables of the hub foundation: identities, their sessions and security events, login
throttles and request counters, and registered member apps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime


class IdentityRow(Base):
    __tablename__ = "identities"
    __table_args__ = (CheckConstraint("email IS NOT NULL OR phone IS NOT NULL",
                                      name="has_login_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # TOTP seed, encrypted at rest; pending until the first code confirms enrolment.
    totp_secret_sealed: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Last accepted 30-second step: codes of that step or earlier are refused (single use).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCodeRow(Base):
    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("identity_id", "code_digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HubSessionRow(Base):
    __tablename__ = "hub_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # SHA-256 of the cookie value; the value itself is never stored.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    identity_id: Mapped[str] = mapped_column(
        ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    # "partial": password accepted, second factor still due; "full": logged in.
    auth_level: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    authenticated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")


class SecurityEventRow(Base):
    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_identity_time", "identity_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(512), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class LoginThrottleRow(Base):
    __tablename__ = "login_throttles"

    # "account:<sha256 of login name>", "address:<ip>", "device:<sha256 of cookie nonce>"
    # or "second-factor:<identity id>" (domain/throttle.py)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # pruned
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RequestCounterRow(Base):
    """A fixed-window request counter shared by every hub process, e.g. anonymous
    /oauth2/authorize calls per client address."""

    __tablename__ = "request_counters"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # "authorize:<ip>"
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # pruned
    hits: Mapped[int] = mapped_column(Integer)


class MemberAppRow(Base):
    __tablename__ = "member_apps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_digest: Mapped[str] = mapped_column(String(64))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    webhook_url: Mapped[str] = mapped_column(String(2000))
    capabilities: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Random per app: pairwise subject identifiers are derived from it (OIDC Core §8.1).
    subject_salt: Mapped[str] = mapped_column(String(64))
    # Where "Add account" in the console sends the person: the app's own connect page.
    connect_url: Mapped[str | None] = mapped_column(String(2000))
    backchannel_logout_uri: Mapped[str | None] = mapped_column(String(2000))
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Standard Webhooks signing secret (`whsec_…`), sealed with the hub's key. During a
    # rotation's overlap the previous one signs too, until ``webhook_previous_until``.
    # Apps registered before migration 0006 have none until the operator issues one.
    webhook_secret_sealed: Mapped[str | None] = mapped_column(String(400))
    webhook_previous_secret_sealed: Mapped[str | None] = mapped_column(String(400))
    webhook_previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the receiver answered 410 Gone: nothing is sent until an operator enables it.
    webhook_disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    webhook_disabled_reason: Mapped[str | None] = mapped_column(String(300))
