"""`/metrics`: what Prometheus scrapes about webhook delivery."""

from __future__ import annotations

import re

import httpx
from starlette.testclient import TestClient

from accounts_center.clock import SystemClock
from accounts_center.hub import build_hub
from accounts_center.services.deliveries import queue_overview
from accounts_center.web.app import create_app
from tests.delivery.support import an_app, statuses, wait_for, worker_running, write_events
from tests.support import cheap_settings


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_deliveries_failures_latency_and_the_queue(database_url):
    hub = build_hub(cheap_settings(database_url, delivery_max_attempts=2,
                                   delivery_backoff_base_seconds=0.001,
                                   delivery_backoff_max_seconds=0.001,
                                   delivery_poll_seconds=0.05), clock=SystemClock())
    try:
        chat, pics, gone = an_app(hub, "Chat"), an_app(hub, "Pics"), an_app(hub, "Gone")
        good = write_events(hub, chat.app.id, ["p1", "p2", "p3"])
        bad = write_events(hub, pics.app.id, ["p1"])
        write_events(hub, gone.app.id, ["p1"])
        with TestClient(create_app(hub)) as client:
            before = client.get("/metrics")
            assert before.status_code == 200
            assert before.headers["content-type"].startswith("text/plain")
            assert sample(before.text, "accounts_center_webhook_queue_depth",
                          app="Chat", state="pending") == 3

            def handler(request: httpx.Request) -> httpx.Response:
                if request.url.host == "gone.test":
                    return httpx.Response(410)
                return httpx.Response(200 if "chat" in request.url.host else 500)

            for app, url in ((chat, "http://chat.test/h"), (pics, "http://pics.test/h"),
                             (gone, "http://gone.test/h")):
                with hub.unit_of_work() as uow:
                    uow.member_apps.by_id(app.app.id).webhook_url = url
                    uow.commit()
            with worker_running(hub, handler):
                wait_for(lambda: set(statuses(hub, good).values()) == {"delivered"}
                         and statuses(hub, bad)[bad[0]] == "dead"
                         and any(r.app == "Gone" and "disabled" in r.endpoint
                                 for r in queue_overview(hub)))
            text = client.get("/metrics").text
    finally:
        hub.close()
    assert sample(text, "accounts_center_webhooks_delivered_total", app="Chat") == 3
    assert sample(text, "accounts_center_webhook_attempts_failed_total",
                  app="Pics", reason="http_5xx") == 2
    assert sample(text, "accounts_center_webhooks_dead_lettered_total", app="Pics") == 1
    assert sample(text, "accounts_center_webhook_delivery_latency_seconds_count",
                  app="Chat") == 3
    assert sample(text, "accounts_center_webhook_queue_depth", app="Chat",
                  state="pending") == 0
    assert sample(text, "accounts_center_webhook_queue_depth", app="Pics", state="dead") == 1
    assert sample(text, "accounts_center_webhook_endpoint_disabled", app="Gone") == 1
    assert sample(text, "accounts_center_webhook_endpoint_disabled", app="Chat") == 0
    assert sample(text, "accounts_center_webhook_attempts_failed_total",
                  app="Gone", reason="gone") == 1


def test_a_metrics_token_when_set_is_required(database_url):
    hub = build_hub(cheap_settings(database_url, metrics_token="scrape-me-please"))
    try:
        with TestClient(create_app(hub)) as client:
            refused = client.get("/metrics")
            assert refused.status_code == 401
            assert refused.headers["content-type"] == "application/problem+json"
            assert client.get("/metrics", headers={"authorization": "Bearer wrong"}
                              ).status_code == 401
            assert client.get("/metrics", headers={
                "authorization": "Bearer scrape-me-please"}).status_code == 200
    finally:
        hub.close()
