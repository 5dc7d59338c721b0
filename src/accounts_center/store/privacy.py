"""Repositories of ad consents, of data apps pushed into the hub, of confirmed ages and of
"Download your information" archives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from accounts_center.store.base import storable
from accounts_center.store.models import IdentityRow
from accounts_center.store.privacy_models import (
    AdConsentRow,
    AgeConfirmationRow,
    ArchiveJobRow,
    SharedDataRow,
)


class Consents:
    def __init__(self, session: Session) -> None:
        self._session = session

    def granted(self, identity_id: str, app_id: str) -> bool:
        """Whether the person's advertising consent for the app is on; off by default."""
        return bool(self._session.scalar(select(AdConsentRow.granted).where(
            AdConsentRow.identity_id == identity_id, AdConsentRow.app_id == app_id)))

    def set(self, identity_id: str, app_id: str, granted: bool, now: datetime) -> None:
        row = self._session.get(AdConsentRow, (identity_id, app_id), with_for_update=True)
        if row is None:
            self._session.add(AdConsentRow(identity_id=identity_id, app_id=app_id,
                                           granted=granted, updated_at=now))
        else:
            row.granted, row.updated_at = granted, now
        self._session.flush()

    def of_person(self, identity_id: str) -> Sequence[AdConsentRow]:
        return self._session.scalars(select(AdConsentRow).where(
            AdConsentRow.identity_id == identity_id)).all()


class SharedData:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: SharedDataRow) -> None:
        self._session.add(row)

    def of_person(self, identity_id: str, category: str | None = None, *,
                  app_id: str | None = None, limit: int = 50) -> Sequence[SharedDataRow]:
        statement = select(SharedDataRow).where(SharedDataRow.identity_id == identity_id)
        if category is not None:
            statement = statement.where(SharedDataRow.category == category)
        if app_id is not None:
            statement = statement.where(SharedDataRow.app_id == app_id)
        return self._session.scalars(
            statement.order_by(SharedDataRow.received_at.desc(), SharedDataRow.id)
            .limit(limit)).all()

    def categories_of(self, identity_id: str, app_id: str) -> list[str]:
        """The categories of what one app shared about the person."""
        return sorted(self._session.scalars(select(SharedDataRow.category).where(
            SharedDataRow.identity_id == identity_id, SharedDataRow.app_id == app_id)
            .distinct()))

    def erase(self, identity_id: str, app_id: str) -> int:
        return int(self._session.execute(delete(SharedDataRow).where(
            SharedDataRow.identity_id == identity_id,
            SharedDataRow.app_id == app_id)).rowcount)  # type: ignore[attr-defined]


class AgeConfirmations:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, identity_id: str) -> AgeConfirmationRow | None:
        return self._session.get(AgeConfirmationRow, identity_id)

    def set(self, identity_id: str, birth_date: str, now: datetime) -> None:
        row = self.get(identity_id)
        if row is None:
            self._session.add(AgeConfirmationRow(identity_id=identity_id,
                                                 birth_date=birth_date, confirmed_at=now))
        else:
            row.birth_date, row.confirmed_at = birth_date, now
        self._session.flush()


class ArchiveJobs:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: ArchiveJobRow) -> None:
        self._session.add(row)

    def get(self, job_id: str) -> ArchiveJobRow | None:
        return self._session.get(ArchiveJobRow, job_id) if storable(job_id) else None

    def set_progress(self, job_id: str, done: int) -> None:
        self._session.execute(update(ArchiveJobRow).where(ArchiveJobRow.id == job_id)
                              .values(done=done))

    def finish(self, job_id: str, status: str, content: bytes | None, now: datetime) -> None:
        self._session.execute(update(ArchiveJobRow).where(ArchiveJobRow.id == job_id)
                              .values(status=status, content=content, finished_at=now))

    def counted_since(self, identity_id: str, made_after: datetime,
                      building_since: datetime) -> list[datetime]:
        """When each of the person's archives that count against the limit was made:
        made after ``made_after``, and ready or still building (since
        ``building_since``). Takes the person's row lock first, so two requests at once
        cannot both pass the limit."""
        self._session.execute(select(IdentityRow.id).where(IdentityRow.id == identity_id)
                              .with_for_update())
        return list(self._session.scalars(select(ArchiveJobRow.created_at).where(
            ArchiveJobRow.identity_id == identity_id, ArchiveJobRow.created_at > made_after,
            or_(ArchiveJobRow.status == "ready",
                and_(ArchiveJobRow.status == "building",
                     ArchiveJobRow.created_at > building_since)))))

    def remove_made_before(self, identity_id: str, moment: datetime) -> int:
        """The person's archives made up to ``moment`` (e.g. before an erasure)."""
        return int(self._session.execute(delete(ArchiveJobRow).where(
            ArchiveJobRow.identity_id == identity_id, ArchiveJobRow.created_at <= moment))
            .rowcount)  # type: ignore[attr-defined]

    def delete_made_before(self, cutoff: datetime) -> int:
        """Everyone's archives made before ``cutoff`` (retention)."""
        return int(self._session.execute(delete(ArchiveJobRow).where(
            ArchiveJobRow.created_at < cutoff)).rowcount)  # type: ignore[attr-defined]
