""""Download your information" archives: a few at once, each kept an hour and never
served after that (issue 10, point 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from accounts_center.domain.errors import NotFound, TooManyArchives
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.archives import (
    MAX_KEPT,
    archive_content,
    archive_job,
    start_archive,
)
from accounts_center.services.retention import prune_expired
from accounts_center.services.sign_up import sign_up

HOME = RequestOrigin(ip="203.0.113.5", user_agent="Firefox")


@pytest.fixture
def ada(hub) -> str:
    return sign_up(hub, "ada@example.com", "correct horse battery", HOME).identity_id


def archives_of(hub, identity_id: str) -> int:
    with hub.unit_of_work() as uow:
        return int(uow.session.execute(text(
            "SELECT COUNT(*) FROM archive_jobs WHERE identity_id = :id"),
            {"id": identity_id}).scalar_one())


def test_a_person_has_at_most_three_archives_at_once(hub, clock, ada):
    assert MAX_KEPT == 3
    first = start_archive(hub, ada, wait=True)
    for _ in range(MAX_KEPT - 1):
        clock.advance(minutes=10)
        start_archive(hub, ada, wait=True)
    with pytest.raises(TooManyArchives) as refused:
        start_archive(hub, ada)
    assert archives_of(hub, ada) == MAX_KEPT  # nothing was started
    assert "3 downloads" in refused.value.detail and "40 minutes" in refused.value.detail
    assert refused.value.retry_after_seconds == 40 * 60
    clock.advance(minutes=40)  # the first is no longer kept: room for one more
    start_archive(hub, ada, wait=True)
    with pytest.raises(NotFound):
        archive_job(hub, ada, first)


def test_the_limit_is_per_person_and_failed_builds_do_not_count(hub, clock, ada):
    bob = sign_up(hub, "bob@example.com", "correct horse battery", HOME).identity_id
    for _ in range(MAX_KEPT):
        start_archive(hub, ada, wait=True)
    start_archive(hub, bob, wait=True)
    with hub.unit_of_work() as uow:
        uow.session.execute(text("UPDATE archive_jobs SET status = 'failed', content = NULL "
                                 "WHERE identity_id = :id"), {"id": ada})
        uow.commit()
    start_archive(hub, ada, wait=True)
    clock.advance(minutes=11)
    # A build that never finished (its process died) is shown as failed: it counts no more.
    with hub.unit_of_work() as uow:
        uow.session.execute(text("UPDATE archive_jobs SET status = 'building' "
                                 "WHERE identity_id = :id AND status = 'ready'"), {"id": ada})
        uow.commit()
    start_archive(hub, ada, wait=True)


def test_an_archive_is_not_served_after_an_hour_even_before_it_is_deleted(hub, clock, ada):
    job = start_archive(hub, ada, wait=True)
    clock.advance(minutes=59)
    assert archive_content(hub, ada, job).startswith(b"PK")
    clock.advance(minutes=1)
    for read in (archive_content, archive_job):
        with pytest.raises(NotFound):
            read(hub, ada, job)
    clock.advance(seconds=1)
    assert prune_expired(hub).archives == 1
    assert archives_of(hub, ada) == 0


def test_retention_deletes_only_archives_older_than_an_hour(hub, clock, ada):
    start_archive(hub, ada, wait=True)
    clock.advance(minutes=30)
    recent = start_archive(hub, ada, wait=True)
    clock.advance(minutes=31)
    assert prune_expired(hub).archives == 1
    assert archive_content(hub, ada, recent).startswith(b"PK")
