"""A stand-in hub over httpx.MockTransport, for what the SDK must check on its own:
ID tokens (signature, issuer, audience, nonce, expiry, key rotation), callbacks and the
mapping of errors. The real hub is exercised in the hub's suite (tests/sdk/)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

T = TypeVar("T")


def run_on_its_own_loop(flow: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread: Playwright's sync API keeps a loop running in this one
    when browser tests ran earlier in the session."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, flow).result()

ISSUER = "https://hub.test"
CLIENT_ID = "app_chat"
REDIRECT_URI = "https://chat.test/callback"


_FIRST_KEY: list[RSAKey] = []


def first_key() -> RSAKey:
    """One 2048-bit key for every stand-in hub: making one takes a tenth of a second."""
    if not _FIRST_KEY:
        _FIRST_KEY.append(RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    return _FIRST_KEY[0]


@dataclass
class FakeHub:
    keys: list[RSAKey] = field(default_factory=lambda: [first_key()])
    signing_kid: str = "k1"
    now: float = field(default_factory=time.time)
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> claims
    requests: list[httpx.Request] = field(default_factory=list)
    claim_overrides: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, httpx.Response] = field(default_factory=dict)  # path -> canned

    def rotate(self, kid: str) -> None:
        """Publish a new key and sign with it from now on."""
        self.keys.append(RSAKey.generate_key(2048, parameters={"kid": kid}))
        self.signing_kid = kid

    def code_for(self, authorization_url: str, app_user_id: str = "u1") -> str:
        params = {k: v[0] for k, v in parse_qs(urlsplit(authorization_url).query).items()}
        code = f"code-{len(self.issued)}"
        self.issued[code] = {"nonce": params.get("nonce"), "app_user_id": app_user_id}
        return code

    def id_token(self, nonce: str | None, app_user_id: str) -> str:
        key = next(k for k in self.keys if k.kid == self.signing_kid)
        claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "pairwise-sub",
                  "iat": int(self.now), "exp": int(self.now) + 600,
                  "app_user_id": app_user_id, **({"nonce": nonce} if nonce else {}),
                  **self.claim_overrides}
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().split("?")[0]
        if path in self.answers:
            return self.answers[path]
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/oauth2/authorize",
                "token_endpoint": f"{ISSUER}/oauth2/token", "jwks_uri": f"{ISSUER}/jwks",
                "pushed_authorization_request_endpoint": f"{ISSUER}/oauth2/par",
                "revocation_endpoint": f"{ISSUER}/oauth2/revoke",
                "authorization_response_iss_parameter_supported": True})
        if path == "/jwks":
            return httpx.Response(200, json={"keys": [k.as_dict(private=False)
                                                      for k in self.keys]})
        if path == "/oauth2/token":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            grant = self.issued.pop(form.get("code", ""), None)
            if grant is None:
                return httpx.Response(400, json={"error": "invalid_grant",
                                                 "error_description": "code spent"})
            return httpx.Response(200, json={
                "access_token": "at", "token_type": "Bearer", "expires_in": 600,
                "refresh_token": "rt", "scope": "openid",
                "id_token": self.id_token(grant["nonce"], grant["app_user_id"])})
        if path == "/oauth2/par":
            return httpx.Response(201, json={"request_uri": "urn:ietf:params:oauth:"
                                             "request_uri:abc", "expires_in": 90})
        return httpx.Response(404, json={"title": "Not Found"},
                              headers={"content-type": "application/problem+json"})

    def jwks_fetches(self) -> int:
        return sum(1 for r in self.requests if r.url.path == "/jwks")


def problem(status: int, kind: str, **extra: Any) -> httpx.Response:
    body = {"type": f"https://accounts-center.dev/problems/{kind}", "title": kind,
            "status": status, **extra}
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"content-type": "application/problem+json"})
