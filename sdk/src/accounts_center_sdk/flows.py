"""What an app keeps between sending a browser to the hub and its coming back.

``Pending`` holds the secrets of one authorization request (state, nonce, PKCE verifier):
keep it in *this* browser's session on the app's side, server-side or in a signed and
encrypted cookie, never in a URL. ``finish`` accepts a callback only with its state.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from authlib.common.security import generate_token

from accounts_center_sdk.errors import CallbackRejected

Intent = Literal["link", "sign_in"]
# The hub's pushed requests live 90 s and its codes 60 s; a person may take a while to
# log in or sign up in between, but a pending request older than this is not coming back.
PENDING_LIFETIME_SECONDS = 30 * 60


@dataclass(frozen=True)
class Pending:
    intent: Intent
    state: str
    nonce: str
    code_verifier: str
    created_at: float
    app_user_id: str | None = None  # for "link": the app's user who started it

    @classmethod
    def new(cls, intent: Intent, now: float, app_user_id: str | None = None) -> Pending:
        return cls(intent, generate_token(32), generate_token(32), generate_token(64), now,
                   app_user_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Pending:
        """The pending request kept in the session; CallbackRejected if it is not one."""
        try:
            raw = json.loads(text)
            pending = cls(**raw)
        except (ValueError, TypeError) as error:
            raise CallbackRejected("the pending request kept in the session is not one "
                                   "this SDK wrote") from error
        if pending.intent not in ("link", "sign_in") or not all(
                isinstance(v, str) and v for v in
                (pending.state, pending.nonce, pending.code_verifier)) or not isinstance(
                pending.created_at, int | float) or isinstance(pending.created_at, bool) or (
                pending.app_user_id is not None and not isinstance(pending.app_user_id, str)):
            raise CallbackRejected("the pending request kept in the session is malformed")
        return pending

    def expired(self, now: float) -> bool:
        return not 0 <= now - self.created_at <= PENDING_LIFETIME_SECONDS


@dataclass(frozen=True)
class Authorization:
    """Send the browser to ``url`` (a 303), and keep ``pending`` in its session."""

    url: str
    pending: Pending


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    id_token: str | None
    expires_at: float  # seconds since the epoch
    scope: str = ""

    def expired(self, now: float | None = None, margin: float = 30.0) -> bool:
        return (time.time() if now is None else now) >= self.expires_at - margin

    @classmethod
    def from_response(cls, body: dict[str, Any], now: float) -> Tokens:
        try:
            return cls(access_token=str(body["access_token"]),
                       refresh_token=body.get("refresh_token"),
                       id_token=body.get("id_token"),
                       expires_at=now + float(body.get("expires_in", 0)),
                       scope=str(body.get("scope", "")))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError("the hub's token answer has no usable access_token") from error


@dataclass(frozen=True)
class SignedIn:
    """The person the hub vouched for: ``app_user_id`` is which of the app's users it is,
    ``sub`` the person's pairwise subject at this app (stable, unique to this app)."""

    intent: Intent
    sub: str
    app_user_id: str
    tokens: Tokens
    claims: dict[str, Any] = field(default_factory=dict)
