"""Avatar renders per second on one core, and a cached avatar PNG served over HTTP to an
app (issue 13, point 10).

On demand only: never run in CI; `tests/bench/test_avatar_renders.py` runs a tiny
version of it so it cannot silently rot. Meant for the 2-core machine.

Renders (`services/avatar_render.render_avatar`, in this process pinned to core 0):

* cold: every call a different avatar (specs drawn by `AvatarSpec.randomised` with a
  fixed seed, all digests distinct, drawn before the clock starts), so every call misses
  the `InProcessRenderCache` and draws the avatar (python-avatars, then the SVG
  sanitiser; for PNG, resvg-py as well);
* cached: the same avatar again and again, after one render: the spec's digest and a
  cache look-up.

SVG, and PNG at each size apps may ask for (64, 256, 1024 px; 256 is what apps are sent).

HTTP (the figure with a target): one `accounts-center serve --no-worker` process pinned to
core 0 with `taskset` (nothing to deliver: the bench's app has no receiver), on a fresh
SQLite file or PostgreSQL schema. A person saves an avatar; an app declaring that it
receives `avatar` is linked with avatar sync on, and reads the profile
(`read_profile_for_app`), which gives it `avatar_url`: the 256 px PNG's signed media
URL, `GET /media/{digest}?app=&exp=&sig=`, exactly what it is sent. `wrk` (one thread,
--connections keep-alive connections, pinned to core 1) fetches that URL for --duration
seconds after --warmup seconds, without `If-None-Match` (full 200 bodies); then again with
`If-None-Match` set to the ETag (304s, no body). Every answer must be a 200 (or a 304)
and the first one is checked to be the same PNG the renderer makes. Target: **≥ 2,000
req/s** for the 200s on the hub's one core. "hub busy" is the hub process's CPU time over
the window; the script repeats a measurement while other processes took more than 5% of
core 0 (`/proc/stat`), and records only undisturbed runs.

Usage (from the repository root)::

    .venv/bin/python bench/avatar_renders.py --write-docs
    .venv/bin/python bench/avatar_renders.py --write-docs --http-only \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Exit status: 0 when the target is met; 1 when an answer was wrong or the run could not be
set up; 2 when the rate is below the target; 3 when other work disturbed every attempt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_sections import Table, write_section
from login_throughput import (
    LOAD_CORE,
    SERVER_CORE,
    Consumer,
    CpuWindow,
    cpu_model,
    free_port,
    git_commit,
    hub_environment,
    hub_settings,
    pin_to_load_core,
    postgres_cpu_seconds,
    prepared_database,
    process_cpu_seconds,
    running_hub,
    wait_for_quiet,
)

TARGET_RPS = 2000.0
MAX_FOREIGN_SERVER = 0.05  # CPU other processes may take on the hub's core
SECTION = "avatar-renders"
PNG_SIZES = (64, 256, 1024)
CASES = [("svg", None), *(("png", size) for size in PNG_SIZES)]
SEED = 13


# --------------------------------------------------------------------------- renders

def distinct_specs(count: int) -> list[Any]:
    from accounts_center.domain.avatar import DEFAULT_AVATAR

    rng, seen, specs = random.Random(SEED), set(), []
    while len(specs) < count:
        spec = DEFAULT_AVATAR.randomised(rng)
        if spec.digest() not in seen:
            seen.add(spec.digest())
            specs.append(spec)
    return specs


def renders_per_second(format: str, size: int | None, cold: bool, seconds: float,
                       specs: list[Any]) -> dict[str, Any]:
    """Calls of `render_avatar` in ``seconds`` (or until the distinct specs run out)."""
    from accounts_center.services.avatar_render import InProcessRenderCache, render_avatar

    cache = InProcessRenderCache()
    if not cold:
        render_avatar(specs[0], cache, format=format, size=size)  # type: ignore[arg-type]
    count, cpu0 = 0, time.process_time()
    started = time.perf_counter()
    while True:
        spec = specs[count] if cold else specs[0]
        render_avatar(spec, cache, format=format, size=size)  # type: ignore[arg-type]
        count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds or (cold and count == len(specs)):
            break
    return {"format": format, "size": size, "cold": cold, "renders": count,
            "seconds": elapsed, "per_second": count / elapsed,
            "ms_cpu_per_render": (time.process_time() - cpu0) / count * 1000}


def measure_renders(seconds: float, cold_specs: int) -> list[dict[str, Any]]:
    """Every case on core 0 (this process moves there for it, then back to core 1)."""
    os.sched_setaffinity(0, {SERVER_CORE})
    try:
        specs = distinct_specs(cold_specs)
        for format, size in CASES:  # warm-up: imports, the library's templates
            renders_per_second(format, size, True, 0.2, specs[-20:])
        results = []
        for cold in (True, False):
            for format, size in CASES:
                wait_for_quiet(60, sample=1.0)
                result = renders_per_second(format, size, cold, seconds, specs)
                print(f"      {case_name(result):<10} {'cold' if cold else 'cached':<7}"
                      f"{result['per_second']:>12,.0f} renders/s", flush=True)
                results.append(result)
        return results
    finally:
        os.sched_setaffinity(0, {LOAD_CORE})


def case_name(result: dict[str, Any]) -> str:
    return "SVG" if result["format"] == "svg" else f"PNG {result['size']} px"


# --------------------------------------------------------------------------- the hub

def prepare_avatar_url(env: dict[str, str]) -> tuple[str, bytes]:
    """A person with an avatar and an app that syncs it; the URL the app is given for the
    256 px PNG, and the PNG the renderer makes."""
    from accounts_center.domain.avatar import DEFAULT_AVATAR
    from accounts_center.domain.origin import RequestOrigin
    from accounts_center.hub import build_hub
    from accounts_center.services.avatar_render import InProcessRenderCache, render_avatar
    from accounts_center.services.links import activate_link, confirm_link
    from accounts_center.services.member_apps import register_app, show_app
    from accounts_center.services.profiles import (
        read_profile_for_app,
        set_profile_avatar,
        set_sync,
    )
    from accounts_center.services.sign_up import sign_up
    from accounts_center.store import migrate

    settings = hub_settings(env)
    migrate.upgrade(settings.database_url)
    hub = build_hub(settings)
    try:
        origin = RequestOrigin("127.0.0.1", "bench")
        person = sign_up(hub, "avatar-bench@example.com", "correct horse battery staple",
                         origin).identity_id
        spec = DEFAULT_AVATAR.randomised(random.Random(SEED))
        set_profile_avatar(hub, person, spec.to_document())
        register_app(hub, "Bench", ["http://127.0.0.1:1/cb"], "http://127.0.0.1:1/hooks",
                     {"receives": ["avatar"]})
        app = show_app(hub, "Bench")
        with hub.unit_of_work() as uow:
            row = uow.member_apps.by_id(app.id)
            assert row is not None
            now = hub.clock.now()
            pending = confirm_link(uow, hub, person, row, "bench-user", "@bench", origin, now)
            link = activate_link(uow, hub, pending.id, now)
            assert link is not None
            uow.commit()
        set_sync(hub, person, link.id, "avatar", True)
        url = str(read_profile_for_app(hub, app, "bench-user").values["avatar_url"])
        png = render_avatar(spec, InProcessRenderCache(), format="png", size=256).content
    finally:
        hub.close()
    return url, png


def check_answers(client: httpx.Client, url: str, png: bytes) -> str:
    """The URL answers the PNG (200), and its ETag with a 304; returns the ETag."""
    full = client.get(url)
    if full.status_code != 200 or full.headers.get("content-type") != "image/png" \
            or full.content != png:
        raise SystemExit(f"error: {url} answered {full.status_code} "
                         f"{full.headers.get('content-type')} ({len(full.content)} bytes), "
                         "not the avatar's PNG")
    etag = full.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    if again.status_code != 304:
        raise SystemExit(f"error: with If-None-Match, {url} answered {again.status_code}")
    return etag


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    def number(pattern: str) -> float:
        found = re.search(pattern, output)
        if found is None:
            raise SystemExit(f"error: unexpected wrk output:\n{output}")
        return float(found.group(1))

    def latency(pct: str) -> float:
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    wrong = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {"requests": int(number(r"(\d+) requests in")),
            "per_second": number(r"Requests/sec:\s+([\d.]+)"),
            "p50_ms": latency("50"), "p99_ms": latency("99"),
            "wrong": int(wrong.group(1)) if wrong else 0,
            "socket_errors": socket_errors.group(1).strip() if socket_errors else ""}


def run_wrk(url: str, headers: dict[str, str], connections: int, seconds: float) -> str:
    command = ["taskset", "-c", str(LOAD_CORE), "wrk", "-t1", f"-c{connections}",
               f"-d{seconds:g}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True,
                          timeout=seconds + 60)
    if done.returncode != 0:
        raise SystemExit(f"error: wrk failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def measure_http(url: str, headers: dict[str, str], args: argparse.Namespace,
                 hub_pid: int, postgres: bool) -> dict[str, Any]:
    ours = {"hub": Consumer(lambda: process_cpu_seconds(hub_pid), SERVER_CORE)}
    if postgres:
        ours["postgres"] = Consumer(postgres_cpu_seconds, None)
    for attempt in range(1, args.attempts + 1):
        wait_for_quiet(args.quiet_timeout)
        if args.warmup:
            run_wrk(url, headers, args.connections, args.warmup)
        window = CpuWindow(ours)
        window.start()
        result = parse_wrk(run_wrk(url, headers, args.connections, args.duration))
        cpu = window.stop()
        result.update(hub_busy=cpu["hub_cores"], foreign=cpu["foreign"][SERVER_CORE],
                      postgres_cores=cpu.get("postgres_cores"), attempt=attempt)
        result["hub_ms_cpu"] = cpu["hub_cores"] / result["per_second"] * 1000
        print(f"      {result['per_second']:,.0f} req/s, hub {cpu['hub_cores']:.0%} busy, "
              f"others took {result['foreign']:.0%} of core {SERVER_CORE} "
              f"(attempt {attempt})", flush=True)
        if result["foreign"] <= MAX_FOREIGN_SERVER or result["wrong"]:
            break
    return result


def http_phase(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ac-avatar-bench-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with prepared_database(args.database_url, workdir) as database:
            env = hub_environment(workdir, database.url, base)
            url, png = prepare_avatar_url(env)
            path = urlsplit(url).path
            print(f"      {database.kind}: the app's URL is {path}?app=…&exp=…&sig=… "
                  f"({len(png):,} bytes)", flush=True)
            with running_hub(port, env, workdir, serve_options=["--no-worker"]) as hub:
                with httpx.Client(timeout=10) as client:
                    etag = check_answers(client, url, png)
                results = {}
                for name, headers in (("200", {}), ("304", {"If-None-Match": etag})):
                    print(f"      wrk: {args.connections} connections, {name}s ...",
                          flush=True)
                    results[name] = measure_http(url, headers, args, hub.pid,
                                                 database.is_postgres)
    return {"database": database.kind, "png_bytes": len(png), **results}


# --------------------------------------------------------------------------- report

RENDER_HEADER = ("| date | render | cold /s | cold ms CPU each | cached /s | commit |",
                 "| --- | --- | ---: | ---: | ---: | --- |")
HTTP_HEADER = ("| date | database | answer | req/s | ≥ 2,000 | p50 | p99 | hub busy "
               "| hub CPU/req | connections | wrong | commit |",
               "| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")


def render_rows(results: list[dict[str, Any]], day: str, commit: str) -> list[str]:
    rows = []
    for format, size in CASES:
        cold, cached = (next(r for r in results if r["format"] == format
                             and r["size"] == size and r["cold"] is c) for c in (True, False))
        rows.append(f"| {day} | {case_name(cold)} | {cold['per_second']:,.0f} | "
                    f"{cold['ms_cpu_per_render']:.2f} | {cached['per_second']:,.0f} | "
                    f"`{commit}` |")
    return rows


def verdict(result: dict[str, Any]) -> str:
    if result["wrong"]:
        return "FAIL (wrong answers)"
    if result["foreign"] > MAX_FOREIGN_SERVER:
        return "NOISY"
    return "PASS" if result["per_second"] >= TARGET_RPS else "FAIL"


def http_rows(report: dict[str, Any], day: str, commit: str, connections: int) -> list[str]:
    rows = []
    for answer in ("200", "304"):
        r = report[answer]
        rows.append(
            f"| {day} | {report['database']} | {answer} | {r['per_second']:,.0f} | "
            f"{verdict(r) if answer == '200' else '—'} | {r['p50_ms']:.2f} ms | "
            f"{r['p99_ms']:.2f} ms | {r['hub_busy']:.0%} | {r['hub_ms_cpu']:.3f} ms | "
            f"{connections} | {r['wrong']} | `{commit}` |")
    return rows


INTRO = """\
How many avatars one core renders per second (`services/avatar_render.render_avatar`),
and how many requests per second one hub process on one core answers for a cached avatar
PNG fetched the way an app fetches it. Target: **a cached avatar PNG is served at
≥ 2,000 req/s per core**.

