"""One command for the whole family: the hub and Chat, Pics and Social on localhost.

    python -m accounts_center_demo start [--hub-port 8000] [--chat-port 8001]
        [--pics-port 8002] [--social-port 8003] [--state-dir .demo]

Starts `accounts-center serve` (its database: ACCOUNTS_CENTER_DATABASE_URL, or
./accounts-center.db), waits for it, registers each app with the hub on first run
(`accounts-center apps add … --json`; the credentials go to STATE_DIR/<app>.json, mode
0600, and are reused later unless the hub no longer knows the app, its ports changed or
its capabilities.json declares what the hub does not hold),
then starts each app as its own process and prints the four URLs. Ctrl-C (or SIGTERM)
stops every process it started.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx

from accounts_center_demo.apps import build_app, family_apps
from accounts_center_demo.family.config import state_file, write_state

STARTUP_SECONDS = 40.0
STOP_SECONDS = 5.0
HOST = "127.0.0.1"


class LaunchFailed(Exception):
    """Something the family needs did not start; the message says what."""


@dataclass(frozen=True)
class Ports:
    hub: int
    apps: dict[str, int]  # slug -> port


def hub_command() -> list[str]:
    beside = Path(sys.executable).parent / "accounts-center"
    found = str(beside) if beside.exists() else shutil.which("accounts-center")
    if not found:
        raise LaunchFailed("`accounts-center` is not installed: run ./scripts/start")
    return [found]


def wait_until_answering(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LaunchFailed(f"{what} exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise LaunchFailed(f"{what} did not answer at {url} within {STARTUP_SECONDS:.0f} s")


def registered(state_dir: Path, slug: str, name: str, issuer: str, app_url: str,
               env: dict[str, str]) -> None:
    """Makes sure the hub knows the app at these ports and its state file holds its
    credentials: reused when still valid, else (re-)registered."""
    redirect_uri = f"{app_url}/accounts-center/callback"
    path = state_file(state_dir, slug)
    kept = json.loads(path.read_text()) if path.is_file() else {}
    hub = hub_command()

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*hub, *args], env=env, capture_output=True, text=True,
                              timeout=60, check=False)

    capabilities = family_apps()[slug].capabilities_file
    if kept.get("redirect_uri") == redirect_uri and kept.get("issuer") == issuer:
        shown = cli("apps", "show", kept.get("client_id", "-"))
        if shown.returncode == 0 and declares_the_same(shown.stdout, capabilities):
            return
    command = ("apps", "add", name, "--redirect-uri", redirect_uri,
               "--webhook-url", f"{app_url}/accounts-center/webhooks",
               "--connect-url", f"{app_url}/settings",
               "--capabilities", str(capabilities), "--json")
    added = cli(*command)
    if added.returncode != 0 and cli("apps", "show", name).returncode == 0:
        # Known under other ports, with other capabilities, or with credentials this
        # launcher no longer has: the hub has no "update", so register it afresh.
        cli("apps", "remove", name, "--yes")
        added = cli(*command)
    if added.returncode != 0:
        # stderr names the field at fault; it holds no secret (those go to stdout).
        raise LaunchFailed(f"registering {name} failed: {added.stderr.strip()[-500:]}")
    credentials = json.loads(added.stdout)
    write_state(state_dir, slug, {
        "issuer": issuer, "redirect_uri": redirect_uri, "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "webhook_secret": credentials["webhook_secret"]})
    print(f"Registered {name} with Accounts Center ({credentials['client_id']}).", flush=True)


def declares_the_same(shown: str, capabilities: Path) -> bool:
    """Whether the registration `apps show` printed holds what the app's capabilities
    file declares now (a newer demo may receive more, e.g. the profile photo)."""
    try:
        held = json.loads(shown).get("capabilities")
    except ValueError:
        return False
    wanted = json.loads(capabilities.read_text())
    return isinstance(held, dict) and all(
        _canonical(held.get(key)) == _canonical(value) for key, value in wanted.items())


def _canonical(value: object) -> object:
    if isinstance(value, list):
        return sorted(str(item) for item in value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    return value


def stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each, then SIGKILL to any still running after STOP_SECONDS."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _die_with_the_launcher() -> None:
    """In each child, before it runs: on Linux, the kernel sends it SIGTERM when the
    launcher dies, even by SIGKILL, so no part of the family is left running alone."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def start(ports: Ports, state_dir: Path) -> int:
    state_dir = state_dir.resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state_dir, 0o700)
    # Both stop the family, also when started in the background by a shell that set
    # SIGINT to be ignored (Python then installs no handler of its own).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    env = dict(os.environ)
    issuer = env.get("ACCOUNTS_CENTER_PUBLIC_URL") or f"http://{HOST}:{ports.hub}"
    processes: list[subprocess.Popen[bytes]] = []
    apps = family_apps()
    try:
        # Own sessions: Ctrl-C reaches the launcher only, which stops each child in turn.
        hub = subprocess.Popen([*hub_command(), "serve", "--host", HOST, "--port",
                                str(ports.hub)], env=env, start_new_session=True,
                               preexec_fn=_die_with_the_launcher)
        processes.append(hub)
        wait_until_answering(f"http://{HOST}:{ports.hub}/v1/health", hub, "The hub")
        # Each CLI call takes a couple of seconds (imports): the three side by side.
        with ThreadPoolExecutor(max_workers=len(apps)) as pool:
            for done in [pool.submit(registered, state_dir, slug, family_app.identity.name,
                                     issuer, f"http://{HOST}:{ports.apps[slug]}", env)
                         for slug, family_app in apps.items()]:
                done.result()
        for slug in apps:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "accounts_center_demo", "serve-app", slug,
                 "--port", str(ports.apps[slug]), "--state-dir", str(state_dir)],
                env=env, start_new_session=True, preexec_fn=_die_with_the_launcher))
        for slug, process in zip(apps, processes[1:], strict=True):
            wait_until_answering(f"http://{HOST}:{ports.apps[slug]}/login", process,
                                 apps[slug].identity.name)
        print("\nThe Accounts Center family is running:", flush=True)
        print(f"  Accounts Center  {issuer}")
        for slug, family_app in apps.items():
            print(f"  {family_app.identity.name:<16} http://{HOST}:{ports.apps[slug]}")
        print("Press Ctrl-C to stop them all.", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.2)
        print("A process of the family exited; stopping the others.", file=sys.stderr)
        return 1
    except LaunchFailed as failed:
        print(f"error: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        # A second Ctrl-C (or SIGTERM) must not cut the stopping short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(processes)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def serve_app(slug: str, port: int, state_dir: Path, log_level: str) -> None:
    import uvicorn

    app = build_app(slug, f"http://{HOST}:{port}", state_dir)
    uvicorn.run(app, host=HOST, port=port, log_level=log_level, access_log=False)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m accounts_center_demo",
                                  description="The Accounts Center demo family.")
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser("start", help="start the hub and the three apps")
    run.add_argument("--hub-port", type=int, default=8000)
    run.add_argument("--chat-port", type=int, default=8001)
    run.add_argument("--pics-port", type=int, default=8002)
    run.add_argument("--social-port", type=int, default=8003)
    run.add_argument("--state-dir", type=Path, default=Path(".demo"))
    one = commands.add_parser("serve-app", help="serve one app (the launcher runs this)")
    one.add_argument("slug", choices=sorted(family_apps()))
    one.add_argument("--port", type=int, required=True)
    one.add_argument("--state-dir", type=Path, default=Path(".demo"))
    one.add_argument("--log-level", default="warning")
    return top


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.command == "serve-app":
        serve_app(args.slug, args.port, args.state_dir.resolve(), args.log_level)
        return
    ports = Ports(args.hub_port, {"chat": args.chat_port, "pics": args.pics_port,
                                  "social": args.social_port})
    sys.exit(start(ports, args.state_dir))
