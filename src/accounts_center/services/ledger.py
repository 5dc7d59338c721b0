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
from accounts_center.services.hub import Hub
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
    keyed digests under ``body["fields"]``, never as values."""
    fresh_key = hub.secret_box.seal(base64.b64encode(secrets.token_bytes(32)).decode())
    head = uow.ledger.lock_head(identity_id, fresh_key)
    key = base64.b64decode(hub.secret_box.open(head.digest_key_sealed))
    recorded = dict(body)
    if values is not None:
        recorded["fields"] = field_digests(key, values)
    previous = (Entry(head.seq, "", "", {}, "", head.hash) if head.seq else None)
    entry = next_entry(previous, ledger_time(now), kind, recorded)
    uow.ledger.append(identity_id, entry.seq, entry.at, entry.kind, dict(entry.body),
                      entry.prev_hash, entry.hash)
    return Appended(entry, key)


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
