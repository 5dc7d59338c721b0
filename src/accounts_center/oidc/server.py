"""Our Authlib AuthorizationServer: clients from the registry, tokens into the store,
responses as Starlette responses."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc9207 import IssuerParameter
from starlette.responses import Response

from accounts_center.crypto.tokens import digest, new_token
from accounts_center.hub import Hub
from accounts_center.oidc.grants import (
    AuthorizationCodeGrant,
    HubOpenIDCode,
    RefreshTokenGrant,
    RequiredS256,
    uow_of,
)
from accounts_center.oidc.introspection import HubIntrospectionEndpoint
from accounts_center.oidc.models import (
    AUTH_METHODS,
    BASIC_CHALLENGE,
    SCOPES,
    HubClient,
    TokenHolder,
    TokenRecord,
)
from accounts_center.oidc.parameters import malformed, require_token
from accounts_center.oidc.requests import HubOAuth2Request
from accounts_center.services.client_cache import cached_client
from accounts_center.store.unit_of_work import UnitOfWork

# The transaction of the request being handled: Authlib's query_client has no request
# argument, and a second transaction on SQLite would wait for the first one forever.
_current_uow: ContextVar[UnitOfWork | None] = ContextVar("current_uow", default=None)
_token_endpoint: ContextVar[bool] = ContextVar("token_endpoint", default=False)

ACCESS_TOKEN_SECONDS = 600
REFRESH_TOKEN_LIFETIME = timedelta(days=30)


class OAuthResponse(Response):
    """A Starlette response with the ``location`` attribute Authlib's hooks edit."""

    @property
    def location(self) -> str | None:
        return self.headers.get("location")

    @location.setter
    def location(self, value: str) -> None:
        self.headers["location"] = value


