"""Repositories of ad consents and of data apps pushed into the hub."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from accounts_center.store.base import storable
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

    def remove_finished_before(self, identity_id: str, cutoff: datetime) -> None:
        self._session.execute(delete(ArchiveJobRow).where(
            ArchiveJobRow.identity_id == identity_id, ArchiveJobRow.created_at < cutoff))
