"""Authlib grants wired to our store: authorization code (+ PKCE S256, + OpenID Connect)
and refresh token with rotation and reuse detection (SECURITY-CHECKLIST 2, 5, 6, 10)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from authlib.oauth2.rfc6749 import InvalidGrantError, InvalidRequestError, TokenMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode

from accounts_center.crypto.tokens import digest, new_token
from accounts_center.domain.errors import LinkConflict
from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.domain.policy import own_account_claims
from accounts_center.oidc.models import (
    AUTH_METHODS,
    CodeRecord,
    GrantUser,
    HubClient,
    TokenHolder,
    TokenRecord,
)
from accounts_center.services.links import activate_link
from accounts_center.services.signing_keys import ALGORITHM, active_signing_key
from accounts_center.store.unit_of_work import UnitOfWork

CODE_LIFETIME = timedelta(seconds=60)
ID_TOKEN_SECONDS = 600


def uow_of(request: Any) -> UnitOfWork:
    uow: UnitOfWork = request.uow
    return uow


def grant_user_for(uow: UnitOfWork, link_id: str, auth_time: int, *,
                   pending_ok: bool = False) -> GrantUser | None:
    """The person behind an active link (or, with ``pending_ok``, one confirmed and
    waiting for its code to be redeemed); None once the link is removed."""
    link = uow.links.active_with_subject_salt(link_id)
    if link is None and pending_ok:
        link = uow.links.pending_with_subject_salt(link_id)
    return grant_user_of(link, auth_time) if link is not None else None


def grant_user_of(link: Any, auth_time: int) -> GrantUser:
    """From a row with a link's id, identity_id and app_user_id and its app's subject_salt."""
    return GrantUser(identity_id=link.identity_id, link_id=link.id, auth_time=auth_time,
                     app_user_id=link.app_user_id,
                     sub=pairwise_subject(link.subject_salt, link.identity_id))


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def generate_authorization_code(self) -> str:
        return new_token(32)  # Authlib's draws each character separately

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        user: GrantUser = request.user
        now = self.server.hub.clock.now()
        uow_of(request).oauth.add_code(
            code_digest=digest(code), app_id=request.client.id, identity_id=user.identity_id,
            link_id=user.link_id, redirect_uri=data["redirect_uri"],
            scope=request.scope or "", nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data.get("code_challenge_method", "S256"),
            auth_time=user.auth_time, created_at=now, expires_at=now + CODE_LIFETIME,
            used_at=None)

    def query_authorization_code(self, code: str, client: Any) -> CodeRecord | None:
        uow = uow_of(self.request)
        now = self.server.hub.clock.now()
        row = uow.oauth.claim_code(digest(code), client.id, now)
        if row is not None:
            return CodeRecord(row)
        spent = uow.oauth.code(digest(code))
        if spent is not None and spent.used_at is not None and spent.app_id == client.id:
            # A replayed code: whoever holds it may be an attacker, so everything issued
            # from it stops working too (RFC 9700 §4.5, CHECKLIST 6).
            uow.oauth.revoke_where(now, code_digest=spent.code_digest)
        return None

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        pass  # spent atomically when it was claimed

    def authenticate_user(self, authorization_code: CodeRecord) -> GrantUser | None:
        # Authlib asks only once the code, client, redirect URI and PKCE verifier have
        # all been checked: only now may a confirmed link become active (CHECKLIST 18).
        row = authorization_code.row
        uow = uow_of(self.request)
        try:
            link = activate_link(uow, self.server.hub, row.link_id, self.server.hub.clock.now())
        except LinkConflict as conflict:
            raise InvalidGrantError(conflict.detail) from None
        if link is None:
            return None
        return grant_user_for(uow, link.id, row.auth_time)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    # None refuses the token (Authlib checks truthiness; its stubs say a token is returned).
    def authenticate_refresh_token(  # type: ignore[override]
            self, refresh_token: str) -> TokenRecord | None:
        uow = uow_of(self.request)
        now = self.server.hub.clock.now()
        client = cast(HubClient, self.request.client)
        row = uow.oauth.rotate_refresh(digest(refresh_token), client.id, now)
        if row is not None:
            return TokenRecord(row)
        used = uow.oauth.token_by_refresh(digest(refresh_token))
        if used is not None and used.app_id == client.id and used.rotated_at is not None:
            # Reuse of a rotated refresh token: revoke the whole family (CHECKLIST 10).
            uow.oauth.revoke_where(now, family_id=used.family_id)
        return None

    def authenticate_user(self, refresh_token: TokenRecord) -> TokenHolder:
        # rotate_refresh only spends tokens whose link is active; a refresh response
        # carries no ID token, so the link's details are not needed here.
        row = refresh_token.row
        return TokenHolder(row.identity_id, row.link_id, row.auth_time)

    def revoke_old_credential(self, refresh_token: TokenMixin) -> None:
        pass  # rotated atomically when it was presented


class RequiredS256(CodeChallenge):
    """PKCE for every client, S256 only (SECURITY-CHECKLIST 2)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with "
                                      "code_challenge_method=S256.",
                                      redirect_uri=redirect_uri)
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.",
                                      redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: CodeRecord) -> str:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: CodeRecord) -> str:
        return authorization_code.row.code_challenge_method


class HubOpenIDCode(OpenIDCode):
    DEFAULT_EXPIRES_IN = ID_TOKEN_SECONDS

    def __init__(self, server: Any) -> None:
        super().__init__(require_nonce=False)
        self.server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # codes are single use and PKCE-bound; the RP checks its own nonce

    def generate_user_info(self, user: GrantUser, scope: str) -> UserInfo:
        return UserInfo(own_account_claims(user.sub, user.app_user_id))

    def resolve_client_private_key(self, client: Any) -> Any:
        return active_signing_key(self.server.hub, cached_ok=True).private

    def get_client_algorithm(self, client: Any) -> str:
        return ALGORITHM

    def get_encode_header(self, client: Any) -> dict[str, str]:
        key = active_signing_key(self.server.hub, cached_ok=True)
        return {"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        return {"iss": self.server.issuer, "aud": client.get_client_id()}