class HubAuthorizationServer(AuthorizationServer):
    def __init__(self, hub: Hub) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.hub = hub
        self.issuer = hub.settings.issuer
        self.register_token_generator("default", BearerTokenGenerator(
            # 256 and 288 bits from the OS CSPRNG (Authlib's generate_token draws each
            # character separately, a third of a millisecond per response).
            access_token_generator=lambda **_: new_token(32),
            refresh_token_generator=lambda **_: new_token(36),
            expires_generator=lambda client, grant_type: ACCESS_TOKEN_SECONDS))
        self.register_grant(AuthorizationCodeGrant, [RequiredS256(required=True),
                                                     HubOpenIDCode(self)])
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(HubRevocationEndpoint)
        self.register_endpoint(HubIntrospectionEndpoint)
        issuer = self.issuer

        class Issuer(IssuerParameter):
            def get_issuer(self) -> str:
                return issuer

        self.register_extension(Issuer())

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One unit of work that every hook of this request uses."""
        with self.hub.unit_of_work() as uow:
            token = _current_uow.set(uow)
            try:
                yield uow
            finally:
                _current_uow.reset(token)

    # None for an unknown client (Authlib checks for it; its stubs say a client).
    def query_client(self, client_id: str) -> HubClient | None:  # type: ignore[override]
        if not client_id or len(client_id) > 100:
            return None
        uow = _current_uow.get()
        if uow is None:
            with self.transaction():
                return self.query_client(client_id)
        if _token_endpoint.get():
            client: HubClient | None = cached_client(
                self.hub.memo, client_id, lambda: self._load_client(uow, client_id))
            return client
        return self._load_client(uow, client_id)

    @staticmethod
    def _load_client(uow: UnitOfWork, client_id: str) -> HubClient | None:
        key = f"client:{client_id}"
        if key not in uow.memo:
            row = uow.member_apps.client_fields(client_id)
            uow.memo[key] = HubClient(row) if row is not None else None
        client: HubClient | None = uow.memo[key]
        return client

    def create_token_response(self, request: Any = None) -> Any:
        # Authlib would answer a missing grant_type unsupported_grant_type, and use one
        # value of a repeated parameter: both are invalid_request (RFC 6749 §5.2).
        refused = malformed(request, required=("grant_type",))
        if refused is not None:
            return self.handle_error_response(request, refused)
        # Only here may clients come from the short-lived cache: codes and tokens of a
        # removed app are gone with it, so a stale entry can obtain nothing.
        flag = _token_endpoint.set(True)
        try:
            return super().create_token_response(request)
        finally:
            _token_endpoint.reset(flag)

    def create_endpoint_response(self, name: str, request: Any = None) -> Any:
        refused = malformed(request)
        if refused is not None:
            return self.handle_error_response(request, refused)
        return super().create_endpoint_response(name, request)

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        status, body, headers = error(self.get_error_uri(request, error))
        headers = [(k, v) for k, v in headers or [] if k.lower() != "www-authenticate"]
        if error.error == "invalid_client" and status in (400, 401):
            # RFC 6749 §5.2: a client that cannot authenticate gets 401 and the scheme to
            # use; Basic's challenge needs a realm (RFC 7617 §2), which Authlib leaves out.
            status = 401
            headers.append(("WWW-Authenticate", BASIC_CHALLENGE))
        elif status == 401:
            # Only client authentication is a 401 here (Authlib makes unsupported_token_type
            # one, without a challenge).
            status = 400
        return self.handle_response(status, body, headers)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        uow = uow_of(request)
        now = self.hub.clock.now()
        user: TokenHolder = request.user
        previous: TokenRecord | None = getattr(request, "refresh_token", None)
        code = getattr(request, "authorization_code", None)
        uow.oauth.add_token(
            id=str(uuid.uuid4()), access_digest=digest(token["access_token"]),
            refresh_digest=digest(token["refresh_token"]) if token.get("refresh_token") else None,
            family_id=previous.row.family_id if previous else str(uuid.uuid4()),
            code_digest=code.row.code_digest if code is not None else None,
            app_id=request.client.id, identity_id=user.identity_id, link_id=user.link_id,
            scope=token.get("scope", ""), auth_time=user.auth_time, issued_at=now,
            access_expires_at=now + timedelta(seconds=int(token["expires_in"])),
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME if token.get("refresh_token")
            else None, rotated_at=None, revoked_at=None)

    def create_oauth2_request(self, request: Any) -> HubOAuth2Request:
        assert isinstance(request, HubOAuth2Request)
        return request

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        content = json.dumps(body) if isinstance(body, dict) else (body or "")
        response = OAuthResponse(content, status_code=status)
        for name, value in headers or []:
            response.headers[name] = value
        if isinstance(body, dict):
            response.headers["content-type"] = "application/json"
        response.headers["cache-control"] = "no-store"
        return response

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class HubRevocationEndpoint(RevocationEndpoint):
    """RFC 7009: 200 for unknown tokens; a client cannot revoke another's (CHECKLIST 17)."""

    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def check_params(self, request: Any, client: Any) -> None:
        require_token(request)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        uow = uow_of(self._request)
        row = (uow.oauth.token_by_refresh(digest(token_string))
               or uow.oauth.token_by_access(digest(token_string)))
        return TokenRecord(row) if row is not None else None

    def revoke_token(self, token: TokenRecord, request: Any) -> None:
        uow = uow_of(request)
        now = self.server.hub.clock.now()
        # Revoking a refresh token ends its whole grant (the rotation family). An access
        # token ends with the refresh token issued beside it (one grant row): RFC 7009 §2.1
        # lets the server revoke related tokens, and an app revoking access wants out.
        if token.row.refresh_digest and token.row.refresh_digest == digest(
                request.form.get("token", "")):
            uow.oauth.revoke_where(now, family_id=token.row.family_id)
        else:
            uow.oauth.revoke_where(now, token_id=token.row.id)

    def authenticate_token(self, request: Any, client: Any) -> TokenRecord | None:
        self._request = request
        self.check_params(request, client)
        token = self.query_token(request.form["token"], request.form.get("token_type_hint"))
        # Another client's token is treated as unknown: not revoked, nothing revealed.
        return token if token is not None and token.check_client(client) else None
