"""Repository of linked accounts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from accounts_center.store.base import AnyRow, storable, table_of
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.models import MemberAppRow

PENDING = "pending"
ACTIVE = "active"
REMOVED = "removed"


_LINKS = table_of(LinkedAccountRow)
_APPS = table_of(MemberAppRow)
_ACTIVE_LINK_WITH_SALT = (
    select(_LINKS.c.id, _LINKS.c.identity_id, _LINKS.c.app_user_id, _APPS.c.subject_salt)
    .join(_APPS, _APPS.c.id == _LINKS.c.app_id)
    .where(_LINKS.c.id == bindparam("link_id"), _LINKS.c.status == ACTIVE))
_PENDING_LINK_WITH_SALT = (
    select(_LINKS.c.id, _LINKS.c.identity_id, _LINKS.c.app_user_id, _APPS.c.subject_salt)
    .join(_APPS, _APPS.c.id == _LINKS.c.app_id)
    .where(_LINKS.c.id == bindparam("link_id"), _LINKS.c.status == PENDING))

_SIGN_IN_LINKS = (
    select(_LINKS.c.id, _LINKS.c.identity_id, _LINKS.c.app_user_id, _LINKS.c.sign_in_enabled,
           _APPS.c.subject_salt)
    .join(_APPS, _APPS.c.id == _LINKS.c.app_id)
    .where(_LINKS.c.identity_id == bindparam("identity_id"),
           _LINKS.c.app_id == bindparam("app_id"), _LINKS.c.status == ACTIVE)
    .order_by(_LINKS.c.linked_at))


class LinkedAccounts:
    def __init__(self, session: Session) -> None:
        self._session = session
        # The session maps rows weakly: held for the unit of work, a row read again (an
        # expiry sweep reads the same few per post) is found there, not queried again.
        self._held: dict[str, LinkedAccountRow] = {}

    def add(self, row: LinkedAccountRow) -> None:
        self._session.add(row)
        self._session.flush()

    def get(self, link_id: str) -> LinkedAccountRow | None:
        if not storable(link_id):
            return None
        row = self._session.get(LinkedAccountRow, link_id)
        if row is not None:
            self._held[link_id] = row
        return row

    def active_with_subject_salt(self, link_id: str) -> AnyRow | None:
        """id, identity_id and app_user_id of an active link, with its app's subject salt
        (one read, without the ORM: every code and ID token needs it)."""
        if not storable(link_id):
            return None
        return self._session.connection().execute(
            _ACTIVE_LINK_WITH_SALT, {"link_id": link_id}).first()

    def pending_with_subject_salt(self, link_id: str) -> AnyRow | None:
        """The same for a link the person confirmed and its app has not yet redeemed."""
        if not storable(link_id):
            return None
        return self._session.connection().execute(
            _PENDING_LINK_WITH_SALT, {"link_id": link_id}).first()

    def lock(self, link_id: str) -> LinkedAccountRow | None:
        if not storable(link_id):
            return None
        return self._session.get(LinkedAccountRow, link_id, with_for_update=True)

    def active_sign_in_choices(self, identity_id: str, app_id: str) -> Sequence[AnyRow]:
        """A person's active links to one app, oldest first: id, identity_id, app_user_id,
        sign_in_enabled and the app's subject_salt."""
        return self._session.connection().execute(
            _SIGN_IN_LINKS, {"identity_id": identity_id, "app_id": app_id}).all()

    def active_for_app_user(self, app_id: str, app_user_id: str) -> LinkedAccountRow | None:
        if not storable(app_user_id):
            return None
        return self._session.scalars(select(LinkedAccountRow).where(
            LinkedAccountRow.app_id == app_id, LinkedAccountRow.app_user_id == app_user_id,
            LinkedAccountRow.status == ACTIVE)).first()

    def latest_removed_for_app_user(self, app_id: str,
                                    app_user_id: str) -> LinkedAccountRow | None:
        """The app user's link removed last, if any (whoever's it was then)."""
        if not storable(app_user_id):
            return None
        return self._session.scalars(select(LinkedAccountRow).where(
            LinkedAccountRow.app_id == app_id, LinkedAccountRow.app_user_id == app_user_id,
            LinkedAccountRow.status == REMOVED)
            .order_by(LinkedAccountRow.removed_at.desc()).limit(1)).first()

    def active_of_identity(self, identity_id: str,
                           app_id: str | None = None) -> Sequence[LinkedAccountRow]:
        statement = select(LinkedAccountRow).where(
            LinkedAccountRow.identity_id == identity_id, LinkedAccountRow.status == ACTIVE)
        if app_id is not None:
            statement = statement.where(LinkedAccountRow.app_id == app_id)
        return self._session.scalars(statement.order_by(LinkedAccountRow.linked_at)).all()

    def all_of_identity(self, identity_id: str) -> Sequence[LinkedAccountRow]:
        """Active and removed links, oldest first."""
        return self._session.scalars(select(LinkedAccountRow).where(
            LinkedAccountRow.identity_id == identity_id)
            .order_by(LinkedAccountRow.linked_at)).all()

    def delete_lapsed_before(self, cutoff: datetime) -> int:
        """Pending links whose confirmation lapsed before ``cutoff`` (never redeemed)."""
        return int(self._session.execute(delete(LinkedAccountRow).where(
            LinkedAccountRow.status == PENDING,
            LinkedAccountRow.expires_at < cutoff)).rowcount)  # type: ignore[attr-defined]

    def identities_of_app(self, app_id: str) -> Sequence[str]:
        """Everyone who has or had a link to the app."""
        return self._session.scalars(select(LinkedAccountRow.identity_id).where(
            LinkedAccountRow.app_id == app_id).distinct()).all()

    def lock_active_of_identity(self, identity_id: str) -> Sequence[LinkedAccountRow]:
        return self._session.scalars(select(LinkedAccountRow).where(
            LinkedAccountRow.identity_id == identity_id, LinkedAccountRow.status == ACTIVE)
            .with_for_update()).all()
