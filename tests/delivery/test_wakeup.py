"""Workers wake when events are committed, without busy polling: an in-process wake-up,
and LISTEN/NOTIFY on PostgreSQL (which reaches workers in other processes)."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import text

from accounts_center.clock import SystemClock
from accounts_center.delivery.notifications import PostgresListener
from accounts_center.services.hub import build_hub
from tests.delivery.support import an_app, statuses, wait_for, worker_running, write_events
from tests.support import cheap_settings

SLOW_POLL = 60.0  # far longer than the waits below: only a wake-up can deliver in time


def test_a_committed_event_wakes_an_idle_worker_at_once(database_url):
    hub = build_hub(cheap_settings(database_url, delivery_poll_seconds=SLOW_POLL),
                    clock=SystemClock())
    try:
        chat = an_app(hub)
        with worker_running(hub, lambda _: httpx.Response(204)):
            for person in ("p1", "p2"):
                [event_id] = write_events(hub, chat.app.id, [person])
                wait_for(lambda e=event_id: statuses(hub, [e])[e] == "delivered",
                         timeout=10, what="a wake-up")
    finally:
        hub.close()


def test_postgres_notifies_listeners_on_commit_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    hub = build_hub(cheap_settings(database_url), clock=SystemClock())
    woken = threading.Event()
    listener = PostgresListener(hub.engine, woken.set).start()
    try:
        assert listener.listening.wait(10)
        chat = an_app(hub)
        woken.clear()
        with hub.unit_of_work() as uow:  # written, then rolled back: no notification
            uow.outbox.announce()
        assert not woken.wait(1.5)
        write_events(hub, chat.app.id, ["p1"])
        assert woken.wait(10)
    finally:
        listener.stop()
        hub.close()


def test_a_worker_rides_out_losing_its_database_connections(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("kills PostgreSQL backends")
    tagged = f"{database_url}&application_name=ac_worker_outage"
    producer = build_hub(cheap_settings(database_url), clock=SystemClock())
    hub = build_hub(cheap_settings(tagged, delivery_poll_seconds=0.1), clock=SystemClock())
    try:
        chat = an_app(producer)
        with worker_running(hub, lambda _: httpx.Response(204)):
            [first] = write_events(producer, chat.app.id, ["p1"])
            wait_for(lambda: statuses(producer, [first])[first] == "delivered")
            with producer.engine.connect() as admin:
                killed = admin.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                    "application_name = 'ac_worker_outage'")).scalar()
            assert killed >= 1
            [second] = write_events(producer, chat.app.id, ["p2"])
            wait_for(lambda: statuses(producer, [second])[second] == "delivered", timeout=20)
    finally:
        hub.close()
        producer.close()
