"""Repository of the canonical profile, its history and its per-link sync switches."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accounts_center.store.profile_models import ProfileHistoryRow, ProfileRow, ProfileSyncRow


class Profiles:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, identity_id: str) -> ProfileRow | None:
        return self._session.get(ProfileRow, identity_id)

    def lock(self, identity_id: str) -> ProfileRow | None:
        """The profile, locked until the transaction ends, so writes take turns."""
        return self._session.get(ProfileRow, identity_id, with_for_update=True,
                                 populate_existing=True)

    def add(self, row: ProfileRow) -> None:
        self._session.add(row)
        self._session.flush()

    def handle_taken(self, handle: str, identity_id: str) -> bool:
        return self._session.scalar(select(ProfileRow.identity_id).where(
            ProfileRow.handle == handle, ProfileRow.identity_id != identity_id)) is not None

    def record(self, row: ProfileHistoryRow) -> None:
        self._session.add(row)

    def history(self, identity_id: str, limit: int = 200) -> Sequence[ProfileHistoryRow]:
        return self._session.scalars(
            select(ProfileHistoryRow).where(ProfileHistoryRow.identity_id == identity_id)
            .order_by(ProfileHistoryRow.at.desc(), ProfileHistoryRow.id.desc())
            .limit(limit)).all()

    def synced_fields(self, link_id: str) -> frozenset[str]:
        return frozenset(self._session.scalars(select(ProfileSyncRow.field).where(
            ProfileSyncRow.link_id == link_id, ProfileSyncRow.enabled.is_(True))))

    def synced_fields_of(self, link_ids: Collection[str]) -> dict[str, frozenset[str]]:
        """``synced_fields`` of many links in one query (a change told to every linked
        app); a link with nothing synced is left out."""
        fields: dict[str, set[str]] = {}
        if link_ids:
            for link_id, field in self._session.execute(
                    select(ProfileSyncRow.link_id, ProfileSyncRow.field).where(
                        ProfileSyncRow.link_id.in_(link_ids),
                        ProfileSyncRow.enabled.is_(True))):
                fields.setdefault(link_id, set()).add(field)
        return {link_id: frozenset(names) for link_id, names in fields.items()}

    def set_sync(self, link_id: str, field: str, enabled: bool, now: datetime) -> bool:
        """Whether it changed."""
        row = self._session.get(ProfileSyncRow, (link_id, field), with_for_update=True)
        if row is None:
            if not enabled:
                return False
            self._session.add(ProfileSyncRow(link_id=link_id, field=field, enabled=True,
                                             changed_at=now))
            self._session.flush()
            return True
        if row.enabled == enabled:
            return False
        row.enabled, row.changed_at = enabled, now
        self._session.flush()
        return True

    def stop_sync(self, link_id: str, now: datetime) -> None:
        """Every field of a link off at once (the link was removed)."""
        self._session.execute(update(ProfileSyncRow).where(
            ProfileSyncRow.link_id == link_id, ProfileSyncRow.enabled.is_(True))
            .values(enabled=False, changed_at=now))
