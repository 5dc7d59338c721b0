"""The delivery worker in-process, against receivers simulated at the HTTP layer: what a
member app receives, and what the hub does with each kind of answer."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from accounts_center.clock import SystemClock
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.archives import start_archive
from accounts_center.services.deliveries import queue_overview, replay, show_delivery
from accounts_center.services.member_apps import enable_webhook, rotate_webhook_secret
from accounts_center.services.sign_up import sign_up
from accounts_center_sdk import WebhookReceiver
from accounts_center_sdk.webhooks import InvalidWebhook
from tests.delivery.support import an_app, statuses, wait_for, worker_running, write_events
from tests.support import cheap_settings


@pytest.fixture
def fast_retries(hub):
    """A real clock, retries due within milliseconds, three attempts in all."""
    hub.clock = SystemClock()
    hub.settings = cheap_settings(hub.settings.database_url, delivery_max_attempts=3,
                                  delivery_backoff_base_seconds=0.001,
                                  delivery_backoff_max_seconds=0.001,
                                  delivery_poll_seconds=0.05)
    return hub


def test_each_event_arrives_signed_once_and_parses_into_its_typed_event(hub):
    chat = an_app(hub)
    ids = write_events(hub, chat.app.id, [f"p{n}" for n in range(20)])
    receiver = WebhookReceiver(chat.webhook_secret)
    got: list[str] = []
    lock = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        event = receiver.receive(request.content, dict(request.headers))
        with lock:
            got.append(request.headers["webhook-id"])
        assert event.type == "account.linked"
        return httpx.Response(204)

    with worker_running(hub, handler):
        wait_for(lambda: set(statuses(hub, ids).values()) == {"delivered"})
    assert sorted(got) == sorted(ids)
    view = show_delivery(hub, ids[0])
    assert view.status == "delivered" and view.attempts == 1
    assert view.history[0].status_code == 204 and view.history[0].error is None


def test_a_failing_receiver_is_retried_under_the_same_id_then_dead_lettered(fast_retries):
    hub = fast_retries
    chat = an_app(hub)
    [event_id] = write_events(hub, chat.app.id, ["p1"])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["webhook-id"])
        return httpx.Response(500, text="boom")

    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [event_id])[event_id] == "dead")
    assert seen == [event_id] * 3
    view = show_delivery(hub, event_id)
    assert [a.status_code for a in view.history] == [500, 500, 500]
    assert view.history[-1].error == "HTTP 500"
    [row] = queue_overview(hub)
    assert (row.pending, row.retrying, row.dead) == (0, 0, 1)


def test_a_later_event_for_the_same_person_waits_for_the_earlier_one(fast_retries):
    hub = fast_retries
    chat = an_app(hub)
    first = write_events(hub, chat.app.id, ["p1"], kind="account.linked")[0]
    second = write_events(hub, chat.app.id, ["p1"], kind="account.unlinked")[0]
    other = write_events(hub, chat.app.id, ["p2"], kind="account.linked")[0]
    order: list[str] = []
    failures = {"left": 2}

    def handler(request: httpx.Request) -> httpx.Response:
        event_id = request.headers["webhook-id"]
        if event_id == first and failures["left"]:
            failures["left"] -= 1
            return httpx.Response(503)
        order.append(event_id)
        return httpx.Response(200)

    with worker_running(hub, handler):
        wait_for(lambda: set(statuses(hub, [first, second, other]).values()) == {"delivered"})
    assert order.index(first) < order.index(second)
    assert show_delivery(hub, first).attempts == 3 and show_delivery(hub, second).attempts == 1


def test_410_disables_the_endpoint_until_an_operator_enables_it(hub):
    chat = an_app(hub)
    [first] = write_events(hub, chat.app.id, ["p1"])
    answers = {"status": 410}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["webhook-id"])
        return httpx.Response(answers["status"])

    with worker_running(hub, handler):
        wait_for(lambda: show_delivery(hub, first).attempts == 1)
        [later] = write_events(hub, chat.app.id, ["p2"])
        [row] = queue_overview(hub)
        assert row.endpoint.startswith("disabled since") and "410" in row.endpoint
        assert row.pending + row.retrying == 2
        answers["status"] = 200
        enable_webhook(hub, "Chat")
        wait_for(lambda: set(statuses(hub, [first, later]).values()) == {"delivered"})
    assert seen.count(first) == 2 and seen.count(later) == 1


def test_during_a_rotation_both_secrets_sign_and_either_verifies(hub, clock):
    chat = an_app(hub)
    rotated = rotate_webhook_secret(hub, "Chat", timedelta(hours=24))
    old_only, new_only = WebhookReceiver(chat.webhook_secret), WebhookReceiver(rotated.secret)
    [during] = write_events(hub, chat.app.id, ["p1"])
    bodies: list[tuple[bytes, dict[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append((request.content, dict(request.headers)))
        return httpx.Response(200)

    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [during])[during] == "delivered")
    body, headers = bodies[0]
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert old_only.receive(body, headers).id == during
    assert new_only.receive(body, headers).id == during

    clock.advance(hours=24, seconds=1)
    [after] = write_events(hub, chat.app.id, ["p2"])
    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [after])[after] == "delivered")
    body, headers = bodies[-1]
    assert len(headers["webhook-signature"].split(" ")) == 1
    assert WebhookReceiver(rotated.secret).receive(body, headers).id == after
    with pytest.raises(InvalidWebhook):
        WebhookReceiver(chat.webhook_secret).receive(body, headers)


def test_replay_sends_dead_letters_again_under_their_ids(fast_retries):
    hub = fast_retries
    chat = an_app(hub)
    ids = write_events(hub, chat.app.id, ["p1", "p2"])
    healthy = {"yes": False}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["webhook-id"])
        return httpx.Response(200 if healthy["yes"] else 500)

    with worker_running(hub, handler):
        wait_for(lambda: set(statuses(hub, ids).values()) == {"dead"})
        healthy["yes"] = True
        assert replay(hub, "Chat", None) == 2
        wait_for(lambda: set(statuses(hub, ids).values()) == {"delivered"})
    assert sorted(seen[-2:]) == sorted(ids)
    assert replay(hub, "Chat", None) == 0  # nothing dead any more
    assert replay(hub, "Chat", None, include_delivered=True) == 2


def test_the_body_is_the_standard_webhooks_envelope(hub):
    chat = an_app(hub)
    [event_id] = write_events(hub, chat.app.id, ["p1"], kind="data.erasure_requested")
    got: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(json.loads(request.content))
        assert request.headers["content-type"] == "application/json"
        return httpx.Response(200)

    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [event_id])[event_id] == "delivered")
    assert set(got[0]) == {"type", "timestamp", "data"}
    assert got[0]["type"] == "data.erasure_requested" and got[0]["data"]["sub"] == "sub-p1"


def test_a_change_that_rolls_back_leaves_no_event(hub):
    chat = an_app(hub)
    with hub.unit_of_work() as uow:
        from accounts_center.store.outbox_models import OutboxEventRow
        uow.outbox.add(OutboxEventRow(id=hub.new_id(), app_id=chat.app.id, identity_id="p",
                                      type="account.linked", payload={},
                                      created_at=hub.clock.now()))
        uow.session.flush()
        # leaving without commit rolls back
    with hub.unit_of_work() as uow:
        count = uow.session.execute(text("SELECT count(*) FROM outbox_events")).scalar()
    assert count == 0


def test_redirects_are_not_followed_and_count_as_failures(fast_retries):
    hub = fast_retries
    chat = an_app(hub)
    [event_id] = write_events(hub, chat.app.id, ["p1"])
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(307, headers={"location": "http://169.254.169.254/latest"})

    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [event_id])[event_id] == "dead")
    assert set(hosts) == {"127.0.0.1"} and len(hosts) == 3
    assert show_delivery(hub, event_id).history[0].error == "HTTP 307"


def test_an_endless_answer_is_read_only_up_to_the_cap(hub):
    chat = an_app(hub)
    [event_id] = write_events(hub, chat.app.id, ["p1"])
    produced = {"bytes": 0}

    async def endless():
        while True:
            produced["bytes"] += 8192
            yield b"x" * 8192

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [event_id])[event_id] == "delivered")
    assert produced["bytes"] <= 128 * 1024


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(fast_retries):
    hub = fast_retries
    hub.settings = cheap_settings(hub.settings.database_url, delivery_max_attempts=2,
                                  delivery_backoff_base_seconds=0.001,
                                  delivery_backoff_max_seconds=0.001,
                                  delivery_poll_seconds=0.05, delivery_timeout_seconds=0.3,
                                  delivery_lease_seconds=5)
    chat = an_app(hub)
    [event_id] = write_events(hub, chat.app.id, ["p1"])

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3)
        return httpx.Response(200)

    with worker_running(hub, handler):
        wait_for(lambda: statuses(hub, [event_id])[event_id] == "dead")
    history = show_delivery(hub, event_id).history
    assert [a.error for a in history] == ["no answer within 0.3 s"] * 2
    assert all(a.status_code is None and a.duration_ms < 3000 for a in history)


def test_only_delivered_events_past_the_retention_are_pruned(hub, clock):
    chat = an_app(hub)
    old_delivered, old_dead, old_pending, recent = (
        write_events(hub, chat.app.id, [person])[0] for person in ("p1", "p2", "p3", "p4"))
    with hub.unit_of_work() as uow:
        for event_id, status in ((old_delivered, "delivered"), (old_dead, "dead"),
                                 (recent, "delivered")):
            row = uow.outbox.event(event_id)
            row.status, row.delivered_at = status, clock.now()
        uow.commit()
    clock.advance(days=7, hours=1)
    with hub.unit_of_work() as uow:
        uow.outbox.event(recent).delivered_at = clock.now()
        uow.commit()
    with worker_running(hub, lambda _: httpx.Response(204)):
        wait_for(lambda: statuses_left(hub) == {old_dead: "dead", old_pending: "delivered",
                                                recent: "delivered"})


def test_the_hourly_prune_also_deletes_what_expired_elsewhere(hub, clock):
    """The same hook runs retention (services/retention.py): in `serve` on SQLite and in
    every `accounts-center worker`."""
    ada = sign_up(hub, "ada@example.com", "correct horse battery",
                  RequestOrigin("203.0.113.5", "Firefox")).identity_id
    start_archive(hub, ada, wait=True)
    clock.advance(hours=1, seconds=1)

    def archives() -> int:
        with hub.unit_of_work() as uow:
            return int(uow.session.execute(text("SELECT COUNT(*) FROM archive_jobs")).scalar())

    with worker_running(hub, lambda _: httpx.Response(204)):
        wait_for(lambda: archives() == 0, what="the expired archive to be deleted")


def statuses_left(hub) -> dict[str, str]:
    with hub.unit_of_work() as uow:
        return dict(uow.session.execute(text("SELECT id, status FROM outbox_events")).all())
