"""Workers wake when events are committed, without busy polling: an in-process wake-up,
and LISTEN/NOTIFY on PostgreSQL (which reaches workers in other processes)."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text

from accounts_center.clock import SystemClock
from accounts_center.delivery.notifications import PostgresListener
from accounts_center.hub import build_hub
from accounts_center.store.outbox import NOTIFY_CHANNEL_SQL
from accounts_center.store.outbox_models import OutboxEventRow
from tests.conftest import POSTGRES_URL, with_search_path
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


def test_a_hub_in_another_schema_of_the_same_database_wakes_no_one_here(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    hub = build_hub(cheap_settings(database_url), clock=SystemClock())
    other_schema = f"ac_other_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    woken = threading.Event()
    listener = PostgresListener(hub.engine, woken.set).start()

    def announce_in(url: str) -> None:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"SELECT pg_notify({NOTIFY_CHANNEL_SQL}, NULL)"))
        engine.dispose()

    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{other_schema}"'))
        assert listener.listening.wait(10)
        woken.clear()
        announce_in(with_search_path(POSTGRES_URL, other_schema))
        assert not woken.wait(1.5)
        announce_in(database_url)
        assert woken.wait(10)
    finally:
        listener.stop()
        hub.close()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{other_schema}" CASCADE'))
        admin.dispose()


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


def test_concurrent_changes_for_one_person_commit_in_the_order_of_their_numbers(
        database_url):
    """Of two transactions writing events for the same person, the second to take its
    order number cannot commit before the first (PostgreSQL; on SQLite one transaction
    writes at a time anyway): a worker never sees number n+1 while n is still invisible."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    hub = build_hub(cheap_settings(database_url), clock=SystemClock())
    try:
        chat = an_app(hub)
        order: list[str] = []
        first_numbered = threading.Event()
        let_first_commit = threading.Event()

        def first() -> None:
            with hub.unit_of_work() as uow:
                uow.outbox.add(event_row(hub, chat.app.id, "person", "first"))
                uow.session.flush()  # numbered now
                first_numbered.set()
                let_first_commit.wait(10)
                uow.commit()
                order.append("first")

        def second() -> None:
            first_numbered.wait(10)
            with hub.unit_of_work() as uow:
                uow.outbox.add(event_row(hub, chat.app.id, "person", "second"))
                uow.session.flush()
                uow.commit()
                order.append("second")

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        first_numbered.wait(10)
        time.sleep(0.5)  # the second, unhindered, would commit within this
        let_first_commit.set()
        for thread in threads:
            thread.join(15)
        assert order == ["first", "second"]
        with hub.unit_of_work() as uow:
            by_type = {e.type: e.seq for e in uow.outbox.for_app(chat.app.id)}
        assert by_type["first"] < by_type["second"]
    finally:
        hub.close()


def event_row(hub, app_id: str, person: str, kind: str) -> OutboxEventRow:
    return OutboxEventRow(id=hub.new_id(), app_id=app_id, identity_id=person, type=kind,
                          payload={}, created_at=hub.clock.now())