How `bench/avatar_renders.py` measures:

* Renders, in the script's own process pinned to core 0: *cold* is a different avatar
  every call (specs drawn with `AvatarSpec.randomised`, all distinct, cache empty for
  each), so each call draws the avatar with python-avatars, sanitises the SVG and, for
  PNG, rasterises it with resvg-py; *cached* is the same avatar again (the spec's digest
  and an `InProcessRenderCache` look-up). PNG at the three sizes apps may ask for; 256 px
  is the one apps are sent.
* HTTP: one `accounts-center serve --no-worker` process pinned to core 0, on a fresh
  SQLite file or PostgreSQL schema (PostgreSQL's processes are not pinned). A person saves
  an avatar; an app that declares it receives `avatar` is linked with avatar sync on and
  reads the profile, which gives it the 256 px PNG's signed URL
  (`GET /media/{digest}?app=&exp=&sig=`, the URL `profile.updated` carries too). `wrk`
  (1 thread, keep-alive connections, pinned to core 1) fetches that fixed URL for 10 s
  after 2 s of warm-up: first without `If-None-Match` (every answer a full 200 with the
  PNG), then with the ETag (304s). Each request is checked as it would be for an app: the
  URL's signature and expiry, then the grant, in the database, every time. "hub busy" is
  the hub's CPU time over the window (100% = its core); a run during which other
  processes took more than 5% of core 0 is repeated, and not recorded if it stays so."""


def write_docs(renders: list[dict[str, Any]], http: list[dict[str, Any]],
               args: argparse.Namespace, day: str, commit: str) -> None:
    # Both tables always, so a run of one part keeps the other's earlier rows.
    tables = [Table("Renders per second on one core, newest first:", RENDER_HEADER,
                    render_rows(renders, day, commit) if renders else [])]
    tables.append(Table("The cached avatar PNG (256 px) over HTTP, one hub process on one "
                        "core, newest first:", HTTP_HEADER,
                        [row for report in http
                         for row in http_rows(report, day, commit, args.connections)]))
    write_section(SECTION, "Avatars: renders per second, and a cached PNG over HTTP "
                  "(issue 13)", INTRO.splitlines(), tables, [
                      "Reproduce, from the repository root on the 2-core machine:", "",
                      "```sh",
                      ".venv/bin/python bench/avatar_renders.py --write-docs",
                      ".venv/bin/python bench/avatar_renders.py --write-docs --http-only \\",
                      "    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test",
                      "```", "",
                      f"Machine of the newest run: {os.cpu_count()} cores, {cpu_model()}, "
                      f"Python {platform.python_version()}, {day}."])


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL (postgresql+psycopg://...); a fresh schema is "
                             "made and dropped. Default: a temporary SQLite file")
    parser.add_argument("--render-seconds", type=float, default=3.0,
                        help="seconds per render case (default 3)")
    parser.add_argument("--cold-specs", type=int, default=3000,
                        help="distinct avatars drawn for the cold cases (default 3000)")
    parser.add_argument("--connections", type=int, default=16,
                        help="wrk's keep-alive connections (default 16)")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="measured seconds per HTTP run (default 10)")
    parser.add_argument("--warmup", type=float, default=2.0,
                        help="seconds of load before each HTTP run (default 2)")
    parser.add_argument("--attempts", type=int, default=3,
                        help="tries per HTTP run while other processes disturb it")
    parser.add_argument("--quiet-timeout", type=float, default=120.0,
                        help="seconds to wait for quiet cores before each measurement")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--renders-only", action="store_true", help="skip the HTTP runs")
    group.add_argument("--http-only", action="store_true", help="skip the render runs")
    parser.add_argument("--write-docs", action="store_true",
                        help="record the result in docs/benchmarks.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.renders_only and shutil.which("wrk") is None:
        raise SystemExit("error: wrk is needed for the HTTP runs (apt-get install wrk)")
    pin_to_load_core()
    day, commit = dt.date.today().isoformat(), git_commit()
    renders: list[dict[str, Any]] = []
    http: list[dict[str, Any]] = []
    if not args.http_only:
        print(f"[1/2] renders on core {SERVER_CORE}, {args.render_seconds:g} s each ...",
              flush=True)
        renders = measure_renders(args.render_seconds, args.cold_specs)
    if not args.renders_only:
        print(f"[2/2] the cached avatar PNG over HTTP, hub on core {SERVER_CORE} ...",
              flush=True)
        http.append(http_phase(args))
    print()
    if renders:
        print("\n".join(RENDER_HEADER + tuple(render_rows(renders, day, commit))))
    for report in http:
        print("\n".join(HTTP_HEADER + tuple(http_rows(report, day, commit,
                                                      args.connections))))
    verdicts = [verdict(report["200"]) for report in http]
    wrong = any(report[a]["wrong"] for report in http for a in ("200", "304"))
    noisy = "NOISY" in verdicts
    if args.write_docs and not wrong and not noisy:
        write_docs(renders, http, args, day, commit)
        print("\nrecorded in docs/benchmarks.md")
    elif args.write_docs:
        print("\nnot recorded: " + ("wrong answers" if wrong else "other work disturbed it"))
    if wrong:
        return 1
    if noisy:
        return 3
    return 0 if all(v == "PASS" for v in verdicts) else 2


if __name__ == "__main__":
    sys.exit(main())
