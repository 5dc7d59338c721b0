"""Repository of fixed-window request counters, shared by every hub process through the
database (e.g. anonymous /oauth2/authorize calls per client address)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from accounts_center.store.base import table_of
from accounts_center.store.models import RequestCounterRow

_COUNTERS = table_of(RequestCounterRow)


class RequestCounters:
    def __init__(self, session: Session) -> None:
        self._session = session

    def hit(self, key: str, window_start: datetime) -> int:
        """Counts one request in the window starting at ``window_start`` and returns the
        window's count so far. One statement, so concurrent requests from any process
        each count once; a counter left from an earlier window starts over."""
        insert = (pg_insert if self._session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
                  else sqlite_insert)
        upsert = insert(_COUNTERS).values(key=key, window_start=window_start, hits=1)
        same_window = _COUNTERS.c.window_start == upsert.excluded.window_start
        statement = upsert.on_conflict_do_update(
            index_elements=["key"],
            set_={"hits": case((same_window, _COUNTERS.c.hits + 1), else_=1),
                  "window_start": upsert.excluded.window_start},
        ).returning(_COUNTERS.c.hits)
        return int(self._session.execute(statement).scalar_one())

    def delete_windows_before(self, cutoff: datetime) -> int:
        """Counters whose window started before ``cutoff`` (retention)."""
        return int(self._session.execute(delete(RequestCounterRow).where(
            RequestCounterRow.window_start < cutoff)).rowcount)  # type: ignore[attr-defined]
