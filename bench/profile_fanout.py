"""Fan-out of one profile change to 10 linked apps, end to end to the webhook: the time
from the person saving their name in the console to each app's receiver having the
`profile.updated` webhook (issue 13, point 10).

On demand only: never run in CI; `tests/bench/test_profile_fanout.py` runs a tiny version
of it so it cannot silently rot. Meant for the 2-core machine.

Per backend (a fresh SQLite file, or a fresh schema of the PostgreSQL at --database-url,
dropped afterwards):

* Set-up, in this process through the services: --apps member apps that declare they
  receive `account_details`, `profile_photo` and `avatar`, each with its webhook URL at
  the receiver (`/hooks/<n>`); one person, linked to every app, with sync on for the name
  on every link (`set_sync`, as the console's switch does).
* The hub: one `accounts-center serve` process pinned to core 0 (`taskset`). On SQLite it
  delivers webhooks itself (its in-process worker wakes on the commit); on PostgreSQL an
  `accounts-center worker` process, pinned to core 0 as well, wakes on LISTEN/NOTIFY.
  PostgreSQL's own processes are not pinned.
* The receiver: bench/webhook_delivery.py's (uvicorn, raw ASGI), pinned to core 1; it
  verifies each Standard Webhooks signature with the app's secret and notes the
  wall-clock arrival of each `webhook-id` once.
* The driver (this process, core 1): the person's browser. With their session cookie it
  posts the console's profile form (`POST /profile`, name "Bench <n>", CSRF token) every
  --interval seconds, --changes times after --warmup changes not measured, one at a time,
  noting the wall-clock time just before each request.
* Latency, per (change, app) pair: the receiver's arrival of that app's `profile.updated`
  for that change (found through the outbox: `webhook-id` is the event's id, its payload
  names the value) minus the time the change was requested. p50, p99 and max over all
  pairs. Every pair must arrive within --drain seconds ("lost" otherwise).

Target: **p99 ≤ 200 ms** on both backends.

Usage (from the repository root)::

    .venv/bin/python bench/profile_fanout.py --write-docs
    .venv/bin/python bench/profile_fanout.py --backend sqlite --changes 50

Exit status: 0 when every run met the target with nothing lost; 1 when set-up failed or
a change was refused; 2 when a target was missed or a webhook lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_sections import Table, write_section
from login_throughput import (
    LOAD_CORE,
    SERVER_CORE,
    cpu_model,
    free_port,
    git_commit,
    hub_environment,
    hub_settings,
    percentile,
    pin_to_load_core,
    prepared_database,
    running_hub,
    venv_tool,
)
from webhook_delivery import http_json, start, stop, wait_for_receiver

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P99_MS = 200.0
SECTION = "profile-fanout"
PASSWORD = "bench-correct-horse-battery-staple"
RECEIVES = ["account_details", "profile_photo", "avatar"]
CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
NAME = "Bench {n}"
WEBHOOK_RECEIVER = Path(__file__).resolve().parent / "webhook_delivery.py"


def prepare_people_and_apps(env: dict[str, str], apps: int,
                            receiver: str) -> tuple[str, list[str]]:
    """The apps and the person, linked, name synced everywhere; returns the person's
    session token and the apps' webhook secrets (in /hooks/<n> order)."""
    from accounts_center.domain.origin import RequestOrigin
    from accounts_center.hub import build_hub
    from accounts_center.services.links import activate_link, confirm_link
    from accounts_center.services.member_apps import register_app
    from accounts_center.services.profiles import set_sync
    from accounts_center.services.sign_up import sign_up
    from accounts_center.store import migrate

    settings = hub_settings(env)
    migrate.upgrade(settings.database_url)
    hub = build_hub(settings)
    try:
        origin = RequestOrigin("127.0.0.1", "bench")
        session = sign_up(hub, "fanout-bench@example.com", PASSWORD, origin)
        person, secrets, links = session.identity_id, [], []
        for n in range(apps):
            made = register_app(hub, f"Bench{n}", [f"http://127.0.0.1:1/cb{n}"],
                                f"{receiver}/hooks/{n}", {"receives": RECEIVES})
            secrets.append(made.webhook_secret)
            with hub.unit_of_work() as uow:
                row = uow.member_apps.by_id(made.app.id)
                assert row is not None
                now = hub.clock.now()
                pending = confirm_link(uow, hub, person, row, f"user-{n}", f"@u{n}",
                                       origin, now)
                link = activate_link(uow, hub, pending.id, now)
                assert link is not None
                uow.commit()
            links.append(link.id)
        for link_id in links:
            set_sync(hub, person, link_id, "name", True)
    finally:
        hub.close()
    return session.token, secrets


