"""The sharing ledger's pure part: entries hash-chained per person, value digests, and
verification (DESIGN §3 Ledger; SECURITY-CHECKLIST 43).

Each entry's hash covers its sequence number, time, kind, body and the previous entry's
hash, so changing, deleting, inserting or reordering any stored entry breaks the chain at
that entry. The head (last sequence number and hash) is kept beside the entries, so
cutting entries off the end is caught too. Someone who can write the database could still
change an entry and recompute every later hash and the head; so each entry also carries
the hub's seal, an HMAC under a key derived from the hub's secret key, which never enters
the database: a rewritten entry cannot be sealed again, and verification names it. Heads
handed out as signed receipts (`services/receipts.py`) catch a cut-off tail as well.
Bodies hold field names and value digests, never values: a digest is an HMAC under the
person's own ledger key, so a guessable value (a birth date) cannot be recovered from the
ledger by trying candidates without that key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def value_digest(key: bytes, value: Any) -> str:
    return hmac.new(key, canonical(value), hashlib.sha256).hexdigest()


def field_digests(key: bytes, values: Mapping[str, Any]) -> dict[str, str]:
    """What the ledger records of shared values: each field's name and digest."""
    return {name: value_digest(key, values[name]) for name in sorted(values)}


@dataclass(frozen=True)
class Entry:
    seq: int
    at: str  # ISO 8601, UTC
    kind: str
    body: Mapping[str, Any]
    prev_hash: str
    hash: str
    seal: str | None = None


def entry_seal(key: bytes, identity_id: str, seq: int, entry_hash: str) -> str:
    """The hub's seal on the person's entry ``seq``: it vouches for the entry's hash, and
    through the chain for everything before it."""
    return hmac.new(key, canonical([identity_id, seq, entry_hash]), hashlib.sha256).hexdigest()


def entry_hash(seq: int, at: str, kind: str, body: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical([seq, at, kind, body, prev_hash])).hexdigest()


def next_entry(previous: Entry | None, at: str, kind: str, body: Mapping[str, Any]) -> Entry:
    seq = previous.seq + 1 if previous is not None else 1
    prev_hash = previous.hash if previous is not None else GENESIS
    # The body is stored as JSON: hash exactly what reading it back will give.
    stored = json.loads(canonical(body))
    return Entry(seq, at, kind, stored, prev_hash, entry_hash(seq, at, kind, stored, prev_hash))


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Sealing:
    """What checking seals needs: the hub's seal key and whose ledger it is."""

    key: bytes
    identity_id: str

    def matches(self, entry: Entry) -> bool:
        return entry.seal is not None and hmac.compare_digest(
            entry.seal, entry_seal(self.key, self.identity_id, entry.seq, entry.hash))


def verify(entries: Sequence[Entry], head_seq: int, head_hash: str,
           sealing: Sealing | None = None) -> Verification:
    """Checks ``entries`` (in stored order) against each other, against the hub's seal
    on each (when ``sealing`` is given) and against the recorded head; names the first
    entry that does not fit."""
    previous_hash, expected_seq = GENESIS, 1
    for index, entry in enumerate(entries):
        if entry.seq != expected_seq:
            return Verification(False, index, previous_hash, expected_seq,
                                f"entry {expected_seq} is missing or out of order "
                                f"(found {entry.seq})")
        if entry.prev_hash != previous_hash:
            return Verification(False, index, previous_hash, entry.seq,
                                f"entry {entry.seq} does not follow entry {entry.seq - 1}")
        if entry_hash(entry.seq, entry.at, entry.kind, entry.body,
                      entry.prev_hash) != entry.hash:
            return Verification(False, index, previous_hash, entry.seq,
                                f"entry {entry.seq} was changed after it was written")
        if sealing is not None and not sealing.matches(entry):
            problem = (f"entry {entry.seq} carries no seal of the hub" if entry.seal is None
                       else f"entry {entry.seq} was rewritten: its seal does not match")
            return Verification(False, index, previous_hash, entry.seq, problem)
        previous_hash, expected_seq = entry.hash, expected_seq + 1
    last_seq = expected_seq - 1
    if last_seq != head_seq or previous_hash != head_hash:
        first_bad = min(last_seq, head_seq) + 1 if last_seq != head_seq else last_seq
        return Verification(False, len(entries), previous_hash, first_bad,
                            f"the ledger should end at entry {head_seq}; "
                            f"it ends at entry {last_seq}")
    return Verification(True, len(entries), previous_hash)
