"""OpenID Connect Back-Channel Logout 1.0: when a person removes an app account, the hub
tells the app's backend, with a signed logout token, to end that person's sessions. The
logout goes through the outbox (`services/sharing.py` writes it beside the app's
`account.unlinked`); the delivery worker signs the token here as it sends it."""

from __future__ import annotations

import uuid

from joserfc import jwt

from accounts_center.hub import Hub
from accounts_center.services.signing_keys import ALGORITHM, active_signing_key

EVENT = "http://schemas.openid.net/event/backchannel-logout"
TOKEN_SECONDS = 120


def logout_token(hub: Hub, client_id: str, sub: str) -> str:
    key = active_signing_key(hub)
    now = int(hub.clock.now().timestamp())
    claims = {"iss": hub.settings.issuer, "aud": client_id, "iat": now,
              "exp": now + TOKEN_SECONDS, "jti": str(uuid.uuid4()), "sub": sub,
              "events": {EVENT: {}}}
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "logout+jwt"}, claims,
                      key.private, algorithms=[ALGORITHM])