@contextmanager
def running_receiver(port: int, secrets: list[str], env: dict[str, str],
                     workdir: Path) -> Iterator[str]:
    secrets_file = workdir / "secrets.json"
    secrets_file.write_text(json.dumps(secrets))
    process = start(["taskset", "-c", str(LOAD_CORE), venv_tool("python"),
                     str(WEBHOOK_RECEIVER), "--receive", str(port), str(secrets_file)],
                    env, workdir / "receiver.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_receiver(process, base, workdir / "receiver.log")
        yield base
    finally:
        stop(process)


@contextmanager
def running_worker(env: dict[str, str], workdir: Path) -> Iterator[None]:
    """PostgreSQL: `serve` does not deliver; a worker beside it, on the hub's core."""
    log = workdir / "worker.log"
    process = start(["taskset", "-c", str(SERVER_CORE), venv_tool("accounts-center"),
                     "worker"], env, log)
    try:
        deadline = time.monotonic() + 60
        while b"Delivering events" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"error: the worker did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield
    finally:
        stop(process)


class Person:
    """The person's browser on the console, with their session."""

    def __init__(self, base: str, session_token: str) -> None:
        self.client = httpx.Client(base_url=base, timeout=30,
                                   cookies={"ac_session": session_token})
        page = self.client.get("/profile")
        found = CSRF_INPUT.search(page.text)
        if page.status_code != 200 or found is None:
            raise SystemExit(f"error: GET /profile answered {page.status_code} without a "
                             "form token: is the session cookie accepted?")
        self.csrf = found.group(1)

    def save_name(self, n: int) -> tuple[float, float]:
        """Posts the profile form; returns the wall-clock times just before it and when
        its answer (the redirect, after the commit) arrived."""
        requested = time.time()
        answer = self.client.post("/profile", data={
            "name": NAME.format(n=n), "handle": "", "bio": "", "csrf_token": self.csrf})
        if answer.status_code != 303 or answer.headers.get("location") != \
                "/profile?done=saved":
            raise SystemExit(f"error: POST /profile answered {answer.status_code}: "
                             f"{answer.text[:300]!r}")
        return requested, time.time()


def sent_events(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(webhook id, app id, value) of every profile.updated in the outbox."""
    from sqlalchemy import create_engine, select

    from accounts_center.store.outbox_models import OutboxEventRow

    engine = create_engine(hub_settings(env).database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(
                OutboxEventRow.id, OutboxEventRow.app_id, OutboxEventRow.payload).where(
                OutboxEventRow.type == "profile.updated")).all()
    finally:
        engine.dispose()
    return [(row.id, row.app_id, str(row.payload.get("value"))) for row in rows]


def run_backend(database_url: str | None, args: argparse.Namespace) -> dict[str, Any]:
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(
            prefix="ac-fanout-bench-")))
        database = stack.enter_context(prepared_database(database_url, workdir))
        port, receiver_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        env = hub_environment(workdir, database.url, base)
        token, secrets = prepare_people_and_apps(env, args.apps,
                                                 f"http://127.0.0.1:{receiver_port}")
        receiver = stack.enter_context(running_receiver(receiver_port, secrets, env, workdir))
        stack.enter_context(running_hub(port, env, workdir))
        if database.is_postgres:
            stack.enter_context(running_worker(env, workdir))
        # Each link told its app (`account.linked`): once those arrived, delivery works.
        deadline = time.monotonic() + args.drain
        while (baseline := http_json(f"{receiver}/count")["received"]) < args.apps:
            if time.monotonic() > deadline:
                raise SystemExit("error: the account.linked webhooks did not arrive")
            time.sleep(0.1)
        person = Person(base, token)
        total = args.warmup + args.changes
        print(f"      {database.kind}: {total} changes ({args.warmup} warm-up), one every "
              f"{args.interval * 1000:g} ms, to {args.apps} apps ...", flush=True)
        requested: dict[str, tuple[float, float]] = {}
        started = time.perf_counter()
        for n in range(total):
            due = started + n * args.interval
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            requested[NAME.format(n=n)] = person.save_name(n)
        span = time.perf_counter() - started
        expected = baseline + total * args.apps
        deadline = time.monotonic() + args.drain
        while http_json(f"{receiver}/count")["received"] < expected \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        dump = http_json(f"{receiver}/dump")
        events = sent_events(env)
    measured = {NAME.format(n=n) for n in range(args.warmup, total)}
    arrivals: dict[str, float] = dump["arrivals"]
    arrived = [(arrivals[event_id], *requested[value]) for event_id, _, value in events
               if value in measured and event_id in arrivals]
    latencies = [(at - asked) * 1000 for at, asked, _ in arrived]
    after_answer = [(at - answered) * 1000 for at, _, answered in arrived]
    console = [(requested[v][1] - requested[v][0]) * 1000 for v in measured]
    pairs = len(measured) * args.apps
    return {"database": database.kind, "apps": args.apps, "changes": args.changes,
            "interval_ms": args.interval * 1000,
            "changes_per_s": total / span, "pairs": pairs, "arrived": len(latencies),
            "events": sum(1 for _, _, value in events if value in measured),
            "lost": pairs - len(latencies), "repeats": dump["repeats"],
            "invalid": dump["invalid"], "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies) if latencies else float("nan"),
            "console_p50_ms": percentile(console, 50), "console_p99_ms": percentile(console, 99),
            "after_p50_ms": percentile(after_answer, 50),
            "after_p99_ms": percentile(after_answer, 99)}


# --------------------------------------------------------------------------- report

HEADER = ("| date | database | apps | changes | every | p50 | p99 | max | ≤ 200 ms "
          "| POST /profile p50 / p99 | answer → webhook p50 / p99 | lost | repeats | commit |",
          "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: "
          "| ---: | --- |")


def verdict(result: dict[str, Any]) -> str:
    if result["lost"] or result["invalid"]:
        return "FAIL (lost)"
    return "PASS" if result["p99_ms"] <= TARGET_P99_MS else "FAIL"


def row(result: dict[str, Any], day: str, commit: str) -> str:
    return (f"| {day} | {result['database']} | {result['apps']} | {result['changes']} | "
            f"{result['interval_ms']:g} ms | {result['p50_ms']:.1f} ms | "
            f"{result['p99_ms']:.1f} ms | {result['max_ms']:.0f} ms | {verdict(result)} | "
            f"{result['console_p50_ms']:.1f} / {result['console_p99_ms']:.1f} ms | "
            f"{result['after_p50_ms']:.1f} / {result['after_p99_ms']:.1f} ms | "
            f"{result['lost']} | {result['repeats']} | `{commit}` |")


INTRO = """\
The time from a person saving their name in the console to each linked app's receiver
having the `profile.updated` webhook, with 10 apps keeping the name in sync. Target:
**p99 ≤ 200 ms** over all (change, app) pairs.

How `bench/profile_fanout.py` measures:

* Set-up through the services: 10 member apps that declare they receive
  `account_details`, `profile_photo` and `avatar`, webhook URLs at one receiver; one
  person linked to all 10 with sync on for the name on every link.
* The hub: one `accounts-center serve` process pinned to core 0, on a fresh SQLite file
  (it delivers webhooks itself, woken by the commit) or a fresh PostgreSQL schema (an
  `accounts-center worker` process beside it, also on core 0, woken by LISTEN/NOTIFY;
  PostgreSQL's processes are not pinned).
* The receiver: the one of `bench/webhook_delivery.py` (uvicorn, raw ASGI) on core 1: it
  verifies each Standard Webhooks signature and notes when each `webhook-id` arrived.
* The driver, on core 1: the person's browser with their session cookie posts the profile
  form (`POST /profile`, a new name each time, CSRF token) one change every 50 ms, 200
  changes after 10 not measured (2,000 measured webhooks), one at a time.
* Latency per (change, app): the arrival of that app's `profile.updated` carrying that
  change's name minus the moment just before the form was posted, so it includes the
  console request itself (10 sharing-gate decisions, ledger entries and outbox rows in
  one transaction), the worker's wake-up and claim, signing and the HTTP delivery. Every
  pair must arrive ("lost" otherwise). The table splits it: "POST /profile" is the form
  request's own time (until its redirect arrived, after the commit), "answer → webhook"
  the rest (arrival minus the redirect's arrival)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", default=POSTGRES_URL)
    parser.add_argument("--apps", type=int, default=10)
    parser.add_argument("--changes", type=int, default=200, help="measured changes")
    parser.add_argument("--warmup", type=int, default=10, help="changes not measured")
    parser.add_argument("--interval", type=float, default=0.05,
                        help="seconds between changes (default 0.05)")
    parser.add_argument("--drain", type=float, default=30.0,
                        help="seconds to wait for the last webhooks")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    pin_to_load_core()
    day, commit = dt.date.today().isoformat(), git_commit()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        results.append(run_backend(args.database_url if backend == "postgresql" else None,
                                   args))
    rows = [row(result, day, commit) for result in results]
    print("\n".join(["", *HEADER, *rows]))
    if args.write_docs:
        write_section(SECTION, "Profile fan-out: one change to 10 linked apps, to the "
                      "webhook (issue 13)", INTRO.splitlines(),
                      [Table("Newest first:", HEADER, rows)], [
                          "Reproduce, from the repository root on the 2-core machine "
                          "(both backends; PostgreSQL at 127.0.0.1:5432, database `test`):",
                          "", "```sh", ".venv/bin/python bench/profile_fanout.py --write-docs",
                          "```", "",
                          f"Machine of the newest run: {os.cpu_count()} cores, {cpu_model()}, "
                          f"Python {platform.python_version()}, {day}."])
        print("\nrecorded in docs/benchmarks.md")
    return 0 if all(verdict(r) == "PASS" for r in results) else 2


if __name__ == "__main__":
    sys.exit(main())
