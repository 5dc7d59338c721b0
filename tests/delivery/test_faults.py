"""Fault tests of webhook delivery with real processes and real HTTP on 127.0.0.1: the
`accounts-center worker` console script, receivers as subprocesses (`receiver.py`, and
`node_receiver/server.mjs` verifying with the npm `standardwebhooks` package), and a real
database of each backend (the `database_url` fixture). Events are written the way services
write them (`support.write_events`), by a hub with the system clock in this process.

Every wait polls with a deadline; deadlines only guard against a hang. Every process a
test starts is killed when the test ends.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import bindparam, text

from accounts_center.crypto.webhook_secrets import new_webhook_secret
from accounts_center.delivery.signing import signature_header
from accounts_center.domain.delivery import JITTER, envelope
from accounts_center.hub import Hub, build_hub
from accounts_center.services.member_apps import Credentials, register_app
from tests.conftest import POSTGRES_URL
from tests.delivery.support import write_events
from tests.live_hub import free_port
from tests.support import TEST_SECRET_KEY, cheap_settings

HERE = Path(__file__).resolve().parent
RECEIVER = HERE / "receiver.py"
NODE_RECEIVER = HERE / "node_receiver"
COMMAND = Path(sys.executable).parent / "accounts-center"
STARTUP_SECONDS = 20.0


# --- processes ------------------------------------------------------------------------
@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self, last: int = 4000) -> str:
        text_ = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text_[-last:]

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine or container dies."""
        if self.alive:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM, as an operator or an orchestrator stops it; returns the exit code."""
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name} did not stop on SIGTERM:\n{self.output()}") from None


@dataclass
class Journal:
    """What a `receiver.py` wrote: one line per arrival ("start") and per end."""
    entries: list[dict[str, Any]]

    @property
    def starts(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["event"] == "start"]

    @property
    def ends(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e["event"] == "end"]

    @property
    def applied(self) -> list[str]:
        """Ids in the order they were applied (a correct receiver lists each once)."""
        return [e["id"] for e in self.ends if e.get("applied")]

    def arrivals(self) -> Counter[str]:
        return Counter(e["id"] for e in self.starts)

    def intervals(self) -> dict[str, list[tuple[float, float]]]:
        """Per webhook id, when each request for it was being handled (start, end)."""
        ended = {e["req"]: e["t"] for e in self.ends}
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for start in self.starts:
            spans[start["id"]].append((start["t"], ended.get(start["req"], float("inf"))))
        return spans

    def in_flight(self) -> list[dict[str, Any]]:
        ended = {e["req"] for e in self.ends}
        return [s for s in self.starts if s["req"] not in ended]


def read_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    # A line being written when we read is left for the next read.
    return [json.loads(line) for line in path.read_text().splitlines()
            if line.strip() and line.endswith("}")]


@dataclass
class Receiver:
    lab: Lab
    secret: str
    port: int
    log: Path
    mode_file: Path
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        self.process = self.lab.start(
            f"receiver-{self.port}",
            [sys.executable, str(RECEIVER), "--port", str(self.port), "--secret", self.secret,
             "--log", str(self.log), "--mode-file", str(self.mode_file)])
        self.lab.wait_healthy(self.process, self.port)
        return self

    def set_mode(self, mode: str) -> None:
        self.mode_file.write_text(mode)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()

    def journal(self) -> Journal:
        return Journal(read_lines(self.log))


@dataclass
class NodeReceiver:
    lab: Lab
    secret: str
    port: int
    log: Path
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> NodeReceiver:
        node = shutil.which("node")
        assert node, "node disappeared"
        self.process = self.lab.start(
            f"node-receiver-{self.port}",
            [node, str(NODE_RECEIVER / "server.mjs"), "--port", str(self.port),
             "--secret", self.secret, "--log", str(self.log)])
        self.lab.wait_healthy(self.process, self.port)
        return self

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()

    def entries(self) -> list[dict[str, Any]]:
        return read_lines(self.log)


@dataclass
class Lab:
    """One test's hub, database, settings and processes."""
    database_url: str
    workdir: Path
    hub: Hub | None = None
    delivery: dict[str, object] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    def configure(self, **delivery: object) -> Hub:
        """Delivery settings (``timeout_seconds=1`` for ACCOUNTS_CENTER_DELIVERY_TIMEOUT_
        SECONDS) for the worker processes and for this process's hub."""
        self.delivery = delivery
        self.hub = build_hub(cheap_settings(
            self.database_url, **{f"delivery_{k}": v for k, v in delivery.items()}))
        return self.hub

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ACCOUNTS_CENTER_")}
        env.update({
            "ACCOUNTS_CENTER_DATABASE_URL": self.database_url,
            "ACCOUNTS_CENTER_SECRET_KEY": TEST_SECRET_KEY,
            "ACCOUNTS_CENTER_RUN_MIGRATIONS_ON_START": "false",
            "COLUMNS": "200",  # Rich tables of the CLI: no wrapped cells
            "PYTHONUNBUFFERED": "1",
        })
        for name, value in self.delivery.items():
            env[f"ACCOUNTS_CENTER_DELIVERY_{name.upper()}"] = str(value)
        return env

    # --- processes --------------------------------------------------------------------
    def start(self, name: str, args: list[str]) -> Process:
        log = self.workdir / f"{name}-{len(self.processes)}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(args, cwd=self.workdir, env=self.env, stdout=out,
                                     stderr=subprocess.STDOUT)
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def worker(self, name: str = "worker", metrics_port: int | None = None) -> Process:
        args = [str(COMMAND), "worker"]
        if metrics_port is not None:
            args += ["--metrics-port", str(metrics_port)]
        return self.start(name, args)

    def cli(self, *args: str) -> str:
        done = subprocess.run([str(COMMAND), *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, f"accounts-center {' '.join(args)}:\n{done.stderr}"
        return done.stdout

    def app_and_receiver(self, name: str, mode: str = "ok") -> tuple[Credentials, Receiver]:
        """A member app whose webhook URL is a `receiver.py` holding its secret, started."""
        port = free_port()
        app = self.app(name, f"http://127.0.0.1:{port}/hook")
        assert app.webhook_secret
        mode_file = self.workdir / f"receiver-{port}.mode"
        mode_file.write_text(mode)
        receiver = Receiver(self, app.webhook_secret, port,
                            self.workdir / f"receiver-{port}.jsonl", mode_file)
        return app, receiver.start()

    def node_receiver(self, secret: str, port: int, label: str) -> NodeReceiver:
        return NodeReceiver(self, secret, port, self.workdir / f"node-{label}.jsonl")

    def wait_healthy(self, process: Process, port: int) -> None:
        def healthy() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/health",
                                 timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        self.eventually(healthy, f"{process.name} to listen", STARTUP_SECONDS)

    def eventually(self, condition: Callable[[], bool], what: str,
                   timeout: float = 30.0) -> None:
        """Polls ``condition``; fails at the deadline, or at once when a process this test
        started died unasked, with the processes' output."""
        deadline = time.monotonic() + timeout
        while not condition():
            died = [p for p in self.processes if not p.alive and p.popen.returncode not in
                    (0, -signal.SIGKILL, -signal.SIGTERM)]
            if died or time.monotonic() > deadline:
                reason = f"{died[0].name} exited with {died[0].popen.returncode}" if died \
                    else f"timed out after {timeout:g} s"
                raise AssertionError(f"waiting for {what}: {reason}\n{self.outputs()}")
            time.sleep(0.1)

    def outputs(self) -> str:
        return "\n".join(f"--- {p.name} ({'running' if p.alive else p.popen.returncode})\n"
                         f"{p.output()}" for p in self.processes)

    def close(self) -> None:
        for process in self.processes:
            if process.alive:
                process.popen.kill()
            process.popen.wait(timeout=10)
        if self.hub is not None:
            self.hub.close()

    # --- the hub's side ---------------------------------------------------------------
    def app(self, name: str, webhook_url: str) -> Credentials:
        assert self.hub is not None
        return register_app(self.hub, name, [f"https://{name.lower()}.example/cb"],
                            webhook_url)

    def write(self, app_id: str, people: list[str], per_person: int = 1) -> list[str]:
        assert self.hub is not None
        return write_events(self.hub, app_id, people, per_person=per_person)

    def events(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Each event's row: status, attempts, last_error, lease_until."""
        assert self.hub is not None
        query = text("SELECT id, status, attempts, last_error, lease_until "
                     "FROM outbox_events WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True))
        with self.hub.engine.connect() as connection:
            rows = connection.execute(query, {"ids": ids}).mappings().all()
        return {row["id"]: dict(row) for row in rows}

    def statuses(self, ids: list[str]) -> Counter[str]:
        return Counter(row["status"] for row in self.events(ids).values())

    def all_have(self, ids: list[str], status: str) -> Callable[[], bool]:
        return lambda: self.statuses(ids) == Counter({status: len(ids)})

    def count_by_status(self, app_id: str) -> Counter[str]:
        assert self.hub is not None
        with self.hub.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT status, count(*) FROM outbox_events WHERE app_id = :app "
                "GROUP BY status"), {"app": app_id}).all()
        return Counter({status: count for status, count in rows})

    def attempt_rows(self, app_id: str) -> int:
        assert self.hub is not None
        with self.hub.engine.connect() as connection:
            return int(connection.execute(text(
                "SELECT count(*) FROM delivery_attempts a JOIN outbox_events e "
                "ON e.id = a.event_id WHERE e.app_id = :app"), {"app": app_id}).scalar_one())


@pytest.fixture
def lab(database_url: str, tmp_path: Path) -> Iterator[Lab]:
    made = Lab(database_url, tmp_path)
    try:
        yield made
    finally:
        made.close()  # before `database_url` empties the tables


# Short delays so faults play out in seconds; the lease must exceed the timeout by > 1 s.
QUICK = {"timeout_seconds": 1, "lease_seconds": 3, "backoff_base_seconds": 0.2,
         "backoff_max_seconds": 1, "poll_seconds": 0.2}


def people(count: int, prefix: str = "p") -> list[str]:
    return [f"{prefix}{n}" for n in range(count)]


def assert_each_applied_once(journal: Journal, written: list[str]) -> None:
    applied = journal.applied
    twice = [i for i, n in Counter(applied).items() if n > 1]
    assert not twice, f"applied more than once: {twice[:5]}"
    assert set(applied) == set(written), (
        f"missing {len(set(written) - set(applied))}, "
        f"unexpected {len(set(applied) - set(written))}")
    refused = [e for e in journal.ends if e.get("status") == 401]
    assert not refused, f"signatures refused: {refused[:3]}"


# --- a receiver that is down for a while ------------------------------------------------
def test_a_receiver_down_for_a_while_gets_every_event_once_it_is_back(lab):
    lab.configure(**QUICK, max_attempts=100, concurrency=8)
    chat, receiver = lab.app_and_receiver("Chat")
    lab.worker()

    before = lab.write(chat.app.id, people(10, "early"))
    lab.eventually(lab.all_have(before, "delivered"), "the first events to be delivered")

    receiver.kill()  # SIGKILL: the app's server crashed
    during = lab.write(chat.app.id, people(15), per_person=2)
    firsts, seconds = during[:15], during[15:]  # each person's first and second event
    lab.eventually(lambda: all(row["attempts"] >= 2 for row in lab.events(firsts).values()),
                   "the worker to retry while the receiver is down")
    rows = lab.events(during)
    assert {row["status"] for row in rows.values()} == {"pending"}
    assert all("ConnectError" in (rows[i]["last_error"] or "") for i in firsts), rows
    # A person's second event waits behind their first, untried.
    assert {rows[i]["attempts"] for i in seconds} == {0}

    receiver.start()  # back, on the same port, with what it had applied
    lab.eventually(lab.all_have(during, "delivered"), "delivery once the receiver is back")

    journal = receiver.journal()
    assert_each_applied_once(journal, before + during)
    # The order per (app, person) held across the outage: a person's second event was
    # sent only after their first had been applied.
    applied_at = {e["id"]: e["t"] for e in journal.ends if e.get("applied")}
    first_arrival: dict[str, float] = {}
    for start in journal.starts:
        first_arrival.setdefault(start["id"], start["t"])
    by_person: dict[str, dict[int, str]] = defaultdict(dict)
    for end in journal.ends:
        if end.get("applied") and end["id"] in during:
            by_person[end["sub"]][end["n"]] = end["id"]
    assert len(by_person) == 15
    for sub, events in by_person.items():
        assert applied_at[events[0]] < first_arrival[events[1]], sub


# --- a worker killed mid-batch ---------------------------------------------------------
def test_a_worker_killed_mid_batch_and_restarted_loses_nothing(lab):
    lab.configure(timeout_seconds=1.5, lease_seconds=2.6, backoff_base_seconds=0.2,
                  backoff_max_seconds=1, poll_seconds=0.2, max_attempts=10, concurrency=4)
    chat, receiver = lab.app_and_receiver("Chat", mode="sleep:0.4")
    ids = lab.write(chat.app.id, people(16))
    first = lab.worker("worker-1")

    def mid_batch() -> bool:
        journal = receiver.journal()
        return len(journal.ends) >= 4 and len(journal.in_flight()) >= 2
    lab.eventually(mid_batch, "deliveries done and others in flight")
    first.kill()
    dead_at = time.monotonic()  # the worker is gone: no answer after this reached it

    rows = lab.events(ids)
    held = [i for i, row in rows.items()
            if row["status"] == "pending" and row["lease_until"] is not None]
    assert held, "no event was leased to the killed worker"
    assert Counter(row["status"] for row in rows.values())["delivered"] < len(ids)

    lab.worker("worker-2")
    lab.eventually(lab.all_have(ids, "delivered"), "every event delivered after restart")

    journal = receiver.journal()
    assert_each_applied_once(journal, ids)
    # A request the receiver finished only after the worker had died was never seen to
    # succeed: it came again once the lease ran out, and the receiver dropped the repeat.
    finished_late = {e["id"] for e in journal.ends if e["t"] > dead_at
                     and any(s["req"] == e["req"] and s["t"] < dead_at
                             for s in journal.starts)}
    assert finished_late, "the kill caught no delivery in flight"
    arrivals = journal.arrivals()
    assert all(arrivals[i] >= 2 for i in finished_late), {i: arrivals[i]
                                                          for i in finished_late}
    duplicates = Counter(e["id"] for e in journal.ends if e.get("duplicate"))
    assert set(finished_late) <= set(duplicates)


# --- two workers on one PostgreSQL -----------------------------------------------------
def scrape_delivered(port: int, app: str) -> float:
    page = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    found = re.search(
        rf'^accounts_center_webhooks_delivered_total\{{app="{app}"\}} (\S+)$', page, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.mark.skipif(not POSTGRES_URL, reason="needs ACCOUNTS_CENTER_TEST_POSTGRES_URL")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_workers_deliver_5000_events_none_in_flight_twice_at_once(lab):
    lab.configure(timeout_seconds=5, lease_seconds=10, backoff_base_seconds=0.2,
                  backoff_max_seconds=1, poll_seconds=0.2, max_attempts=5, concurrency=16)
    # Each request takes a little while, so that one handled twice at once would show.
    bulk, receiver = lab.app_and_receiver("Bulk", mode="sleep:0.02")
    ports = [free_port(), free_port()]
    workers = [lab.worker(f"worker-{n}", metrics_port=port) for n, port in enumerate(ports)]

    written: list[str] = []
    for batch in range(10):  # 10 commits of 500 while the workers run
        written += lab.write(bulk.app.id, people(250, f"b{batch}-"), per_person=2)
    assert len(written) == 5000
    lab.eventually(lambda: lab.count_by_status(bulk.app.id)["delivered"] == 5000,
                   "5,000 deliveries", timeout=120)
    lab.eventually(lambda: sum(scrape_delivered(p, "Bulk") for p in ports) >= 5000,
                   "the workers' metrics to count the deliveries")
    by_worker = [scrape_delivered(port, "Bulk") for port in ports]
    assert [worker.stop() for worker in workers] == [0, 0]  # SIGTERM: a clean stop

    assert lab.count_by_status(bulk.app.id) == Counter({"delivered": 5000})
    journal = receiver.journal()
    assert_each_applied_once(journal, written)
    assert all(by_worker), f"one worker did all the work: {by_worker}"
    accepted = sum(1 for e in journal.ends if e.get("status") == 204)
    assert sum(by_worker) == accepted  # every 2xx answer was counted by one worker
    assert lab.attempt_rows(bulk.app.id) == len(journal.starts)  # each request recorded
    overlapping = []
    for webhook_id, spans in journal.intervals().items():
        spans.sort()
        overlapping += [webhook_id for (_, end), (start, _) in itertools.pairwise(spans)
                        if start < end]
    assert not overlapping, f"in flight twice at once: {overlapping[:5]}"


# --- receivers that fail, hang, or are slow --------------------------------------------
def test_failing_and_hanging_receivers_get_max_attempts_then_dead_letter(lab):
    lab.configure(**QUICK, max_attempts=3, concurrency=8)  # a one-second timeout
    receivers, apps = {}, {}
    for name, mode in (("Failing", "500"), ("Hanging", "sleep:2"), ("Slow", "sleep:0.3")):
        apps[name], receivers[name] = lab.app_and_receiver(name, mode=mode)
    ids = {name: lab.write(apps[name].app.id, ["p1", "p2"]) for name in apps}
    lab.worker()

    lab.eventually(lab.all_have(ids["Slow"], "delivered"), "the slow receiver's events")
    lab.eventually(lab.all_have(ids["Failing"] + ids["Hanging"], "dead"),
                   "the failing and the hanging receivers' events to be dead-lettered")
    rows = lab.events(ids["Failing"] + ids["Hanging"])
    assert {row["attempts"] for row in rows.values()} == {3}
    assert {rows[i]["last_error"] for i in ids["Failing"]} == {"HTTP 500"}
    assert {rows[i]["last_error"] for i in ids["Hanging"]} == {"no answer within 1 s"}

    shown = lab.cli("deliveries", "show", ids["Failing"][0])
    assert "status: dead, 3 attempt(s)" in shown, shown
    attempts = [line for line in shown.splitlines() if re.search(r"│ [123] +│", line)]
    assert len(attempts) == 3 and all("500" in a and "HTTP 500" in a for a in attempts), shown
    shown = lab.cli("deliveries", "show", ids["Hanging"][0])
    assert "status: dead, 3 attempt(s)" in shown, shown
    attempts = [line for line in shown.splitlines() if re.search(r"│ [123] +│", line)]
    assert len(attempts) == 3, shown
    assert all("—" in a and "no answer within 1 s" in a for a in attempts), shown

    # Exactly max_attempts requests per event, spaced by the timeout and the backoff.
    for name in ("Failing", "Hanging"):
        journal = receivers[name].journal()
        assert journal.arrivals() == Counter({i: 3 for i in ids[name]}), name
        if name == "Failing":
            assert journal.applied == []
        for event_id in ids[name]:
            times = sorted(s["t"] for s in journal.starts if s["id"] == event_id)
            waited = 1.0 if name == "Hanging" else 0.0
            for n, (earlier, later) in enumerate(itertools.pairwise(times)):
                least = waited + 0.2 * 2 ** n * (1 - JITTER)
                assert later - earlier > least - 0.1, (name, n, later - earlier)
    slow = receivers["Slow"].journal()
    assert slow.arrivals() == Counter({i: 1 for i in ids["Slow"]})
    assert_each_applied_once(slow, ids["Slow"])

    # The app is fixed; the operator sends its dead letters again, under the same ids.
    receivers["Failing"].set_mode("ok")
    assert "Queued 2 event(s)" in lab.cli("deliveries", "replay", "--app", "Failing")
    lab.eventually(lab.all_have(ids["Failing"], "delivered"), "the replayed dead letters")
    failing = receivers["Failing"].journal()
    assert failing.arrivals() == Counter({i: 4 for i in ids["Failing"]})
    assert_each_applied_once(failing, ids["Failing"])


# --- a receiver built on the npm standardwebhooks package -------------------------------
@pytest.fixture(scope="session")
def node_receiver_installed() -> None:
    """The Node receiver's dependencies (scripts/test installs them; a bare pytest run
    installs them here). Without Node this fails: the interoperability is a requirement."""
    if shutil.which("node") is None:
        pytest.fail("Node.js 20+ is needed for the standardwebhooks (npm) interoperability "
                    "tests: install it (with npm), then run scripts/test", pytrace=False)
    if (NODE_RECEIVER / "node_modules" / "standardwebhooks").is_dir():
        return
    if shutil.which("npm") is None:
        pytest.fail(f"npm is needed to install {NODE_RECEIVER}'s packages (npm ci)",
                    pytrace=False)
    done = subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"],
                          cwd=NODE_RECEIVER, capture_output=True, text=True, timeout=300,
                          check=False)
    if done.returncode != 0:
        pytest.fail(f"npm ci in {NODE_RECEIVER} failed:\n{done.stdout}\n{done.stderr}",
                    pytrace=False)


def post_signed(url: str, secrets: list[str], webhook_id: str, body: bytes,
                send_body: bytes | None = None) -> int:
    signed_at = datetime.now(UTC)
    headers = {"webhook-id": webhook_id,
               "webhook-timestamp": str(int(signed_at.timestamp())),
               "webhook-signature": signature_header(secrets, webhook_id, signed_at, body),
               "content-type": "application/json"}
    return httpx.post(url, content=send_body or body, headers=headers, timeout=5).status_code


def test_a_receiver_verifying_with_npm_standardwebhooks_accepts_every_delivery(
        lab, node_receiver_installed):
    lab.configure(**QUICK, max_attempts=3, concurrency=8)
    port = free_port()
    chat = lab.app("Chat", f"http://127.0.0.1:{port}/hook")
    node = lab.node_receiver(chat.webhook_secret, port, "chat").start()

    # It refuses what it should, so its acceptance below means something.
    body = envelope("account.linked", datetime.now(UTC), {"sub": "s", "app_user_id": "u"})
    assert post_signed(node.url, [new_webhook_secret()], "msg_wrong_secret", body) == 401
    assert post_signed(node.url, [chat.webhook_secret], "msg_tampered", body,
                       send_body=body.replace(b'"s"', b'"t"')) == 401
    assert post_signed(node.url, [chat.webhook_secret], "msg_genuine", body) == 204

    lab.worker()
    ids = lab.write(chat.app.id, people(10))
    lab.eventually(lab.all_have(ids, "delivered"), "delivery to the Node receiver")
    got = [e for e in node.entries() if e["id"] in ids]
    assert sorted(e["id"] for e in got) == sorted(ids)
    assert all(e["ok"] and e["type"] == "account.linked" for e in got), got
    probes = {e["id"]: e["ok"] for e in node.entries() if e["id"].startswith("msg_")}
    assert probes == {"msg_wrong_secret": False, "msg_tampered": False, "msg_genuine": True}


def test_during_a_rotation_node_receivers_with_the_old_or_the_new_secret_both_accept(
        lab, node_receiver_installed):
    lab.configure(**QUICK, max_attempts=3, concurrency=8)
    port = free_port()
    chat = lab.app("Chat", f"http://127.0.0.1:{port}/hook")
    rotated = lab.cli("apps", "rotate-webhook-secret", "Chat", "--overlap-hours", "1")
    new_secret = re.search(r"^webhook_secret: (whsec_\S+)$", rotated, re.M).group(1)
    assert new_secret != chat.webhook_secret
    lab.worker()

    for label, secret in (("old", chat.webhook_secret), ("new", new_secret)):
        node = lab.node_receiver(secret, port, label).start()
        ids = lab.write(chat.app.id, people(5, label))
        lab.eventually(lab.all_have(ids, "delivered"),
                       f"delivery to the receiver holding only the {label} secret")
        got = [e for e in node.entries() if e["id"] in ids]
        assert sorted(e["id"] for e in got) == sorted(ids), label
        assert all(e["ok"] and e["signatures"] == 2 for e in got), (label, got)
        node.kill()

    # Without an overlap the previous secret stops signing at once: a receiver holding
    # only it refuses every delivery, and the events are dead-lettered.
    lab.cli("apps", "rotate-webhook-secret", "Chat", "--overlap-hours", "0")
    node = lab.node_receiver(new_secret, port, "stale").start()
    ids = lab.write(chat.app.id, people(2, "late"))
    lab.eventually(lab.all_have(ids, "dead"), "the refused events to be dead-lettered")
    got = [e for e in node.entries() if e["id"] in ids]
    assert len(got) == 6 and not any(e["ok"] for e in got), got
    assert {e["signatures"] for e in got} == {1}


# --- what a worker writes down -----------------------------------------------------------
def test_a_worker_never_writes_a_webhook_url_down(lab):
    """The URL may carry the app's own token: it appears in no log line of the worker and
    in no attempt record, whether deliveries succeed or fail (SECURITY-CHECKLIST 49)."""
    lab.configure(**QUICK, max_attempts=2)
    token = "s3cr3t-query-token"
    port = free_port()
    chat = lab.app("Chat", f"http://127.0.0.1:{port}/hook?token={token}")
    mode_file = lab.workdir / "receiver.mode"
    mode_file.write_text("ok")
    receiver = Receiver(lab, chat.webhook_secret, port, lab.workdir / "receiver.jsonl",
                        mode_file).start()
    worker = lab.worker()
    delivered = lab.write(chat.app.id, people(3))
    lab.eventually(lab.all_have(delivered, "delivered"), "delivery")
    receiver.kill()
    failed = lab.write(chat.app.id, people(2, "late"))
    lab.eventually(lab.all_have(failed, "dead"), "dead letters while the receiver is down")
    assert worker.stop() == 0
    assert token not in worker.output(last=1_000_000)
    with lab.hub.engine.connect() as connection:
        errors = connection.execute(text("SELECT error FROM delivery_attempts")).scalars()
        assert not any(token in (e or "") for e in errors)
