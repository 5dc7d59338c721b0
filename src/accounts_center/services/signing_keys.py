"""ID-token signing keys: kept in the database (private parts sealed with the secret key),
rotated by `accounts-center keys rotate`. A new key is published in JWKS before it signs,
and an old one stays published until all it signed expired (`domain/key_schedule.py`;
SECURITY-CHECKLIST 12, 13, 49)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from accounts_center.crypto.tokens import new_token
from accounts_center.domain.key_schedule import (
    JWKS_MAX_AGE_SECONDS,
    KeyTimes,
    Phase,
    new_key_signs_from,
    retirement,
    signing_at,
)
from accounts_center.hub import Hub
from accounts_center.store.oauth_models import SigningKeyRow
from accounts_center.store.unit_of_work import UnitOfWork

__all__ = ["ALGORITHM", "JWKS_MAX_AGE_SECONDS", "SigningKey", "active_signing_key",
           "list_signing_keys", "published_jwks", "rotate_signing_key", "verification_keys"]

ALGORITHM = "RS256"
KEY_BITS = 2048
# How long a process signs from what it read of the keys. Far shorter than the
# pre-publication, so every process knows a new key well before it is due.
CACHE_SECONDS = 30.0
_MEMO = "signing_keys"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    # Every key this process may sign with, not only kid's: Authlib asks for the header
    # (with kid) and for the key separately, and should a successor fall due between the
    # two calls, joserfc still signs with the key the header names.
    private: KeySet


@dataclass(frozen=True)
class RotatedKey:
    kid: str
    signs_from: datetime
    at_once: bool  # the hub had no signing key


@dataclass(frozen=True)
class _Schedule:
    times: tuple[tuple[str, KeyTimes], ...]  # kid → when it signs
    keys: KeySet


def _times(row: SigningKeyRow) -> KeyTimes:
    return KeyTimes(row.signs_from, row.retired_at, row.publish_until)


def rotate_signing_key(hub: Hub) -> RotatedKey:
    """A new key, published at once; it signs once apps' cached key sets hold it (at once
    on a hub that has no signing key yet). Until then the current key signs."""
    new = _new_key(hub)  # RSA key generation takes a while: outside the transaction
    with hub.unit_of_work() as uow:
        rotated = _add_key(uow, new, hub.clock.now())
        uow.commit()
    hub.memo.pop(_MEMO, None)
    return rotated


def _new_key(hub: Hub) -> SigningKeyRow:
    """A key not placed yet: `_add_key` says when it signs."""
    kid = new_token(12)
    key = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})
    return SigningKeyRow(
        kid=kid, alg=ALGORITHM, public_jwk=dict(key.as_dict(private=False)),
        private_jwk_sealed=hub.secret_box.seal(_json(key.as_dict(private=True))))


def _add_key(uow: UnitOfWork, new: SigningKeyRow, now: datetime) -> RotatedKey:
    current = [row for row in uow.oauth.signing_keys() if row.retired_at is None]
    signs_from = new_key_signs_from(now, a_key_signs=bool(current))
    for row in current:  # the signing key, and any successor not due yet
        row.retired_at, row.publish_until = retirement(signs_from)
    new.created_at, new.signs_from = now, signs_from
    uow.oauth.add_key(new)
    return RotatedKey(new.kid, signs_from, at_once=not current)


def active_signing_key(hub: Hub, *, cached_ok: bool = False,
                       uow: UnitOfWork | None = None) -> SigningKey:
    """The key that signs now. ``cached_ok`` (inside a transaction): any cached key set,
    even one past its 30 s refresh, rather than opening a second transaction; ``uow``:
    read through the caller's transaction when nothing is cached (a second one would wait
    for the first on SQLite). A key falling due takes over at its moment, cached or not:
    the cache holds it from publication on."""
    cached = hub.memo.get(_MEMO)
    if cached and (cached_ok or uow is not None or cached[1] > time.monotonic()):
        schedule: _Schedule = cached[0]
    elif uow is not None:
        schedule = _schedule_in(hub, uow)
    else:
        with hub.unit_of_work() as own:
            rows = _schedule_rows(own, hub.clock.now())
        if not rows:
            rotate_signing_key(hub)  # a fresh hub: its first key signs at once
            return active_signing_key(hub)
        schedule = _schedule(hub, rows)
        hub.memo[_MEMO] = (schedule, time.monotonic() + CACHE_SECONDS)
    return SigningKey(signing_at(schedule.times, hub.clock.now()), schedule.keys)


def _schedule_in(hub: Hub, uow: UnitOfWork) -> _Schedule:
    rows = _schedule_rows(uow, hub.clock.now())
    if rows:
        schedule = _schedule(hub, rows)
        hub.memo[_MEMO] = (schedule, time.monotonic() + CACHE_SECONDS)
        return schedule
    # A fresh hub's first key, made in the caller's transaction; not cached, since that
    # transaction may still roll back.
    _add_key(uow, _new_key(hub), hub.clock.now())
    return _schedule(hub, _schedule_rows(uow, hub.clock.now()))


_Row = tuple[str, KeyTimes, str]


def _schedule_rows(uow: UnitOfWork, now: datetime) -> list[_Row]:
    """Keys that sign now or will: a signer must hold each of them."""
    return [(row.kid, _times(row), row.private_jwk_sealed)
            for row in uow.oauth.signing_keys() if _times(row).may_sign_after(now)]


def _schedule(hub: Hub, rows: list[_Row]) -> _Schedule:
    opened: dict[str, RSAKey] = hub.memo.setdefault("signing_key_objects", {})
    for kid, _, sealed in rows:
        if kid not in opened:
            opened[kid] = RSAKey.import_key(json.loads(hub.secret_box.open(sealed)))
    return _Schedule(tuple((kid, times) for kid, times, _ in rows),
                     KeySet([opened[kid] for kid, _, _ in rows]))


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


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "?"


def _state(times: KeyTimes, now: datetime) -> str:
    phase = times.phase(now)
    if phase is Phase.PENDING:
        return f"published, signs from {_when(times.signs_from)}"
    if phase is Phase.RETIRING:
        return (f"signing until {_when(times.retired_at)}, then published until "
                f"{_when(times.publish_until)}")
    if phase is Phase.PUBLISHED:
        return f"published until {_when(times.publish_until)}"
    return str(phase.value)  # signing | expired


def list_signing_keys(hub: Hub) -> list[SigningKeyInfo]:
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        return [SigningKeyInfo(r.kid, r.alg, r.created_at, _state(_times(r), now))
                for r in uow.oauth.signing_keys()]


def published_jwks(hub: Hub) -> dict[str, Any]:
    """Keys that sign, will sign, or signed tokens that may not have expired yet."""
    active_signing_key(hub)  # a fresh hub publishes a key before its first sign-in
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        return {"keys": [dict(r.public_jwk) for r in uow.oauth.signing_keys()
                         if _times(r).is_published(now)]}


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
