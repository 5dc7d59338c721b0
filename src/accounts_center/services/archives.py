""""Download your information" as a job: the archive is built on a thread of the process
that was asked, its progress and the finished file are kept in the database, so any hub
process can show the progress bar and serve the file (DESIGN §4.7)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from accounts_center.domain.errors import NotFound
from accounts_center.hub import Hub
from accounts_center.services.your_information import ARCHIVE_PARTS, build_archive
from accounts_center.store.privacy_models import ArchiveJobRow

log = logging.getLogger(__name__)
KEEP_FOR = timedelta(hours=1)
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
    now = hub.clock.now()
    job_id = hub.new_id()
    with hub.unit_of_work() as uow:
        uow.archives.remove_finished_before(identity_id, now - KEEP_FOR)
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


def archive_job(hub: Hub, identity_id: str, job_id: str) -> ArchiveJob:
    """The person's own job only: anyone else's reads as not found."""
    with hub.unit_of_work() as uow:
        row = uow.archives.get(job_id[:36])
        if row is None or row.identity_id != identity_id:
            raise NotFound("There is no such download.")
        status = row.status
        if status == "building" and hub.clock.now() - row.created_at > GIVE_UP_AFTER:
            status = "failed"
        return ArchiveJob(row.id, status, row.done, row.total)


def archive_content(hub: Hub, identity_id: str, job_id: str) -> bytes:
    with hub.unit_of_work() as uow:
        row = uow.archives.get(job_id[:36])
        if row is None or row.identity_id != identity_id or row.content is None:
            raise NotFound("This download is not ready, or no longer kept: start it again.")
        return row.content
