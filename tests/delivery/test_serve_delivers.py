"""`accounts-center serve` on SQLite delivers webhooks itself: no separate worker."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from accounts_center.clock import SystemClock
from accounts_center.hub import build_hub
from accounts_center_sdk import WebhookReceiver
from tests.delivery.support import statuses, wait_for, write_events
from tests.live_hub import running_hub
from tests.support import cheap_settings


@contextmanager
def receiver() -> Iterator[tuple[str, list[str], dict[str, WebhookReceiver]]]:
    """A real HTTP endpoint on 127.0.0.1 that verifies with the SDK."""
    applied: list[str] = []
    verifier: dict[str, WebhookReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            event = verifier["it"].receive(body, dict(self.headers.items()))
            applied.append(event.id)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", applied, verifier
    finally:
        server.shutdown()
        server.server_close()


def test_serve_on_sqlite_delivers_with_its_own_worker(tmp_path):
    with receiver() as (url, applied, verifier), running_hub(
            tmp_path, ACCOUNTS_CENTER_DELIVERY_POLL_SECONDS="0.2") as live:
        added = live.cli("apps", "add", "Chat", "--redirect-uri", "https://chat.example/cb",
                         "--webhook-url", url)
        assert added.returncode == 0, added.stderr
        verifier["it"] = WebhookReceiver(
            re.search(r"webhook_secret:\s+(\S+)", added.stdout).group(1))
        hub = build_hub(cheap_settings(live.env["ACCOUNTS_CENTER_DATABASE_URL"],
                                       secret_key=live.env["ACCOUNTS_CENTER_SECRET_KEY"]),
                        clock=SystemClock())
        try:
            with hub.unit_of_work() as uow:
                app_id = uow.member_apps.by_name("Chat").id
            ids = write_events(hub, app_id, ["p1", "p2"])
            wait_for(lambda: sorted(applied) == sorted(ids), timeout=20,
                     what="the hub's own worker to deliver")
            assert set(statuses(hub, ids).values()) == {"delivered"}
        finally:
            hub.close()
