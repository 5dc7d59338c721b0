"""`accounts-center deliveries …` and the webhook commands of `apps`, as an operator uses
them: the queue per app, one event's attempts, replay, secret rotation, re-enabling."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from accounts_center.clock import SystemClock
from accounts_center.hub import build_hub
from accounts_center_sdk import WebhookReceiver
from tests.delivery.support import statuses, wait_for, worker_running, write_events
from tests.support import cheap_settings


@pytest.fixture
def live_hub(database_url):
    """The hub as a worker sees it: a real clock, quick retries, two attempts."""
    hub = build_hub(cheap_settings(database_url, delivery_max_attempts=2,
                                   delivery_backoff_base_seconds=0.001,
                                   delivery_backoff_max_seconds=0.001,
                                   delivery_poll_seconds=0.05), clock=SystemClock())
    yield hub
    hub.close()


def add_chat(run) -> str:
    result = run("apps", "add", "Chat", "--redirect-uri", "https://chat.example/cb",
                 "--webhook-url", "https://chat.example/hook")
    assert result.exit_code == 0, result.output
    return re.search(r"webhook_secret:\s+(whsec_\S+)", result.output).group(1)


def app_id(live_hub) -> str:
    with live_hub.unit_of_work() as uow:
        return uow.member_apps.by_name("Chat").id


def test_add_prints_a_webhook_secret_that_verifies_what_the_hub_sends(run, live_hub):
    secret = add_chat(run)
    [event_id] = write_events(live_hub, app_id(live_hub), ["p1"])
    received = []

    def handler(request: httpx.Request) -> httpx.Response:
        received.append(WebhookReceiver(secret).receive(request.content,
                                                        dict(request.headers)))
        return httpx.Response(204)

    with worker_running(live_hub, handler):
        wait_for(lambda: statuses(live_hub, [event_id])[event_id] == "delivered")
    assert [e.id for e in received] == [event_id]
    assert secret not in run("apps", "show", "Chat").output


def test_the_queue_table_an_events_attempts_and_a_replay(run, live_hub):
    add_chat(run)
    ids = write_events(live_hub, app_id(live_hub), ["p1", "p2", "p3"])
    empty = run("deliveries")
    assert empty.exit_code == 0, empty.output
    row = next(line for line in empty.output.splitlines() if "Chat" in line)
    assert re.search(r"enabled\s*│\s*3\s*│\s*0\s*│\s*0\s*│", row), row

    with worker_running(live_hub, lambda _: httpx.Response(503, text="busy")):
        wait_for(lambda: set(statuses(live_hub, ids).values()) == {"dead"})
    table = run("deliveries")
    row = next(line for line in table.output.splitlines() if "Chat" in line)
    assert re.search(r"enabled\s*│\s*0\s*│\s*0\s*│\s*3\s*│", row), row

    shown = run("deliveries", "show", ids[0])
    assert shown.exit_code == 0, shown.output
    assert "status: dead, 2 attempt(s)" in shown.output
    assert shown.output.count("HTTP 503") == 2

    assert run("deliveries", "replay", "--app", "Chat", "--since", "2d").output.strip() \
        == "Queued 3 event(s) to be sent again."
    with worker_running(live_hub, lambda _: httpx.Response(200)):
        wait_for(lambda: set(statuses(live_hub, ids).values()) == {"delivered"})
    assert "status: delivered, 1 attempt(s)" in run("deliveries", "show", ids[0]).output


def test_bad_operator_input_gets_one_line_and_a_non_zero_exit(run):
    add_chat(run)
    cases = [
        (("deliveries", "show", "no-such-event"), "no event with id"),
        (("deliveries", "replay", "--app", "Nope"), "no member app named"),
        (("deliveries", "replay", "--app", "Chat", "--since", "yesterday"), "--since"),
        (("deliveries", "replay", "--app", "Chat", "--since", "2999-01-01"), "future"),
        (("apps", "rotate-webhook-secret", "Nope"), "no member app named"),
        (("apps", "enable-webhook", "Nope"), "no member app named"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_rotation_prints_the_new_secret_and_the_overlap(run):
    old = add_chat(run)
    rotated = run("apps", "rotate-webhook-secret", "Chat", "--overlap-hours", "12")
    assert rotated.exit_code == 0, rotated.output
    new = re.search(r"webhook_secret:\s+(whsec_\S+)", rotated.output).group(1)
    assert new != old and "also signs until" in rotated.output
    shown = json.loads(run("apps", "show", "Chat").output)
    assert shown["webhook"]["has_secret"] and shown["webhook"]["previous_secret_signs_until"]
    immediate = run("apps", "rotate-webhook-secret", "Chat", "--overlap-hours", "0")
    assert "also signs" not in immediate.output
    assert json.loads(run("apps", "show", "Chat").output)["webhook"][
        "previous_secret_signs_until"] is None
    assert run("apps", "rotate-webhook-secret", "Chat", "--overlap-hours", "-1").exit_code != 0


def test_an_endpoint_disabled_by_410_shows_in_the_table_and_is_enabled_again(run, live_hub):
    add_chat(run)
    [event_id] = write_events(live_hub, app_id(live_hub), ["p1"])
    with worker_running(live_hub, lambda _: httpx.Response(410)):
        wait_for(lambda: "disabled" in run("deliveries").output)
    row = next(line for line in run("deliveries").output.splitlines() if "Chat" in line)
    assert "410" in row
    assert json.loads(run("apps", "show", "Chat").output)["webhook"]["disabled_at"]
    assert run("apps", "enable-webhook", "Chat").exit_code == 0
    with worker_running(live_hub, lambda _: httpx.Response(200)):
        wait_for(lambda: statuses(live_hub, [event_id])[event_id] == "delivered")
    assert "enabled" in run("deliveries").output


def test_a_worker_will_not_start_on_a_database_it_cannot_use(run, monkeypatch, tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    fresh = run("worker")
    assert fresh.exit_code == 1 and "run `accounts-center db upgrade` first" in fresh.output
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL",
                       "postgresql+psycopg://nobody@127.0.0.1:1/none")
    away = run("worker")
    assert away.exit_code == 1 and "cannot reach the database" in away.output
    assert len(away.output.strip().splitlines()) == 1
