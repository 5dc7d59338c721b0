"""Repository of people's hub sessions (server-side, looked up by token digest)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts_center.store.models import HubSessionRow


class HubSessions:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: HubSessionRow) -> None:
        self._session.add(row)
        self._session.flush()

    def by_token_digest(self, token_digest: str) -> HubSessionRow | None:
        return self._session.scalars(
            select(HubSessionRow).where(HubSessionRow.token_digest == token_digest)).first()

    def of_identity(self, identity_id: str) -> Sequence[HubSessionRow]:
        return self._session.scalars(
            select(HubSessionRow).where(HubSessionRow.identity_id == identity_id)
            .order_by(HubSessionRow.last_seen_at.desc())).all()

    def remove(self, row: HubSessionRow) -> None:
        self._session.delete(row)
        self._session.flush()

    def remove_all_of(self, identity_id: str, *, except_id: str | None = None) -> int:
        statement = delete(HubSessionRow).where(HubSessionRow.identity_id == identity_id)
        if except_id is not None:
            statement = statement.where(HubSessionRow.id != except_id)
        return int(self._session.execute(statement).rowcount)  # type: ignore[attr-defined]
