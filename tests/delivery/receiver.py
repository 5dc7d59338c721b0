"""A member app's webhook endpoint as a real program, for the fault tests
(`test_faults.py`): run it as a subprocess on 127.0.0.1.

    python tests/delivery/receiver.py --port 8123 --secret whsec_… --log arrivals.jsonl \
        [--mode ok|500|sleep:SECONDS] [--mode-file mode.txt]

Each POST is verified with `accounts_center_sdk.WebhookReceiver` (401 when the signature
is wrong) and then handled according to the mode, read from ``--mode-file`` at every
request when that file exists (so a test can change it while the receiver runs), else
``--mode``:

- ``ok``: apply the event and answer 204;
- ``500``: answer 500 without applying;
- ``sleep:N``: wait N seconds first, then go on as ``ok`` (slow, or past the hub's
  timeout).

"Apply" is what a real app does with the ``webhook-id``, as the SDK documents it: the
first delivery of an id is applied and reported with ``receiver.applied(event)``; a later
one raises `DuplicateWebhook`, is acknowledged (204) and dropped. The applied ids are also
read back from the log at start, so the rule holds across a restart of the receiver
(the SDK's own memory of ids is per process).

The log gets one JSON line when a request arrives (``"start"``) and one when its handling
ends (``"end"``, before the answer is written), with the request's number, the webhook id,
``time.monotonic()`` (one clock for every process of the machine) and, at the end, the
answer and whether the event was applied or was a duplicate. ``GET /health`` answers 200.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from accounts_center_sdk import DuplicateWebhook, InvalidWebhook, WebhookReceiver


class Journal:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._count = 0
        self.applied: set[str] = set()
        if path.exists():
            for line in path.read_text().splitlines():
                if not line.strip():
                    continue
                entry = json.loads(line)
                if entry.get("applied"):
                    self.applied.add(entry["id"])
        self._file = path.open("a", encoding="utf-8")

    def write(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        self._file.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._file.flush()  # in the kernel's hands: survives a SIGKILL of this process

    def next_number(self) -> str:
        with self._lock:
            self._count += 1
            return f"{os.getpid()}-{self._count}"

    def finish(self, entry: dict[str, Any], apply: bool) -> None:
        """Writes the end of a request; when ``apply``, applies its id unless it already
        was (check and record under one lock: each id is applied once)."""
        with self._lock:
            if apply:
                duplicate = entry["id"] in self.applied
                self.applied.add(entry["id"])
                entry["applied"], entry["duplicate"] = not duplicate, duplicate
            entry["t"] = time.monotonic()
            self._write(entry)


def current_mode(default: str, mode_file: Path | None) -> str:
    if mode_file is not None:
        try:
            text = mode_file.read_text().strip()
        except FileNotFoundError:
            return default
        if text:
            return text
    return default


def make_handler(receiver: WebhookReceiver, journal: Journal, default_mode: str,
                 mode_file: Path | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real app server

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the journal is the record

        def do_GET(self) -> None:
            self._answer(200 if self.path == "/health" else 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            number = journal.next_number()
            webhook_id = self.headers.get("webhook-id", "")
            journal.write({"event": "start", "req": number, "id": webhook_id,
                           "t": time.monotonic()})
            end: dict[str, Any] = {"event": "end", "req": number, "id": webhook_id,
                                   "applied": False, "duplicate": False}
            mode = current_mode(default_mode, mode_file)
            if mode.startswith("sleep:"):  # a slow or stuck app: before anything else
                time.sleep(float(mode.removeprefix("sleep:")))
            try:
                event = receiver.receive(body, dict(self.headers.items()))
            except DuplicateWebhook:  # applied before: 2xx, and nothing applied again
                end.update(status=204, duplicate=True)
                journal.finish(end, apply=False)
                self._answer(204)
                return
            except InvalidWebhook as refusal:
                end.update(status=401, error=str(refusal))
                journal.finish(end, apply=False)
                self._answer(401)
                return
            data = json.loads(body)["data"]
            end.update(type=event.type, sub=event.sub, n=data.get("n"))
            if mode == "500":
                end["status"] = 500
                journal.finish(end, apply=False)
                self._answer(500)
                return
            if mode != "ok" and not mode.startswith("sleep:"):
                end.update(status=500, error=f"unknown mode {mode!r}")
                journal.finish(end, apply=False)
                self._answer(500)
                return
            end["status"] = 204
            journal.finish(end, apply=True)  # also drops repeats from before a restart
            receiver.applied(event)
            self._answer(204)

        def _answer(self, status: int) -> None:
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:  # the hub gave up on this request (timeout, or it was killed)
                self.close_connection = True

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # two workers open up to 2 x concurrency connections at once


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", action="append", required=True,
                        help="A webhook secret in force (repeat for a rotation's overlap)")
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--mode", default="ok")
    parser.add_argument("--mode-file", type=Path)
    args = parser.parse_args(argv)
    receiver = WebhookReceiver(args.secret)
    journal = Journal(args.log)
    server = Server(("127.0.0.1", args.port),
                    make_handler(receiver, journal, args.mode, args.mode_file))
    print(f"receiving on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
