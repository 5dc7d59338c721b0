"""Repository of the creations library."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accounts_center.store.creation_models import CreationRow


class Creations:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: CreationRow) -> None:
        self._session.add(row)
        self._session.flush()

    def of_person(self, identity_id: str, *, include_hidden: bool) -> Sequence[CreationRow]:
        """Newest first (ids break ties, so every engine lists the same order)."""
        query = select(CreationRow).where(CreationRow.identity_id == identity_id)
        if not include_hidden:
            query = query.where(CreationRow.hidden.is_(False))
        return self._session.scalars(query.order_by(CreationRow.created_at.desc(),
                                                    CreationRow.id.desc())).all()

    def get(self, identity_id: str, creation_id: str) -> CreationRow | None:
        """The person's creation; None whether it is someone else's or none."""
        row = self._session.get(CreationRow, creation_id[:36])
        return row if row is not None and row.identity_id == identity_id else None

    def delete(self, row: CreationRow) -> None:
        self._session.delete(row)
        self._session.flush()

    def holding(self, identity_id: str, digest: str, *, visible_only: bool) -> int:
        """How many of the person's creations show this picture."""
        query = select(func.count()).select_from(CreationRow).where(
            CreationRow.identity_id == identity_id, CreationRow.digest == digest)
        if visible_only:
            query = query.where(CreationRow.hidden.is_(False))
        return self._session.scalar(query) or 0
