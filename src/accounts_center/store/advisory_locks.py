"""Transaction-scoped locks on a name, for work that one process at a time should do."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")


def try_lock(session: Session, name: str) -> bool:
    """Takes the lock named ``name`` until the transaction ends, if no other transaction
    holds it. On SQLite every write transaction already runs alone: always True."""
    if session.bind.dialect.name != "postgresql":  # type: ignore[union-attr]
        return True
    # A signed 64-bit key of its own, apart from the outbox's per-person locks.
    digest = hashlib.sha256(b"accounts-center lock " + name.encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    return bool(session.execute(_TRY_LOCK, {"key": key}).scalar())
