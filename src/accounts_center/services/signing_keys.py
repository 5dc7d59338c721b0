"""ID-token signing keys: kept in the database (private parts sealed with the secret key),
rotated by `accounts-center keys rotate`, published in JWKS until all they signed expired
(SECURITY-CHECKLIST 12, 13, 49)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from accounts_center.crypto.tokens import new_token
from accounts_center.hub import Hub
from accounts_center.store.oauth_models import SigningKeyRow
from accounts_center.store.unit_of_work import UnitOfWork

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
    new = _new_key(hub, now)
    with hub.unit_of_work() as uow:
        for row in uow.oauth.signing_keys():
            if row.retired_at is None:
                row.retired_at = now
                row.publish_until = now + SIGNED_LIFETIME + PUBLISH_LEEWAY
        uow.oauth.add_key(new)
        uow.commit()
    hub.memo.pop("signing_key", None)
    return new.kid


def _new_key(hub: Hub, now: datetime) -> SigningKeyRow:
    kid = new_token(12)
    key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    return SigningKeyRow(
        kid=kid, alg=ALGORITHM, public_jwk=dict(key.as_dict(private=False)),
        private_jwk_sealed=hub.secret_box.seal(_json(key.as_dict(private=True))),
        created_at=now)


def active_signing_key(hub: Hub, *, cached_ok: bool = False,
                       uow: UnitOfWork | None = None) -> SigningKey:
    """The key that signs now. ``cached_ok`` (inside a transaction): any cached key, even
    one past its 30 s refresh, rather than opening a second transaction; ``uow``: read
    through the caller's transaction when nothing is cached (a second one would wait for
    the first on SQLite)."""
    cached = hub.memo.get("signing_key")
    if cached and (cached_ok or uow is not None or cached[1] > time.monotonic()):
        return cached[0]  # type: ignore[no-any-return]
    if uow is not None:
        sealed = _active_key_fields(uow)
        if sealed is None:
            # A fresh hub's first key, made in the caller's transaction (which must
            # commit), and not remembered: should that transaction roll back, the key is
            # gone, and the next caller makes another.
            row = _new_key(hub, hub.clock.now())
            uow.oauth.add_key(row)
            return SigningKey(row.kid, RSAKey.import_key(
                json.loads(hub.secret_box.open(row.private_jwk_sealed))))
        return _remember(hub, *sealed)
    with hub.unit_of_work() as uow:
        sealed = _active_key_fields(uow)
    if sealed is None:
        rotate_signing_key(hub)
        return active_signing_key(hub)
    return _remember(hub, *sealed)


def _active_key_fields(uow: UnitOfWork) -> tuple[str, str] | None:
    active = next((r for r in uow.oauth.signing_keys() if r.retired_at is None), None)
    return (active.kid, active.private_jwk_sealed) if active else None


def _remember(hub: Hub, kid: str, sealed: str) -> SigningKey:
    found = SigningKey(kid, RSAKey.import_key(json.loads(hub.secret_box.open(sealed))))
    hub.memo["signing_key"] = (found, time.monotonic() + CACHE_SECONDS)
    return found


def verification_keys(hub: Hub, uow: UnitOfWork) -> KeySet:
    """Every signing key the hub ever had, public parts, for checking what it signed long
    ago (ledger receipts do not expire). Only keys whose sealed private part opens with
    the hub's secret key count: a key someone wrote into the database is not the hub's."""
    trusted: dict[str, RSAKey] = hub.memo.setdefault("verification_keys", {})
    for row in uow.oauth.signing_keys():
        if row.kid in trusted:
            continue
        try:
            private = RSAKey.import_key(json.loads(hub.secret_box.open(row.private_jwk_sealed)))
        except ValueError:
            continue
        public = dict(private.as_dict(private=False))
        if all(public.get(name) == row.public_jwk.get(name) for name in ("n", "e")):
            trusted[row.kid] = RSAKey.import_key({**public, "kid": row.kid})
    return KeySet(list(trusted.values()))


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
