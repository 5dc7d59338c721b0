"""Repository of the sharing ledger: entries, heads (with a row lock per person, so two
transactions appending for one person take turns) and the people who have a ledger."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from accounts_center.store.privacy_models import LedgerEntryRow, LedgerHeadRow

_ENTRIES = LedgerEntryRow.__table__
_HEADS = LedgerHeadRow.__table__


class Ledger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def lock_head(self, identity_id: str, new_sealed_key: str) -> LedgerHeadRow:
        """The person's head row, created empty (seq 0) on first use, locked until the
        transaction ends."""
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        self._session.execute(
            dialect.insert(_HEADS).values(identity_id=identity_id, seq=0, hash="0" * 64,
                                          digest_key_sealed=new_sealed_key)
            .on_conflict_do_nothing(index_elements=["identity_id"]))
        return self._session.scalars(
            select(LedgerHeadRow).where(LedgerHeadRow.identity_id == identity_id)
            .with_for_update().execution_options(populate_existing=True)).one()

    def head(self, identity_id: str) -> LedgerHeadRow | None:
        return self._session.get(LedgerHeadRow, identity_id)

    def append(self, identity_id: str, seq: int, at: str, kind: str, body: dict[str, object],
               prev_hash: str, entry_hash: str) -> None:
        connection = self._session.connection()
        connection.execute(insert(_ENTRIES).values(
            identity_id=identity_id, seq=seq, at=at, kind=kind, body=body,
            prev_hash=prev_hash, hash=entry_hash))
        connection.execute(update(_HEADS).where(_HEADS.c.identity_id == identity_id)
                           .values(seq=seq, hash=entry_hash))

    def entries(self, identity_id: str, *, after_seq: int = 0,
                limit: int | None = None) -> Sequence[LedgerEntryRow]:
        statement = (select(LedgerEntryRow)
                     .where(LedgerEntryRow.identity_id == identity_id,
                            LedgerEntryRow.seq > after_seq)
                     .order_by(LedgerEntryRow.seq))
        if limit is not None:
            statement = statement.limit(limit)
        return self._session.scalars(statement).all()

    def people(self) -> Sequence[str]:
        return self._session.scalars(
            select(LedgerHeadRow.identity_id).order_by(LedgerHeadRow.identity_id)).all()
