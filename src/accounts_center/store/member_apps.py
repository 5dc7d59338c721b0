"""Repository of registered member apps."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from accounts_center.store.base import AnyRow, storable, table_of
from accounts_center.store.models import MemberAppRow

_APPS = table_of(MemberAppRow)
# What the token endpoint needs of a client, read without the ORM on every request.
_CLIENT = select(_APPS.c.id, _APPS.c.client_id, _APPS.c.name, _APPS.c.redirect_uris,
                 _APPS.c.subject_salt, _APPS.c.client_secret_digest).where(
    _APPS.c.client_id == bindparam("client_id"))


class MemberApps:
    def __init__(self, session: Session) -> None:
        self._session = session
        # The session maps rows weakly: held for the unit of work, a row read again (an
        # expiry sweep reads the same few per post) is found there, not queried again.
        self._held: dict[str, MemberAppRow] = {}

    def add(self, row: MemberAppRow) -> None:
        self._session.add(row)
        self._session.flush()

    def by_id(self, app_id: str) -> MemberAppRow | None:
        if not storable(app_id):
            return None
        row = self._session.get(MemberAppRow, app_id)
        if row is not None:
            self._held[app_id] = row
        return row

    def by_ids(self, app_ids: Collection[str]) -> dict[str, MemberAppRow]:
        """The apps among ``app_ids`` that exist, by id, in one query."""
        wanted = [app_id for app_id in app_ids if storable(app_id)]
        if not wanted:
            return {}
        return {row.id: row for row in self._session.scalars(
            select(MemberAppRow).where(MemberAppRow.id.in_(wanted)))}

    def by_client_id(self, client_id: str) -> MemberAppRow | None:
        if not storable(client_id):
            return None
        return self._session.scalars(
            select(MemberAppRow).where(MemberAppRow.client_id == client_id)).first()

    def client_fields(self, client_id: str) -> AnyRow | None:
        """id, client_id, name, redirect_uris, subject_salt and client_secret_digest."""
        if not storable(client_id):
            return None
        return self._session.connection().execute(_CLIENT, {"client_id": client_id}).first()

    def all(self) -> Sequence[MemberAppRow]:
        return self._session.scalars(select(MemberAppRow).order_by(MemberAppRow.name)).all()

    def by_name_or_client_id(self, key: str) -> MemberAppRow | None:
        if not storable(key):
            return None
        return self._session.scalars(select(MemberAppRow).where(
            or_(MemberAppRow.name == key, MemberAppRow.client_id == key))).first()

    def by_name(self, name: str) -> MemberAppRow | None:
        if not storable(name):
            return None
        return self._session.scalars(
            select(MemberAppRow).where(MemberAppRow.name == name)).first()

    def remove(self, row: MemberAppRow) -> None:
        self._session.delete(row)
        self._session.flush()
