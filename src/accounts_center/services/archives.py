""""Download your information" as a job: the archive is built on a thread of the process
that was asked, its progress and the finished file are kept in the database, so any hub
process can show the progress bar and serve the file (DESIGN §4.7)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts_center.domain.errors import NotFound, TooManyArchives
from accounts_center.domain.retention import ARCHIVE_LIFETIME
from accounts_center.hub import Hub
from accounts_center.services.your_information import ARCHIVE_PARTS, build_archive
from accounts_center.store.privacy_models import ArchiveJobRow

log = logging.getLogger(__name__)
# Each archive is a copy of everything about the person: few at once, and not for long.
KEEP_FOR = ARCHIVE_LIFETIME
MAX_KEPT = 3
# A build that has not finished in this long died with its process: say so.
GIVE_UP_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class ArchiveJob:
    id: str
    status: str  # building | ready | failed
    done: int
    total: int

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def start_archive(hub: Hub, identity_id: str, *, wait: bool = False) -> str:
    """Starts building an archive, unless the person already has `MAX_KEPT` ready or
    building (failed ones do not count)."""
    now = hub.clock.now()
    job_id = hub.new_id()
    with hub.unit_of_work() as uow:
        uow.archives.remove_made_before(identity_id, now - KEEP_FOR)
        counted = uow.archives.counted_since(identity_id, now - KEEP_FOR, now - GIVE_UP_AFTER)
        if len(counted) >= MAX_KEPT:
            frees_up = min(counted) + KEEP_FOR - now
            raise TooManyArchives(MAX_KEPT, max(1, int(frees_up.total_seconds())))
        uow.archives.add(ArchiveJobRow(id=job_id, identity_id=identity_id, status="building",
                                       done=0, total=ARCHIVE_PARTS, created_at=now,
                                       finished_at=None, content=None))
        uow.commit()
    worker = threading.Thread(target=_build, args=(hub, identity_id, job_id),
                              name=f"archive-{job_id[:8]}", daemon=True)
    worker.start()
    if wait:
        worker.join()
    return job_id


def _build(hub: Hub, identity_id: str, job_id: str) -> None:
    done = 0

    def progress(_part: str) -> None:
        nonlocal done
        done += 1
        with hub.unit_of_work() as uow:
            uow.archives.set_progress(job_id, min(done, ARCHIVE_PARTS))
            uow.commit()

    try:
        content = build_archive(hub, identity_id, progress)
    except Exception as error:  # the page says it failed; the log names the error's type
        # only: a message or traceback can quote the person's data (SQL parameters).
        log.error("building archive %s failed: %s", job_id, type(error).__name__)
        with hub.unit_of_work() as uow:
            uow.archives.finish(job_id, "failed", None, hub.clock.now())
            uow.commit()
        return
    with hub.unit_of_work() as uow:
        uow.archives.finish(job_id, "ready", content, hub.clock.now())
        uow.commit()


def _kept(row: ArchiveJobRow | None, identity_id: str, now: datetime) -> bool:
    """The person's own archive, made less than `KEEP_FOR` ago (retention deletes older
    ones only every so often; they are gone for the person at once)."""
    return row is not None and row.identity_id == identity_id and (
        now - row.created_at < KEEP_FOR)


def archive_job(hub: Hub, identity_id: str, job_id: str) -> ArchiveJob:
    """The person's own job only: anyone else's reads as not found."""
    with hub.unit_of_work() as uow:
        row = uow.archives.get(job_id[:36])
        if row is None or not _kept(row, identity_id, hub.clock.now()):
            raise NotFound("There is no such download, or it is no longer kept.")
        status = row.status
        if status == "building" and hub.clock.now() - row.created_at > GIVE_UP_AFTER:
            status = "failed"
        return ArchiveJob(row.id, status, row.done, row.total)


def archive_content(hub: Hub, identity_id: str, job_id: str) -> bytes:
    with hub.unit_of_work() as uow:
        row = uow.archives.get(job_id[:36])
        if row is None or not _kept(row, identity_id, hub.clock.now()) or row.content is None:
            raise NotFound("This download is not ready, or no longer kept: start it again.")
        return row.content
