"""Tables of the OpenID provider: signing keys, pending authorization requests (PAR and
front-channel), authorization codes and tokens. Codes and tokens are stored as digests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from accounts_center.store.base import Base, UTCDateTime

_REVOKED_ONLY = text("revoked_at IS NOT NULL")


class SigningKeyRow(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    private_jwk_sealed: Mapped[str] = mapped_column(Text)  # encrypted with the secret key
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Published from creation, signing from here: apps' cached key sets hold it by then.
    signs_from: Mapped[datetime] = mapped_column(UTCDateTime())
    # When a newer key takes over signing; published until everything it signed expired.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publish_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuthorizationRequestRow(Base):
    """A validated authorization request waiting for the person (RFC 9126 PAR or a
    front-channel /authorize), so login and sign-up can happen in between."""

    __tablename__ = "authorization_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Digest of the PAR request_uri token; null for front-channel requests.
    request_uri_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # pruned by it
    # Digest of the browser's pre-session token once a browser has picked the request up.
    browser_digest: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuthorizationCodeRow(Base):
    __tablename__ = "authorization_codes"

    code_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"))
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    link_id: Mapped[str] = mapped_column(ForeignKey("linked_accounts.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str | None] = mapped_column(String(500))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(8))
    auth_time: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # pruned by it
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OAuthTokenRow(Base):
    """An access token and its refresh token. Rotation makes a chain of rows sharing a
    ``family_id``; reuse of a rotated refresh token revokes the family (RFC 9700 §4.14)."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (
        Index("ix_oauth_tokens_link", "link_id", "revoked_at"),
        # Retention finds dead grants by these (`services/retention.py`). Revoked rows
        # only, so issuing a token writes no entry here.
        Index("ix_oauth_tokens_revoked", "revoked_at", postgresql_where=_REVOKED_ONLY,
              sqlite_where=_REVOKED_ONLY),
        Index("ix_oauth_tokens_refresh_expires_at", "refresh_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    access_digest: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    code_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    app_id: Mapped[str] = mapped_column(ForeignKey("member_apps.id", ondelete="CASCADE"))
    identity_id: Mapped[str] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    link_id: Mapped[str] = mapped_column(ForeignKey("linked_accounts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(500))
    auth_time: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
