"""OpenID Connect Back-Channel Logout 1.0: when a person removes an app account, the hub
tells the app's backend, with a signed logout token, to end that person's sessions."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

import httpx
from joserfc import jwt

from accounts_center.hub import Hub
from accounts_center.services.signing_keys import ALGORITHM, active_signing_key

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_SECONDS = 120
TIMEOUT_SECONDS = 5.0
log = logging.getLogger("accounts_center.backchannel_logout")

Transport = Callable[[str, str], None]


def logout_token(hub: Hub, client_id: str, sub: str) -> str:
    key = active_signing_key(hub)
    now = int(hub.clock.now().timestamp())
    claims = {"iss": hub.settings.public_url.rstrip("/"), "aud": client_id, "iat": now,
              "exp": now + TOKEN_SECONDS, "jti": str(uuid.uuid4()), "sub": sub,
              "events": {EVENT: {}}}
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "logout+jwt"}, claims,
                      key.private, algorithms=[ALGORITHM])


def send_logout(hub: Hub, uri: str, client_id: str, sub: str) -> None:
    """Sends in the background: the person's click never waits on the app."""
    token = logout_token(hub, client_id, sub)
    transport: Transport = hub.memo.get("backchannel_transport", _post_in_background)
    transport(uri, token)


def _post_in_background(uri: str, token: str) -> None:
    def post() -> None:
        try:
            # No redirects are followed: the registered URI is the only destination.
            httpx.post(uri, data={"logout_token": token}, timeout=TIMEOUT_SECONDS,
                       follow_redirects=False)
        except httpx.HTTPError as error:
            log.warning("back-channel logout to %s failed: %s", uri, type(error).__name__)

    threading.Thread(target=post, name="backchannel-logout", daemon=True).start()
