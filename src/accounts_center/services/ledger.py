"""The sharing ledger as use cases: appending (inside the caller's transaction, so an
entry exists exactly when its change does), and verifying a person's chain."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts_center.domain.ledger import (
    GENESIS,
    Entry,
    Verification,
    field_digests,
    next_entry,
    verify,
)
from accounts_center.hub import Hub
from accounts_center.store.unit_of_work import UnitOfWork

# Entries are read back in pages while verifying, so a long ledger needs little memory.
VERIFY_PAGE = 1000


def ledger_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Appended:
    entry: Entry
    digest_key: bytes


def append_entry(uow: UnitOfWork, hub: Hub, identity_id: str, kind: str,
                 body: Mapping[str, Any], now: datetime,
                 values: Mapping[str, Any] | None = None) -> Appended:
    """Appends one entry to the person's chain. ``values`` (field → value) are recorded as
    keyed digests under ``body["fields"]``, never as values.

    Where this process appended the person's last entry it knows the head, and appends in
    one conditional statement; otherwise (or when another process appended meanwhile) it
    locks the head row and reads it first."""
    heads: dict[str, tuple[int, str, bytes]] = hub.memo.setdefault("ledger_heads", {})
    known = heads.get(identity_id)
    if known is not None:
        seq, head_hash, key = known
        entry = _entry(seq, head_hash, key, now, kind, body, values)
        if uow.ledger.append_if_head(identity_id, seq, head_hash, entry.seq, entry.at,
                                     entry.kind, dict(entry.body), entry.hash):
            heads[identity_id] = (entry.seq, entry.hash, key)
            return Appended(entry, key)
    head = uow.ledger.lock_head(identity_id)
    if head is None:
        head = uow.ledger.create_head(identity_id, hub.secret_box.seal(
            base64.b64encode(secrets.token_bytes(32)).decode()))
    key = _digest_key(hub, head.digest_key_sealed)
    entry = _entry(head.seq, head.hash, key, now, kind, body, values)
    uow.ledger.append(identity_id, entry.seq, entry.at, entry.kind, dict(entry.body),
                      entry.prev_hash, entry.hash)
    if len(heads) >= 10_000:
        heads.clear()
    # If this transaction rolls back, the next append finds the head elsewhere and
    # takes the locking path: the cache can be wrong, never harmful.
    heads[identity_id] = (entry.seq, entry.hash, key)
    return Appended(entry, key)


def _entry(seq: int, head_hash: str, key: bytes, now: datetime, kind: str,
           body: Mapping[str, Any], values: Mapping[str, Any] | None) -> Entry:
    recorded = dict(body)
    if values is not None:
        recorded["fields"] = field_digests(key, values)
    previous = Entry(seq, "", "", {}, "", head_hash) if seq else None
    return next_entry(previous, ledger_time(now), kind, recorded)


def _digest_key(hub: Hub, sealed: str) -> bytes:
    """A person's digest key, unsealed once per process (keys never change)."""
    cache: dict[str, bytes] = hub.memo.setdefault("ledger_digest_keys", {})
    key = cache.get(sealed)
    if key is None:
        if len(cache) >= 10_000:
            cache.clear()
        key = cache[sealed] = base64.b64decode(hub.secret_box.open(sealed))
    return key


def _stored_entries(uow: UnitOfWork, identity_id: str) -> Iterator[Entry]:
    after = 0
    while True:
        rows = uow.ledger.entries(identity_id, after_seq=after, limit=VERIFY_PAGE)
        for row in rows:
            yield Entry(row.seq, row.at, row.kind, row.body, row.prev_hash, row.hash)
        if len(rows) < VERIFY_PAGE:
            return
        after = rows[-1].seq


def verify_ledger(hub: Hub, identity_id: str) -> Verification:
    """Recomputes the person's whole chain and compares it with the recorded head."""
    with hub.unit_of_work() as uow:
        head = uow.ledger.head(identity_id)
        if head is None:
            return Verification(True, 0, GENESIS)
        return verify(list(_stored_entries(uow, identity_id)), head.seq, head.hash)


def ledger_people(hub: Hub) -> list[str]:
    with hub.unit_of_work() as uow:
        return list(uow.ledger.people())
