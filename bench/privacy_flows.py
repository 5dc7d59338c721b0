"""Privacy core: pure policy decisions per second, and the data API's push and read calls
per second with and without the ledger write (issue 4).

    .venv/bin/python bench/privacy_flows.py [--database-url URL] [--write-docs]

* Decisions: `domain.policy.decide` in a loop over a mix of allowed and denied flows, on
  core 0. Target: at least 200,000 per second.
* API: one hub process (`serve` on a fresh SQLite file, or a fresh schema of the
  PostgreSQL at --database-url) pinned to core 0 with a member app and --people linked
  people (50); 4 client threads on core 1 push `device` data (POST
  /v1/app/users/…/data/device) and read it (GET …?purpose=security_and_integrity) for
  --duration seconds each, going round the people (appends to one person's ledger take
  turns, as they must, so a single person would measure that queue, not the ledger). The same
  run is repeated with the ledger write replaced by a no-op in the server process
  (`--no-ledger`, for this measurement only). Target: the ledger adds at most 20 % to a
  call, i.e. calls/s with the ledger ≥ calls/s without ÷ 1.2.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from oidc_tokens import database, free_port, pinned_server

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:privacy-flows:begin -->", "<!-- bench:privacy-flows:end -->"
DECISIONS_TARGET = 200_000
LEDGER_OVERHEAD_TARGET = 1.20


def decisions_per_second(seconds: float) -> float:
    from accounts_center.domain.policy import HUB, Facts, Flow, LinkFact, decide

    os.sched_setaffinity(0, {0})
    facts = Facts({"chat": LinkFact("chat", "ada", True), "pics": LinkFact("pics", "ada", True)},
                  {"chat": frozenset({"device", "activity"})},
                  {"pics": frozenset({"device", "activity", "age"})}, ad_consent=False)
    flows = [Flow("chat", HUB, "ada", "device", "security_and_integrity"),
             Flow(HUB, "pics", "ada", "activity", "advertising"),      # no consent
             Flow("chat", HUB, "ada", "messages", "cross_app_features"),  # never shared
             Flow(HUB, "pics", "ada", "age", "cross_app_features"),
             Flow("chat", HUB, "bob", "device", "security_and_integrity")]  # other person
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(2000):
            for flow in flows:
                decide(flow, facts)
        count += 2000 * len(flows)
    return count / (time.perf_counter() - started)


def prepare(env: dict[str, str], people: int) -> dict[str, str]:
    os.environ.update(env)
    from accounts_center.domain.origin import RequestOrigin
    from accounts_center.hub import build_hub
    from accounts_center.services.links import activate_link, confirm_link
    from accounts_center.services.member_apps import register_app
    from accounts_center.services.sign_up import sign_up
    from accounts_center.settings import Settings
    from accounts_center.store import migrate

    settings = Settings()
    migrate.upgrade(settings.database_url)
    hub = build_hub(settings)
    try:
        credentials = register_app(hub, "Bench", ["http://127.0.0.1:1/cb"],
                                   "http://127.0.0.1:1/hooks",
                                   {"sends": ["device"], "receives": ["device"]})
        for index in range(people):
            session = sign_up(hub, f"bench{index}@example.com", "correct horse battery",
                              RequestOrigin("127.0.0.1", "bench"))
            with hub.unit_of_work() as uow:
                app = uow.member_apps.by_client_id(credentials.app.client_id)
                pending = confirm_link(uow, hub, session.identity_id, app,
                                       f"bench-user-{index}", f"@bench{index}",
                                       RequestOrigin("127.0.0.1", "bench"), hub.clock.now())
                activate_link(uow, hub, pending.id, hub.clock.now())
                uow.commit()
    finally:
        hub.close()
    return {"client_id": credentials.app.client_id, "secret": credentials.client_secret,
            "people": str(people)}


def serve(port: int, no_ledger: bool) -> None:
    """The hub as `accounts-center serve` runs it, optionally without the ledger write."""
    import uvicorn

    from accounts_center.hub import build_hub
    from accounts_center.services import sharing
    from accounts_center.settings import Settings
    from accounts_center.web.app import create_app

    if no_ledger:
        # The data API ledgers through the sharing gate (services/sharing.py).
        sharing.append_entry = lambda *args, **kwargs: None  # type: ignore[assignment]
    hub = build_hub(Settings(), serving=True)
    try:
        uvicorn.run(create_app(hub), host="127.0.0.1", port=port, log_level="warning")
    finally:
        hub.close()


def load(port: int, setup: dict[str, str], mode: str, seconds: float,
         workers: int) -> dict[str, Any]:
    os.sched_setaffinity(0, {1})
    auth = "Basic " + base64.b64encode(
        f"{setup['client_id']}:{setup['secret']}".encode()).decode()
    counts, errors, latencies = [0] * workers, [0] * workers, [[] for _ in range(workers)]
    stop = time.monotonic() + seconds

    people = int(setup["people"])

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = 0
        while time.monotonic() < stop:
            n += 1
            user = f"bench-user-{(index + n * workers) % people}"
            started = time.perf_counter()
            if mode == "push":
                body = json.dumps({"purpose": "security_and_integrity",
                                   "fields": {"model": f"phone {index}-{n}", "os": "17"}})
                connection.request("POST", f"/v1/app/users/{user}/data/device", body,
                                   {"Authorization": auth,
                                    "Content-Type": "application/json"})
            else:
                connection.request(
                    "GET", f"/v1/app/users/{user}/data/device"
                    "?purpose=security_and_integrity", headers={"Authorization": auth})
            response = connection.getresponse()
            response.read()
            latencies[index].append(time.perf_counter() - started)
            if response.status in (200, 201):
                counts[index] += 1
            else:
                errors[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = sorted(x for part in latencies for x in part)
    return {"rps": round(sum(counts) / seconds, 1), "errors": sum(errors),
            "p50_ms": round(merged[len(merged) // 2] * 1000, 2) if merged else None}


def measure_api(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with database(args.database_url, workdir) as (url, kind):
        env = {**os.environ, "ACCOUNTS_CENTER_DATABASE_URL": url,
               "ACCOUNTS_CENTER_SECRET_KEY": secrets.token_urlsafe(48),
               "ACCOUNTS_CENTER_PUBLIC_URL": "http://127.0.0.1:8000",
               # Setting up the people hashes their passwords; nothing here logs in.
               "ACCOUNTS_CENTER_ARGON2_TIME_COST": "1", "ACCOUNTS_CENTER_ARGON2_MEMORY_KIB": "1024",
               "ACCOUNTS_CENTER_ARGON2_PARALLELISM": "1",
               "ACCOUNTS_CENTER_SIGNUPS_PER_ADDRESS_PER_HOUR": "1000000"}
        setup = prepare(env, args.people)
        results: dict[str, Any] = {"database": kind}
        for variant in ("ledger", "no-ledger"):
            port = free_port()
            command = [str(VENV_BIN / "python"), str(Path(__file__).resolve()), "--serve",
                       str(port), *(["--no-ledger"] if variant == "no-ledger" else [])]
            with pinned_server(command, workdir, env, f"http://127.0.0.1:{port}/v1/health",
                               workdir / f"hub-{variant}.log"):
                load(port, setup, "push", 2.0, args.workers)  # warm-up
                results[variant] = {
                    mode: load(port, setup, mode, args.duration, args.workers)
                    for mode in ("push", "read")}
        return results


def write_docs(decisions: float, api: dict[str, Any]) -> list[str]:
    day = time.strftime("%Y-%m-%d")
    rows = []
    for mode in ("push", "read"):
        on, off = api["ledger"][mode], api["no-ledger"][mode]
        cost = off["rps"] / on["rps"] if on["rps"] else float("inf")
        rows.append(f"| {day} | {api['database']} | {mode} | {on['rps']} | {off['rps']} | "
                    f"{cost:.2f} | {on['errors'] + off['errors']} |")
    decision_row = f"| {day} | {decisions:,.0f} |"
    if "--write-docs" not in sys.argv:
        return [decision_row, *rows]
    text = DOCS.read_text()
    old_rows, old_decisions = [], []
    if BEGIN in text:
        section = text[text.index(BEGIN):text.index(END)]
        old_rows = [ln for ln in section.splitlines() if ln.startswith("| 20")
                    and ln.count("|") == 8]
        old_decisions = [ln for ln in section.splitlines() if ln.startswith("| 20")
                         and ln.count("|") == 3]
        text = text[:text.index(BEGIN)] + text[text.index(END) + len(END):]
    section = "\n".join([
        BEGIN, "## Privacy core: policy decisions and the data API (issue 4)", "",
        "Pure `domain.policy.decide` calls per second on one core (a mix of allowed and "
        "denied flows; target ≥ 200,000):", "",
        "| date | decisions/s |", "| --- | ---: |", decision_row, *old_decisions, "",
        "Data API calls per second, one hub process on core 0, 4 client threads on core 1 "
        "going round 50 linked people, with the ledger write and with it replaced by a "
        "no-op (target: the ledger adds at most 20 %, i.e. without ÷ with ≤ 1.20):", "",
        "```sh", ".venv/bin/python bench/privacy_flows.py --write-docs",
        ".venv/bin/python bench/privacy_flows.py --write-docs --database-url "
        "postgresql+psycopg://postgres@127.0.0.1:5432/test", "```", "",
        "| date | database | call | with ledger /s | without /s | without ÷ with | errors |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |", *rows, *old_rows, "", END])
    DOCS.write_text(text.rstrip("\n") + "\n\n" + section + "\n")
    return [decision_row, *rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-ledger", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.no_ledger)
        return 0
    decisions = decisions_per_second(3.0)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="privacy-bench-") as folder:
        api = measure_api(args, Path(folder))
    for line in write_docs(decisions, api):
        print(line)
    worst = max(api["no-ledger"][m]["rps"] / max(api["ledger"][m]["rps"], 0.1)
                for m in ("push", "read"))
    ok = decisions >= DECISIONS_TARGET and worst <= LEDGER_OVERHEAD_TARGET
    print(f"decisions/s {decisions:,.0f} (target ≥ {DECISIONS_TARGET:,}); "
          f"ledger cost x{worst:.2f} (target ≤ {LEDGER_OVERHEAD_TARGET})")
    return 0 if ok else 2


if __name__ == "__main__":
    raise SystemExit(main())
