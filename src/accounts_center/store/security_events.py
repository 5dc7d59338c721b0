"""Repository of security events a person can see (SECURITY-CHECKLIST 31)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts_center.store.models import SecurityEventRow


class SecurityEvents:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: SecurityEventRow) -> None:
        self._session.add(row)

    def of_identity(self, identity_id: str, *, limit: int,
                    before_id: int | None = None) -> Sequence[SecurityEventRow]:
        statement = select(SecurityEventRow).where(SecurityEventRow.identity_id == identity_id)
        if before_id is not None:
            statement = statement.where(SecurityEventRow.id < before_id)
        return self._session.scalars(
            statement.order_by(SecurityEventRow.id.desc()).limit(limit)).all()
