"""What someone who can write the database (and only that) could do to a ledger, for the
tests of seals and receipts: rewrite an entry and recompute every later hash and the
head, or cut the tail off. They cannot compute the hub's seals."""

from __future__ import annotations

import json

from sqlalchemy import text

from accounts_center.domain.ledger import entry_hash
from accounts_center.hub import Hub


def rewrite_from(hub: Hub, person: str, seq: int) -> None:
    """Changes entry ``seq``'s body and makes every hash after it, and the head, fit."""
    with hub.engine.begin() as connection:
        rows = connection.execute(text(
            "SELECT seq, at, kind, body, prev_hash FROM ledger_entries "
            "WHERE identity_id = :p ORDER BY seq"), {"p": person}).all()
        previous = None
        for row in rows:
            body = row.body if isinstance(row.body, dict) else json.loads(row.body)
            if row.seq < seq:
                previous = connection.execute(text(
                    "SELECT hash FROM ledger_entries WHERE identity_id = :p AND seq = :s"),
                    {"p": person, "s": row.seq}).scalar()
                continue
            if row.seq == seq:
                body = {**body, "allowed": False, "reason": "rewritten-by-an-intruder"}
            prev_hash = previous if previous is not None else row.prev_hash
            new_hash = entry_hash(row.seq, row.at, row.kind, body, prev_hash)
            connection.execute(text(
                "UPDATE ledger_entries SET body = :b, prev_hash = :ph, hash = :h "
                "WHERE identity_id = :p AND seq = :s"),
                {"b": json.dumps(body), "ph": prev_hash, "h": new_hash, "p": person,
                 "s": row.seq})
            previous = new_hash
        connection.execute(text("UPDATE ledger_heads SET hash = :h WHERE identity_id = :p"),
                           {"h": previous, "p": person})


def cut_tail(hub: Hub, person: str, keep: int) -> None:
    """Deletes the entries after ``keep`` and moves the head back to entry ``keep``."""
    with hub.engine.begin() as connection:
        connection.execute(text("DELETE FROM ledger_entries WHERE identity_id = :p AND "
                                "seq > :k"), {"p": person, "k": keep})
        kept = connection.execute(text("SELECT hash FROM ledger_entries WHERE identity_id = :p "
                                       "AND seq = :k"), {"p": person, "k": keep}).scalar()
        connection.execute(text("UPDATE ledger_heads SET seq = :k, hash = :h "
                                "WHERE identity_id = :p"), {"k": keep, "h": kept, "p": person})


def person_of(hub: Hub) -> str:
    with hub.engine.connect() as connection:
        return str(connection.execute(text("SELECT id FROM identities")).scalar())


def head_of(hub: Hub, person: str) -> int:
    with hub.engine.connect() as connection:
        return int(connection.execute(text(
            "SELECT seq FROM ledger_heads WHERE identity_id = :p"), {"p": person}).scalar())
