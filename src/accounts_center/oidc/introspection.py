"""RFC 7662 token introspection for member apps: an app may introspect only tokens issued
to itself; anything else, and any token that is expired, revoked, rotated or whose link is
gone, reads ``{"active": false}`` (SECURITY-CHECKLIST 11, 17)."""

from __future__ import annotations

from typing import Any

from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from accounts_center.crypto.tokens import digest
from accounts_center.domain.policy import own_account_claims
from accounts_center.oidc.grants import grant_user_for, uow_of
from accounts_center.oidc.models import AUTH_METHODS, TokenRecord
from accounts_center.oidc.parameters import require_token

# RFC 7662's token_type is an access token type (RFC 6749 §5.1, the IANA "OAuth Access
# Token Types" registry). A refresh token has none: RFC 8693 §2.2.1 registered "N_A" for
# a token that is not an access token.
BEARER = "Bearer"
NOT_APPLICABLE = "N_A"


class HubIntrospectionEndpoint(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def check_params(self, request: Any, client: Any) -> None:
        require_token(request)

    def authenticate_token(self, request: Any, client: Any) -> TokenRecord | None:
        self._request = request
        token: TokenRecord | None = super().authenticate_token(request, client)
        return token

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        uow = uow_of(self._request)
        by_refresh = uow.oauth.token_by_refresh(digest(token_string))
        if by_refresh is not None:
            # A refresh token is active until it is rotated, revoked or expires.
            if by_refresh.rotated_at is not None:
                return None
            return TokenRecord(by_refresh, refresh=True)
        row = uow.oauth.token_by_access(digest(token_string))
        return TokenRecord(row) if row is not None else None

    def create_introspection_payload(self, token: TokenRecord | None) -> dict[str, Any]:
        # Expiry by the hub's clock (Authlib's default asks the wall clock).
        if token is None or token.row.revoked_at is not None:
            return {"active": False}
        expires_at = (token.row.refresh_expires_at if token.refresh
                      else token.row.access_expires_at)
        if expires_at is None or expires_at <= self.server.hub.clock.now():
            return {"active": False}
        return self.introspect_token(token)

    def check_permission(self, token: TokenRecord, client: Any, request: Any) -> bool:
        return token.check_client(client)

    def introspect_token(self, token: TokenRecord) -> dict[str, Any]:
        row = token.row
        user = grant_user_for(uow_of(self._request), row.link_id, row.auth_time)
        if user is None:  # the link was removed: nothing it issued is active
            return {"active": False}
        expires_at = row.refresh_expires_at if token.refresh else row.access_expires_at
        assert expires_at is not None
        return {
            "active": True,
            "client_id": self._request.client.get_client_id(),
            "token_type": NOT_APPLICABLE if token.refresh else BEARER,
            "scope": row.scope,
            **own_account_claims(user.sub, user.app_user_id),
            "aud": self._request.client.get_client_id(),
            "iss": self.server.issuer,
            "iat": int(row.issued_at.timestamp()),
            "exp": int(expires_at.timestamp()),
        }
