"""Repository of login throttles, shared by every hub process through the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from accounts_center.store.models import LoginThrottleRow


class LoginThrottles:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get_many(self, keys: list[str]) -> list[LoginThrottleRow]:
        return list(self._session.scalars(
            select(LoginThrottleRow).where(LoginThrottleRow.key.in_(keys))))

    def lock(self, key: str, now: datetime) -> LoginThrottleRow:
        """The row for ``key``, created if absent, locked for this transaction.

        Insert-if-absent is one statement so two processes failing at once cannot both
        insert (and one of them crash on the primary key)."""
        insert = (pg_insert if self._session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
                  else sqlite_insert)
        self._session.execute(insert(LoginThrottleRow).values(
            key=key, failures=0, last_failure_at=now, blocked_until=None)
            .on_conflict_do_nothing(index_elements=["key"]))
        return self._session.scalars(
            select(LoginThrottleRow).where(LoginThrottleRow.key == key)
            .with_for_update().execution_options(populate_existing=True)).one()

    def clear(self, key: str) -> None:
        self._session.execute(delete(LoginThrottleRow).where(LoginThrottleRow.key == key))

    def delete_idle_before(self, cutoff: datetime, now: datetime) -> int:
        """Counters with no failure since ``cutoff`` that block nobody now (retention)."""
        return int(self._session.execute(delete(LoginThrottleRow).where(
            LoginThrottleRow.last_failure_at < cutoff,
            or_(LoginThrottleRow.blocked_until.is_(None),
                LoginThrottleRow.blocked_until <= now))).rowcount)  # type: ignore[attr-defined]
