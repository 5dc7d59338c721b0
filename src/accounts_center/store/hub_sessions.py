"""Repository of people's hub sessions (server-side, looked up by token digest)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session

from accounts_center.store.base import AnyRow, table_of
from accounts_center.store.models import HubSessionRow

_SESSIONS = table_of(HubSessionRow)
# Every console page and every sign-in resolves a session: read without the ORM.
_BY_DIGEST = select(
    _SESSIONS.c.id, _SESSIONS.c.identity_id, _SESSIONS.c.auth_level,
    _SESSIONS.c.authenticated_at, _SESSIONS.c.last_seen_at, _SESSIONS.c.expires_at,
).where(_SESSIONS.c.token_digest == bindparam("digest"))
_TOUCH = (update(_SESSIONS).where(_SESSIONS.c.id == bindparam("session_id"))
          .values(last_seen_at=bindparam("now"), ip=bindparam("ip"),
                  user_agent=bindparam("user_agent")))
_REMOVE = delete(_SESSIONS).where(_SESSIONS.c.id == bindparam("session_id"))


class HubSessions:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: HubSessionRow) -> None:
        self._session.add(row)
        self._session.flush()

    def by_token_digest(self, token_digest: str) -> HubSessionRow | None:
        return self._session.scalars(
            select(HubSessionRow).where(HubSessionRow.token_digest == token_digest)).first()

    @staticmethod
    def fields_by_token_digest(connection: Connection,
                               token_digest: str) -> AnyRow | None:
        """id, identity_id, auth_level, authenticated_at, last_seen_at and expires_at (a
        single read: any connection will do, in a transaction or not)."""
        return connection.execute(_BY_DIGEST, {"digest": token_digest}).first()

    def touch(self, session_id: str, now: datetime, ip: str, user_agent: str) -> None:
        self._session.connection().execute(_TOUCH, {
            "session_id": session_id, "now": now, "ip": ip, "user_agent": user_agent})

    def remove_by_id(self, session_id: str) -> None:
        self._session.connection().execute(_REMOVE, {"session_id": session_id})

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
