"""The sharing ledger as use cases: appending (inside the caller's transaction, so an
entry exists exactly when its change does, sealed by the hub), verifying a person's chain
and sealing entries written before seals existed."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from accounts_center.domain.ledger import (
    GENESIS,
    Entry,
    Sealing,
    Verification,
    entry_seal,
    field_digests,
    next_entry,
    verify,
)
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.hub import Hub
from accounts_center.store.unit_of_work import UnitOfWork

# Entries are read back in pages while verifying, so a long ledger needs little memory.
VERIFY_PAGE = 1000
SEAL_BATCH = 1000


def ledger_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Appended:
    entry: Entry
    digest_key: bytes


def seal_key(hub: Hub) -> bytes:
    """The key of the hub's seals on ledger entries; it never enters the database."""
    key: bytes | None = hub.memo.get("ledger_seal_key")
    if key is None:
        key = hub.memo["ledger_seal_key"] = hub.secret_box.subkey("ledger seal v1")
    return key


def append_entry(uow: UnitOfWork, hub: Hub, identity_id: str, kind: LedgerKind,
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
        entry = _entry(hub, identity_id, seq, head_hash, key, now, kind, body, values)
        assert entry.seal is not None
        if uow.ledger.append_if_head(identity_id, seq, head_hash, entry.seq, entry.at,
                                     entry.kind, dict(entry.body), entry.hash, entry.seal):
            heads[identity_id] = (entry.seq, entry.hash, key)
            return Appended(entry, key)
    head = uow.ledger.lock_head(identity_id)
    if head is None:
        head = uow.ledger.create_head(identity_id, hub.secret_box.seal(
            base64.b64encode(secrets.token_bytes(32)).decode()))
    key = _digest_key(hub, head.digest_key_sealed)
    entry = _entry(hub, identity_id, head.seq, head.hash, key, now, kind, body, values)
    assert entry.seal is not None
    uow.ledger.append(identity_id, entry.seq, entry.at, entry.kind, dict(entry.body),
                      entry.prev_hash, entry.hash, entry.seal)
    if len(heads) >= 10_000:
        heads.clear()
    # If this transaction rolls back, the next append finds the head elsewhere and
    # takes the locking path: the cache can be wrong, never harmful.
    heads[identity_id] = (entry.seq, entry.hash, key)
    return Appended(entry, key)


def _entry(hub: Hub, identity_id: str, seq: int, head_hash: str, key: bytes, now: datetime,
           kind: LedgerKind, body: Mapping[str, Any],
           values: Mapping[str, Any] | None) -> Entry:
    recorded = dict(body)
    if values is not None:
        recorded["fields"] = field_digests(key, values)
    previous = Entry(seq, "", "", {}, "", head_hash) if seq else None
    entry = next_entry(previous, ledger_time(now), kind.value, recorded)
    return replace(entry, seal=entry_seal(seal_key(hub), identity_id, entry.seq, entry.hash))


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
            yield Entry(row.seq, row.at, row.kind, row.body, row.prev_hash, row.hash,
                        row.seal)
        if len(rows) < VERIFY_PAGE:
            return
        after = rows[-1].seq


def verify_ledger(hub: Hub, identity_id: str) -> Verification:
    """Recomputes the person's whole chain, checks the hub's seal on every entry, and
    compares the chain with the recorded head."""
    with hub.unit_of_work() as uow:
        return verify_in(uow, hub, identity_id)


def verify_in(uow: UnitOfWork, hub: Hub, identity_id: str) -> Verification:
    head = uow.ledger.head(identity_id)
    if head is None:
        return Verification(True, 0, GENESIS)
    return verify(list(_stored_entries(uow, identity_id)), head.seq, head.hash,
                  Sealing(seal_key(hub), identity_id))


def seal_unsealed(hub: Hub) -> int:
    """Seals the entries written before migration 0008 (which could not hold the key):
    whatever they say now is what the seal vouches for. Returns how many were sealed."""
    key, sealed = seal_key(hub), 0
    while True:
        with hub.unit_of_work() as uow:
            rows = uow.ledger.unsealed(SEAL_BATCH)
            uow.ledger.seal([(r.identity_id, r.seq, entry_seal(key, r.identity_id, r.seq,
                                                                r.hash)) for r in rows])
            uow.commit()
        sealed += len(rows)
        if len(rows) < SEAL_BATCH:
            return sealed


def ledger_people(hub: Hub) -> list[str]:
    with hub.unit_of_work() as uow:
        return list(uow.ledger.people())
