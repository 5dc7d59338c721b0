"""What Authlib's grants see: our member apps, codes and tokens behind its mixins."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin as OIDCCodeMixin

from accounts_center.crypto.tokens import same_digest

SCOPES = ("openid", "offline_access")
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
# The protection space of every endpoint that authenticates apps or their tokens; a
# challenge without one is not a valid Basic or Bearer challenge (RFC 7617 §2, RFC 6750 §3).
REALM = "accounts-center"
BASIC_CHALLENGE = f'Basic realm="{REALM}"'


@dataclass(frozen=True)
class TokenHolder:
    """Whom a token is issued to: a person through one of their links."""

    identity_id: str
    link_id: str
    auth_time: int


@dataclass(frozen=True)
class GrantUser(TokenHolder):
    """The person as one app knows them: its pairwise sub and its own user id."""

    app_user_id: str
    sub: str


class ClientFields(Protocol):
    id: str
    client_id: str
    name: str
    redirect_uris: list[str]
    subject_salt: str
    client_secret_digest: str


class CodeFields(Protocol):
    code_digest: str
    link_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    auth_time: int


class TokenFields(Protocol):
    id: str
    app_id: str
    identity_id: str
    link_id: str
    family_id: str
    refresh_digest: str | None
    scope: str
    auth_time: int
    issued_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    rotated_at: datetime | None
    revoked_at: datetime | None


class HubClient(ClientMixin):
    def __init__(self, row: ClientFields) -> None:
        self.id = row.id
        self.client_id = row.client_id
        self.name = row.name
        self.redirect_uris = list(row.redirect_uris)
        self.subject_salt = row.subject_salt
        self._secret_digest = row.client_secret_digest

    def get_client_id(self) -> str:
        return self.client_id

    # Authlib takes None here (its stubs say str): the request must name its redirect_uri,
    # matched exactly.
    def get_default_redirect_uri(self) -> str | None:  # type: ignore[override]
        return None

    def get_allowed_scope(self, scope: Collection[str] | str) -> str:
        names = scope.split() if isinstance(scope, str) else list(scope or ())
        return " ".join(s for s in names if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string match: no prefix, path extension, case change or added query
        # (SECURITY-CHECKLIST 3).
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return same_digest(client_secret, self._secret_digest)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class CodeRecord(OIDCCodeMixin):
    def __init__(self, row: CodeFields) -> None:
        self.row = row

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce

    def get_auth_time(self) -> int:
        return self.row.auth_time

    # No acr or amr claims (Authlib omits a claim whose value is None; its stubs say str).
    def get_acr(self) -> None:  # type: ignore[override]
        return None

    def get_amr(self) -> None:  # type: ignore[override]
        return None


class TokenRecord(TokenMixin):
    """A token row as Authlib sees it: the access token, or with ``refresh`` the refresh
    token issued beside it."""

    def __init__(self, row: TokenFields, *, refresh: bool = False) -> None:
        self.row = row
        self.refresh = refresh

    def check_client(self, client: HubClient) -> bool:
        return self.row.app_id == client.id

    def get_scope(self) -> str:
        return self.row.scope

    def _expires_at(self) -> datetime:
        if self.refresh and self.row.refresh_expires_at is not None:
            return self.row.refresh_expires_at
        return self.row.access_expires_at

    def get_expires_in(self) -> int:
        return max(0, int(self._expires_at().timestamp() - time.time()))

    def is_expired(self) -> bool:
        return self._expires_at().timestamp() <= time.time()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None
