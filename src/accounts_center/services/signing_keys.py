"""ID-token signing keys: kept in the database (private parts sealed with the secret key),
rotated by `accounts-center keys rotate`, published in JWKS until all they signed expired
(SECURITY-CHECKLIST 12, 13, 49)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc.jwk import RSAKey

from accounts_center.crypto.tokens import new_token
from accounts_center.hub import Hub
from accounts_center.store.oauth_models import SigningKeyRow

ALGORITHM = "RS256"
KEY_BITS = 2048
# The longest-lived thing a key signs (ID tokens), plus clock-skew leeway.
SIGNED_LIFETIME = timedelta(minutes=10)
PUBLISH_LEEWAY = timedelta(minutes=5)
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: RSAKey


def rotate_signing_key(hub: Hub) -> str:
    """A new key signs from now on; the old one stays published until its tokens expire."""
    now = hub.clock.now()
    kid = new_token(12)
    key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    with hub.unit_of_work() as uow:
        for row in uow.oauth.signing_keys():
            if row.retired_at is None:
                row.retired_at = now
                row.publish_until = now + SIGNED_LIFETIME + PUBLISH_LEEWAY
        uow.oauth.add_key(SigningKeyRow(
            kid=kid, alg=ALGORITHM, public_jwk=dict(key.as_dict(private=False)),
            private_jwk_sealed=hub.secret_box.seal(_json(key.as_dict(private=True))),
            created_at=now))
        uow.commit()
    hub.memo.pop("signing_key", None)
    return kid


def active_signing_key(hub: Hub, *, cached_ok: bool = False) -> SigningKey:
    """The key that signs now. ``cached_ok`` (inside a transaction): any cached key, even
    one past its 30 s refresh, rather than opening a second transaction."""
    cached = hub.memo.get("signing_key")
    if cached and (cached_ok or cached[1] > time.monotonic()):
        return cached[0]  # type: ignore[no-any-return]
    with hub.unit_of_work() as uow:
        active = next((r for r in uow.oauth.signing_keys() if r.retired_at is None), None)
        sealed = (active.kid, active.private_jwk_sealed) if active else None
    if sealed is None:
        rotate_signing_key(hub)
        return active_signing_key(hub)
    key = RSAKey.import_key(json.loads(hub.secret_box.open(sealed[1])))
    found = SigningKey(sealed[0], key)
    hub.memo["signing_key"] = (found, time.monotonic() + CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class SigningKeyInfo:
    kid: str
    alg: str
    created_at: datetime
    state: str


def list_signing_keys(hub: Hub) -> list[SigningKeyInfo]:
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        return [SigningKeyInfo(r.kid, r.alg, r.created_at,
                               "signing" if r.retired_at is None else
                               f"published until {r.publish_until:%Y-%m-%d %H:%M}"
                               if r.publish_until and r.publish_until > now else "expired")
                for r in uow.oauth.signing_keys()]


def published_jwks(hub: Hub) -> dict[str, Any]:
    active_signing_key(hub)  # a fresh hub publishes a key before its first sign-in
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        return {"keys": [dict(r.public_jwk) for r in uow.oauth.signing_keys()
                         if r.retired_at is None or (r.publish_until and r.publish_until > now)]}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
