"""Helpers for delivery tests: registering apps, writing events the way services do, and
running a worker on a thread until something holds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from accounts_center.delivery.worker import DeliveryWorker, WorkerThread
from accounts_center.hub import Hub
from accounts_center.services.member_apps import Credentials, register_app
from accounts_center.store.outbox_models import OutboxEventRow


def an_app(hub: Hub, name: str = "Chat", url: str = "http://127.0.0.1:9/hooks") -> Credentials:
    return register_app(hub, name, [f"https://{name.lower()}.example/cb"], url)


def write_events(hub: Hub, app_id: str, people: list[str], kind: str = "account.linked",
                 per_person: int = 1) -> list[str]:
    """Events as a service writes them: in one transaction, one row per (app, person)."""
    ids = []
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        for n in range(per_person):
            for person in people:
                event_id = hub.new_id()
                uow.outbox.add(OutboxEventRow(
                    id=event_id, app_id=app_id, identity_id=person, type=kind,
                    payload={"sub": f"sub-{person}", "app_user_id": f"u-{person}",
                             "app": "Chat", "your_account": True, "n": n,
                             "occurred_at": now.isoformat()}, created_at=now))
                ids.append(event_id)
        uow.commit()
    return ids


def wait_for(condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


@contextmanager
def worker_running(hub: Hub, handler: Callable[[httpx.Request], httpx.Response],
                   **options: object) -> Iterator[DeliveryWorker]:
    worker = DeliveryWorker(hub, transport=httpx.MockTransport(handler), draw=lambda: 0.5,
                            **options)  # type: ignore[arg-type]
    thread = WorkerThread(worker).start()
    try:
        yield worker
    finally:
        thread.stop()


def statuses(hub: Hub, ids: list[str]) -> dict[str, str]:
    with hub.unit_of_work() as uow:
        return {i: uow.outbox.event(i).status for i in ids}  # type: ignore[union-attr]
