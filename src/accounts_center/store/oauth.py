"""Repository of the OpenID provider's state: keys, pending requests, codes, tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.orm import Session

from accounts_center.store.base import AnyRow, storable, table_of
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE
from accounts_center.store.oauth_models import (
    AuthorizationCodeRow,
    AuthorizationRequestRow,
    OAuthTokenRow,
    SigningKeyRow,
)

_TOKENS = table_of(OAuthTokenRow)
_LINKS = table_of(LinkedAccountRow)

# The token endpoint's hot path, as Core statements built once: no ORM identity map, no
# per-call statement construction (SQLAlchemy caches their compiled form).
_INSERT_TOKEN = insert(_TOKENS)
_ROTATE_REFRESH = (
    update(_TOKENS)
    .where(_TOKENS.c.refresh_digest == bindparam("digest"),
           _TOKENS.c.app_id == bindparam("app"),
           _TOKENS.c.rotated_at.is_(None), _TOKENS.c.revoked_at.is_(None),
           _TOKENS.c.refresh_expires_at > bindparam("now", type_=_TOKENS.c.rotated_at.type),
           # Only while the link the token was issued for is still active.
           exists().where(and_(_LINKS.c.id == _TOKENS.c.link_id,
                               _LINKS.c.status == ACTIVE)))
    .values(rotated_at=bindparam("now"))
    .returning(*_TOKENS.c))
_CODES = table_of(AuthorizationCodeRow)
_INSERT_CODE = insert(_CODES)
_CLAIM_CODE = (
    update(_CODES)
    .where(_CODES.c.code_digest == bindparam("digest"), _CODES.c.app_id == bindparam("app"),
           _CODES.c.used_at.is_(None),
           _CODES.c.expires_at > bindparam("now", type_=_CODES.c.used_at.type))
    .values(used_at=bindparam("now"))
    .returning(*_CODES.c))


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
    def add_code(self, **values: Any) -> None:
        """One new authorization code (the columns of ``authorization_codes``)."""
        self._session.connection().execute(_INSERT_CODE, values)

    def claim_code(self, code_digest: str, app_id: str, now: datetime) -> AnyRow | None:
        """Marks a live code used and returns its row; None when unknown, expired, used
        or another app's."""
        return self._session.connection().execute(
            _CLAIM_CODE, {"digest": code_digest, "app": app_id, "now": now}).first()

    def code(self, code_digest: str) -> AuthorizationCodeRow | None:
        return self._session.get(AuthorizationCodeRow, code_digest)

    # tokens
    def add_token(self, **values: Any) -> None:
        """One new token row (the columns of ``oauth_tokens`` as keywords)."""
        self._session.connection().execute(_INSERT_TOKEN, values)

    def token_by_access(self, access_digest: str) -> OAuthTokenRow | None:
        return self._session.scalars(select(OAuthTokenRow).where(
            OAuthTokenRow.access_digest == access_digest)).first()

    def token_by_refresh(self, refresh_digest: str) -> OAuthTokenRow | None:
        return self._session.scalars(select(OAuthTokenRow).where(
            OAuthTokenRow.refresh_digest == refresh_digest)).first()

    def rotate_refresh(self, refresh_digest: str, app_id: str,
                       now: datetime) -> AnyRow | None:
        """Spends a live refresh token of an active link, atomically (concurrent reuse
        finds nothing), and returns its row; None when unknown, spent, revoked, expired,
        another app's, or its link is gone."""
        return self._session.connection().execute(
            _ROTATE_REFRESH, {"digest": refresh_digest, "app": app_id, "now": now}).first()

    def revoke_where(self, now: datetime, *, family_id: str | None = None,
                     code_digest: str | None = None, link_id: str | None = None,
                     token_id: str | None = None, identity_id: str | None = None) -> int:
        conditions = []
        if family_id:
            conditions.append(OAuthTokenRow.family_id == family_id)
        if code_digest:
            # Everything issued from the code: its grant, with the rows refreshes added.
            conditions.append(OAuthTokenRow.family_id.in_(select(OAuthTokenRow.family_id)
                                                          .where(OAuthTokenRow.code_digest
                                                                 == code_digest)))
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

    # retention (`services/retention.py` says why each cutoff is what it is)
    def delete_requests_expired_before(self, cutoff: datetime) -> int:
        return _count(self._session.execute(delete(AuthorizationRequestRow).where(
            AuthorizationRequestRow.expires_at < cutoff)))

    def delete_codes_expired_before(self, cutoff: datetime) -> int:
        return _count(self._session.execute(delete(AuthorizationCodeRow).where(
            AuthorizationCodeRow.expires_at < cutoff)))

    def delete_grants_ended_before(self, cutoff: datetime) -> int:
        """Every row of each grant (rotation family) whose head, its one unrotated row,
        was revoked or expired (its refresh token; its access token when it has none)
        before ``cutoff``. Nothing of such a grant works any more."""
        t = _TOKENS
        ended = select(t.c.family_id).where(t.c.rotated_at.is_(None), or_(
            t.c.revoked_at < cutoff,
            t.c.refresh_expires_at < cutoff,
            and_(t.c.refresh_expires_at.is_(None), t.c.access_expires_at < cutoff)))
        return _count(self._session.execute(
            delete(t).where(t.c.family_id.in_(ended))))

    def delete_rotated_expired_before(self, cutoff: datetime) -> int:
        """Rotated rows whose own refresh token expired before ``cutoff``, whatever their
        grant's state."""
        t = _TOKENS
        return _count(self._session.execute(delete(t).where(
            t.c.refresh_expires_at < cutoff, t.c.rotated_at.is_not(None))))


def _count(result: Any) -> int:
    return int(result.rowcount)
