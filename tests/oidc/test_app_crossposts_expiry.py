"""Cross-posts expire (issue 14, point 5): once a post's `expires_at` passes, each app
that was sent a copy hears `crosspost.expired` exactly once (however many sweeps or
workers race) and loses its grant of the picture; a deleted post never expires, and an
expired post deleted afterwards tells no one again. The delivery worker sweeps on its
own, waking for the next expiry even with nothing else to do."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from accounts_center.clock import SystemClock
from accounts_center.hub import build_hub
from accounts_center.services.crossposts import create_crosspost, expire_due_crossposts
from accounts_center.store.outbox_models import OutboxEventRow
from tests.delivery.support import wait_for, worker_running
from tests.image_files import jpeg_with_gps
from tests.oidc.crosspost_family import Family, chat_to_both
from tests.oidc.test_app_crossposts_api import destinations, fetch, ids, post, sent
from tests.support import cheap_settings

LIFETIME = timedelta(minutes=30)


def told(hub, kind: str) -> list[tuple[str, str]]:
    """(app id, crosspost id) of each `kind` event in the outbox."""
    with hub.unit_of_work() as uow:
        return [(row.app_id, row.payload["crosspost_id"]) for row in uow.session.scalars(
            select(OutboxEventRow).where(OutboxEventRow.type == kind)
            .order_by(OutboxEventRow.seq))]


@pytest.fixture
def linked(hub, client, visitor) -> Family:
    return chat_to_both(hub, client, visitor, social="always", pics="ask")


def a_post(hub, family: Family, lifetime: timedelta = LIFETIME) -> str:
    [pics] = [d for d in destinations(family.chat, "chat-ada").json()["destinations"]
              if d["mode"] == "ask"]
    answer = post(family.chat, "chat-ada", picked=[pics["id"]],
                  expires_at=(hub.clock.now() + lifetime).isoformat())
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_an_expired_post_tells_each_copy_once_and_takes_back_the_picture(hub, clock,
                                                                         linked):
    made = a_post(hub, linked)
    urls = {app_id: payload["media_url"] for app_id, payload in sent(hub)}
    social = linked.social.credentials.app.id
    clock.advance(minutes=29)
    assert expire_due_crossposts(hub, hub.clock.now()) == (0, clock.moment + timedelta(
        minutes=1))
    assert told(hub, "crosspost.expired") == []
    assert fetch(linked.social, urls[social]).status_code == 200
    clock.advance(minutes=1)
    swept_at = clock.moment
    assert expire_due_crossposts(hub, hub.clock.now()) == (1, None)
    assert sorted(told(hub, "crosspost.expired")) == sorted(
        (app_id, made) for app_id in ids(linked, "pics", "social"))
    assert fetch(linked.social, urls[social]).status_code != 200  # the grant is gone
    # Again, and later: nothing more.
    clock.advance(hours=1)
    assert expire_due_crossposts(hub, hub.clock.now()) == (0, None)
    assert len(told(hub, "crosspost.expired")) == 2
    assert told(hub, "crosspost.deleted") == []
    read = linked.chat.client.get(f"/v1/app/crossposts/{made}", auth=linked.chat.auth)
    assert read.status_code == 200 and read.json()["deleted_at"] is None
    # The source sees that it expired, and when: at the sweep that found it due.
    assert datetime.fromisoformat(read.json()["expired_at"]) == swept_at


def test_a_deleted_post_never_expires(hub, clock, linked):
    made = a_post(hub, linked)
    assert linked.chat.client.delete(f"/v1/app/crossposts/{made}",
                                     auth=linked.chat.auth).status_code == 200
    assert len(told(hub, "crosspost.deleted")) == 2
    clock.advance(hours=1)
    assert expire_due_crossposts(hub, hub.clock.now()) == (0, None)
    assert told(hub, "crosspost.expired") == []
    assert len(told(hub, "crosspost.deleted")) == 2


def test_an_expired_post_deleted_afterwards_tells_no_one_again(hub, clock, linked):
    made = a_post(hub, linked)
    clock.advance(hours=1)
    assert expire_due_crossposts(hub, hub.clock.now())[0] == 1
    answer = linked.chat.client.delete(f"/v1/app/crossposts/{made}", auth=linked.chat.auth)
    assert answer.status_code == 200 and answer.json()["deleted_at"] is not None
    assert told(hub, "crosspost.deleted") == []
    assert len(told(hub, "crosspost.expired")) == 2


def test_sweeps_racing_on_two_threads_tell_each_copy_once(hub, clock, linked):
    made = [a_post(hub, linked, LIFETIME + timedelta(seconds=i)) for i in range(6)]
    clock.advance(hours=1)
    start = threading.Barrier(2)
    counts: list[int] = []
    failures: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            expired = 0
            while True:
                more, _ = expire_due_crossposts(hub, hub.clock.now(), limit=2)
                if not more:
                    break
                expired += more
            counts.append(expired)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    assert sum(counts) == len(made)
    per_copy = Counter(told(hub, "crosspost.expired"))
    assert set(per_copy.values()) == {1}
    assert {post_id for _, post_id in per_copy} == set(made)
    assert len(per_copy) == 2 * len(made)


def test_an_idle_worker_wakes_for_a_due_expiry(database_url, hub, linked):
    """The worker has nothing to deliver before the expiry and polls once a minute: only
    its own wake-up for the due post can tell the copies in time."""
    linked.choose("chat", "pics", "off")
    on_time = build_hub(cheap_settings(database_url, delivery_poll_seconds=60.0),
                        clock=SystemClock())
    try:
        social = linked.social.credentials.app.id
        with worker_running(on_time, lambda _: httpx.Response(204)):
            made = create_crosspost(
                on_time, linked.chat.credentials.app, "chat-ada", "status",
                jpeg_with_gps(), "Soon gone",
                (on_time.clock.now() + timedelta(seconds=2)).isoformat(), [])
            assert told(hub, "crosspost.expired") == []
            wait_for(lambda: told(hub, "crosspost.expired") == [(social, made.id)],
                     timeout=20, what="the expiry")
    finally:
        on_time.close()
