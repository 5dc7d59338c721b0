"""Repository of the sharing ledger: entries, heads (with a row lock per person, so two
transactions appending for one person take turns) and the people who have a ledger."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from accounts_center.store.base import AnyRow, table_of
from accounts_center.store.privacy_models import LedgerEntryRow, LedgerHeadRow

_ENTRIES = table_of(LedgerEntryRow)
_HEADS = table_of(LedgerHeadRow)
# Every data-API call appends an entry: prebuilt Core statements keep that cheap.
_LOCK_HEAD = (select(_HEADS.c.seq, _HEADS.c.hash, _HEADS.c.digest_key_sealed)
              .where(_HEADS.c.identity_id == bindparam("identity_id")).with_for_update())
_INSERT_ENTRY = insert(_ENTRIES)
_MOVE_HEAD = (update(_HEADS).where(_HEADS.c.identity_id == bindparam("person"))
              .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")))
# Optimistic append: move the head only if it is still where this process last saw it.
_MOVE_HEAD_IF = _MOVE_HEAD.where(_HEADS.c.seq == bindparam("prev_seq"),
                                 _HEADS.c.hash == bindparam("prev_hash"))
# PostgreSQL: the same, and the entry's insert, in one statement (one round trip).
_MOVED = _MOVE_HEAD_IF.returning(_HEADS.c.identity_id).cte("moved")
_APPEND_IF_HEAD = insert(_ENTRIES).from_select(
    ["identity_id", "seq", "at", "kind", "body", "prev_hash", "hash", "seal"],
    select(_MOVED.c.identity_id, bindparam("new_seq", type_=_ENTRIES.c.seq.type),
           bindparam("at", type_=_ENTRIES.c.at.type),
           bindparam("kind", type_=_ENTRIES.c.kind.type),
           bindparam("body", type_=_ENTRIES.c.body.type),
           bindparam("prev_hash", type_=_ENTRIES.c.prev_hash.type),
           bindparam("new_hash", type_=_ENTRIES.c.hash.type),
           bindparam("seal", type_=_ENTRIES.c.seal.type))).returning(_ENTRIES.c.seq)
_UNSEALED = (select(_ENTRIES.c.identity_id, _ENTRIES.c.seq, _ENTRIES.c.hash)
             .where(_ENTRIES.c.seal.is_(None)).order_by(_ENTRIES.c.identity_id,
                                                        _ENTRIES.c.seq)
             .limit(bindparam("limit")))
_SEAL = (update(_ENTRIES).where(_ENTRIES.c.identity_id == bindparam("person"),
                                _ENTRIES.c.seq == bindparam("at_seq"),
                                _ENTRIES.c.seal.is_(None))
         .values(seal=bindparam("new_seal")))


class Ledger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_head(self, identity_id: str) -> AnyRow | None:
        """seq, hash and digest_key_sealed of the person's head, locked until the
        transaction ends; None before their first entry."""
        return self._session.connection().execute(
            _LOCK_HEAD, {"identity_id": identity_id}).first()

    def create_head(self, identity_id: str, sealed_key: str) -> AnyRow:
        """An empty head (seq 0) for a first entry; a concurrent first entry for the same
        person wins the race harmlessly (the row is then read and locked)."""
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        self._session.execute(
            dialect.insert(_HEADS).values(identity_id=identity_id, seq=0, hash="0" * 64,
                                          digest_key_sealed=sealed_key)
            .on_conflict_do_nothing(index_elements=["identity_id"]))
        head = self.lock_head(identity_id)
        assert head is not None
        return head

    def head(self, identity_id: str) -> LedgerHeadRow | None:
        return self._session.get(LedgerHeadRow, identity_id)

    def append(self, identity_id: str, seq: int, at: str, kind: str, body: dict[str, object],
               prev_hash: str, entry_hash: str, seal: str) -> None:
        connection = self._session.connection()
        connection.execute(_INSERT_ENTRY, {
            "identity_id": identity_id, "seq": seq, "at": at, "kind": kind, "body": body,
            "prev_hash": prev_hash, "hash": entry_hash, "seal": seal})
        connection.execute(_MOVE_HEAD, {"person": identity_id, "new_seq": seq,
                                        "new_hash": entry_hash})

    def append_if_head(self, identity_id: str, prev_seq: int, prev_hash: str, seq: int,
                       at: str, kind: str, body: dict[str, object], entry_hash: str,
                       seal: str) -> bool:
        """Appends only while the head is still (prev_seq, prev_hash); False when another
        transaction moved it (the caller then takes the locking path)."""
        params = {"person": identity_id, "prev_seq": prev_seq, "prev_hash": prev_hash,
                  "new_seq": seq, "new_hash": entry_hash, "at": at, "kind": kind,
                  "body": body, "seal": seal}
        connection = self._session.connection()
        if connection.dialect.name == "postgresql":
            # (rowcount is not reliable for an INSERT … SELECT behind a CTE: ask for the row)
            return connection.execute(_APPEND_IF_HEAD, params).first() is not None
        if not connection.execute(_MOVE_HEAD_IF, params).rowcount:
            return False
        connection.execute(_INSERT_ENTRY, {
            "identity_id": identity_id, "seq": seq, "at": at, "kind": kind, "body": body,
            "prev_hash": prev_hash, "hash": entry_hash, "seal": seal})
        return True

    def entries(self, identity_id: str, *, after_seq: int = 0,
                limit: int | None = None) -> Sequence[LedgerEntryRow]:
        statement = (select(LedgerEntryRow)
                     .where(LedgerEntryRow.identity_id == identity_id,
                            LedgerEntryRow.seq > after_seq)
                     .order_by(LedgerEntryRow.seq))
        if limit is not None:
            statement = statement.limit(limit)
        return self._session.scalars(statement).all()

    def since(self, identity_id: str, at: str, kind: str) -> Sequence[LedgerEntryRow]:
        """Entries of one kind written at or after ``at`` (ISO times compare as text)."""
        return self._session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.identity_id == identity_id, LedgerEntryRow.kind == kind,
            LedgerEntryRow.at >= at)).all()

    def newest(self, identity_id: str, limit: int, kind: str | None = None,
               before_seq: int | None = None) -> Sequence[LedgerEntryRow]:
        """The person's newest entries (of one kind), or the newest before ``before_seq``."""
        statement = select(LedgerEntryRow).where(LedgerEntryRow.identity_id == identity_id)
        if kind is not None:
            statement = statement.where(LedgerEntryRow.kind == kind)
        if before_seq is not None:
            statement = statement.where(LedgerEntryRow.seq < before_seq)
        return self._session.scalars(
            statement.order_by(LedgerEntryRow.seq.desc()).limit(limit)).all()

    def entry(self, identity_id: str, seq: int) -> LedgerEntryRow | None:
        return self._session.get(LedgerEntryRow, (identity_id, seq))

    def unsealed(self, limit: int) -> Sequence[AnyRow]:
        """identity_id, seq and hash of entries written before entries were sealed."""
        return self._session.connection().execute(_UNSEALED, {"limit": limit}).all()

    def seal(self, seals: Sequence[tuple[str, int, str]]) -> None:
        """Writes (identity_id, seq, seal) for entries that have none yet."""
        if seals:
            self._session.connection().execute(_SEAL, [
                {"person": person, "at_seq": seq, "new_seal": seal}
                for person, seq, seal in seals])

    def people(self) -> Sequence[str]:
        return self._session.scalars(
            select(LedgerHeadRow.identity_id).order_by(LedgerHeadRow.identity_id)).all()
