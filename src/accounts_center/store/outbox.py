"""Repository of outbox events (written inside the change's own transaction)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts_center.store.outbox_models import OutboxEventRow


class Outbox:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: OutboxEventRow) -> None:
        self._session.add(row)

    def for_app(self, app_id: str) -> Sequence[OutboxEventRow]:
        return self._session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.app_id == app_id).order_by(OutboxEventRow.created_at)).all()
