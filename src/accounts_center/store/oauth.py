"""Repository of the OpenID provider's state: keys, pending requests, codes, tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from accounts_center.store.base import storable
from accounts_center.store.oauth_models import (
    AuthorizationCodeRow,
    AuthorizationRequestRow,
    OAuthTokenRow,
    SigningKeyRow,
)


class OAuthStore:
    def __init__(self, session: Session) -> None:
        self._session = session

    # signing keys
    def add_key(self, row: SigningKeyRow) -> None:
        self._session.add(row)
        self._session.flush()

    def signing_keys(self) -> Sequence[SigningKeyRow]:
        return self._session.scalars(
            select(SigningKeyRow).order_by(SigningKeyRow.created_at.desc())).all()

    # pending authorization requests
    def add_request(self, row: AuthorizationRequestRow) -> None:
        self._session.add(row)
        self._session.flush()

    def request(self, request_id: str) -> AuthorizationRequestRow | None:
        if not storable(request_id):
            return None
        return self._session.get(AuthorizationRequestRow, request_id)

    def claim_pushed_request(self, uri_digest: str, app_id: str, browser_digest: str,
                             now: datetime) -> AuthorizationRequestRow | None:
        """Binds an unexpired, unclaimed PAR request of ``app_id`` to one browser (single
        use: a second claim finds nothing)."""
        claimed = self._session.execute(
            update(AuthorizationRequestRow)
            .where(AuthorizationRequestRow.request_uri_digest == uri_digest,
                   AuthorizationRequestRow.app_id == app_id,
                   AuthorizationRequestRow.browser_digest.is_(None),
                   AuthorizationRequestRow.expires_at > now)
            .values(browser_digest=browser_digest)).rowcount  # type: ignore[attr-defined]
        if not claimed:
            return None
        return self._session.scalars(select(AuthorizationRequestRow).where(
            AuthorizationRequestRow.request_uri_digest == uri_digest)).one()

    # authorization codes
    def add_code(self, row: AuthorizationCodeRow) -> None:
        self._session.add(row)

    def claim_code(self, code_digest: str, app_id: str,
                   now: datetime) -> AuthorizationCodeRow | None:
        """Marks a live code used and returns it; None when unknown, expired or used."""
        return self._session.scalars(
            update(AuthorizationCodeRow)
            .where(AuthorizationCodeRow.code_digest == code_digest,
                   AuthorizationCodeRow.app_id == app_id,
                   AuthorizationCodeRow.used_at.is_(None),
                   AuthorizationCodeRow.expires_at > now)
            .values(used_at=now).returning(AuthorizationCodeRow)
            .execution_options(synchronize_session=False)).first()

    def code(self, code_digest: str) -> AuthorizationCodeRow | None:
        return self._session.get(AuthorizationCodeRow, code_digest)

    # tokens
    def add_token(self, row: OAuthTokenRow) -> None:
        self._session.add(row)

    def token_by_access(self, access_digest: str) -> OAuthTokenRow | None:
        return self._session.scalars(select(OAuthTokenRow).where(
            OAuthTokenRow.access_digest == access_digest)).first()

    def token_by_refresh(self, refresh_digest: str) -> OAuthTokenRow | None:
        return self._session.scalars(select(OAuthTokenRow).where(
            OAuthTokenRow.refresh_digest == refresh_digest)).first()

    def rotate_refresh(self, refresh_digest: str, app_id: str,
                       now: datetime) -> OAuthTokenRow | None:
        """Spends a live refresh token (atomically: concurrent reuse finds nothing)."""
        return self._session.scalars(
            update(OAuthTokenRow)
            .where(OAuthTokenRow.refresh_digest == refresh_digest,
                   OAuthTokenRow.app_id == app_id,
                   OAuthTokenRow.rotated_at.is_(None), OAuthTokenRow.revoked_at.is_(None),
                   OAuthTokenRow.refresh_expires_at > now)
            .values(rotated_at=now).returning(OAuthTokenRow)
            .execution_options(synchronize_session=False)).first()

    def revoke_where(self, now: datetime, *, family_id: str | None = None,
                     code_digest: str | None = None, link_id: str | None = None,
                     token_id: str | None = None, identity_id: str | None = None) -> int:
        conditions = []
        if family_id:
            conditions.append(OAuthTokenRow.family_id == family_id)
        if code_digest:
            conditions.append(OAuthTokenRow.code_digest == code_digest)
        if link_id:
            conditions.append(OAuthTokenRow.link_id == link_id)
        if token_id:
            conditions.append(OAuthTokenRow.id == token_id)
        if identity_id:
            conditions.append(OAuthTokenRow.identity_id == identity_id)
        if not conditions:
            return 0
        return int(self._session.execute(
            update(OAuthTokenRow).where(or_(*conditions), OAuthTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)).rowcount)  # type: ignore[attr-defined]
