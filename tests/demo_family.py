"""The demo family (`python -m accounts_center_demo start`: the hub, Chat, Pics and
Social) in a subprocess on free local ports, with a temporary hub database, state
directory and cheap password hashing, for the story browser test and the launcher test."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.live_hub import free_port

STARTUP_TIMEOUT_SECONDS = 60.0
APPS = ("chat", "pics", "social")


@dataclass(frozen=True)
class Family:
    hub: str
    apps: dict[str, str]  # slug -> base URL
    hub_database: Path
    state_dir: Path
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]  # the hub's settings: its database, its secret key

    def database(self, slug: str) -> Path:
        return self.state_dir / f"{slug}.db"

    def operator(self, *args: str) -> str:
        """Runs `accounts-center ARGS` on the running family's hub, as its operator; its
        output (it must succeed)."""
        cli = Path(sys.executable).parent / "accounts-center"
        done = subprocess.run([str(cli), *args], env=self.env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0, f"accounts-center {' '.join(args)}: {done.stderr}"
        return done.stdout


def _answering(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def running_family(workdir: Path, sigint_ignored: bool = False) -> Iterator[Family]:
    """``sigint_ignored``: started as a shell starts a background job (SIGINT ignored)."""
    ports = {"hub": free_port(), **{slug: free_port() for slug in APPS}}
    hub_database = workdir / "hub.db"
    env = {
        **os.environ,
        "ACCOUNTS_CENTER_DATABASE_URL": f"sqlite:///{hub_database}",
        "ACCOUNTS_CENTER_SECRET_KEY": secrets.token_urlsafe(36),
        "ACCOUNTS_CENTER_SECRET_KEY_FILE": str(workdir / "secret"),
        "ACCOUNTS_CENTER_ARGON2_TIME_COST": "1",
        "ACCOUNTS_CENTER_ARGON2_MEMORY_KIB": "1024",
        "ACCOUNTS_CENTER_ARGON2_PARALLELISM": "1",
        "DEMO_ARGON2_TIME_COST": "1",
        "DEMO_ARGON2_MEMORY_KIB": "1024",
        "DEMO_ARGON2_PARALLELISM": "1",
    }
    env.pop("ACCOUNTS_CENTER_PUBLIC_URL", None)
    state_dir = workdir / "state"
    log_path = workdir / "family.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "accounts_center_demo", "start",
             "--hub-port", str(ports["hub"]), "--chat-port", str(ports["chat"]),
             "--pics-port", str(ports["pics"]), "--social-port", str(ports["social"]),
             "--state-dir", str(state_dir)],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            if sigint_ignored else None)
    family = Family(f"http://127.0.0.1:{ports['hub']}",
                    {slug: f"http://127.0.0.1:{ports[slug]}" for slug in APPS},
                    hub_database, state_dir, process, log_path, env)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while "Press Ctrl-C" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("The family did not start. Its output:\n"
                            + log_path.read_text(errors="replace"), pytrace=False)
            time.sleep(0.2)
        yield family
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
