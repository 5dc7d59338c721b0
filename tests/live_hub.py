"""The real hub (`accounts-center serve`) in a subprocess on a free local port, for tests
that need real HTTP: browser tests and the live relying party."""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from accounts_center.hub import Hub, build_hub
from accounts_center.settings import Settings

STARTUP_TIMEOUT_SECONDS = 20.0


@dataclass(frozen=True)
class LiveHub:
    base_url: str
    env: dict[str, str]
    workdir: Path
    command: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.command), *args], cwd=self.workdir, env=self.env,
                              capture_output=True, text=True, timeout=60, check=False)


def hub_on(live: LiveHub) -> Hub:
    """The live hub's database and secret key, in this process (cheap hashing), to set up
    what apps would have done. The caller closes it."""
    return build_hub(Settings(
        _env_file=None, database_url=live.env["ACCOUNTS_CENTER_DATABASE_URL"],  # type: ignore[call-arg]
        secret_key=live.env["ACCOUNTS_CENTER_SECRET_KEY"], argon2_time_cost=1,
        argon2_memory_kib=1024, argon2_parallelism=1))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/v1/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def running_hub(workdir: Path, log_level: str = "warning", set_public_url: bool = True,
                **extra_env: str) -> Iterator[LiveHub]:
    """Cheap argon2 settings, its own SQLite file and key; its issuer is its real URL
    (set as ACCOUNTS_CENTER_PUBLIC_URL, or left for `serve` to derive when
    ``set_public_url`` is false). Its output goes to ``workdir / "server.log"``.
    ``extra_env``: more ACCOUNTS_CENTER_* settings for this hub."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    alphabet = string.ascii_letters + string.digits
    env = {
        **os.environ,
        "ACCOUNTS_CENTER_DATABASE_URL": f"sqlite:///{workdir / 'hub.db'}",
        "ACCOUNTS_CENTER_SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(48)),
        "ACCOUNTS_CENTER_SECRET_KEY_FILE": str(workdir / "secret"),
        "ACCOUNTS_CENTER_PUBLIC_URL": base_url,
        "ACCOUNTS_CENTER_ARGON2_TIME_COST": "1",
        "ACCOUNTS_CENTER_ARGON2_MEMORY_KIB": "1024",
        "ACCOUNTS_CENTER_ARGON2_PARALLELISM": "1",
        "COLUMNS": "200",  # the CLI prints through Rich: no wrapped credentials
        **extra_env,
    }
    if not set_public_url:
        env.pop("ACCOUNTS_CENTER_PUBLIC_URL")
    command = Path(sys.executable).parent / "accounts-center"
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(command), "serve", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", log_level],
            cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                state = (f"exited with code {process.returncode}"
                         if process.poll() is not None
                         else f"not healthy after {STARTUP_TIMEOUT_SECONDS:.0f} s")
                pytest.fail(f"The hub {state}. Its output:\n"
                            + log_path.read_text(errors="replace"), pytrace=False)
            time.sleep(0.1)
        yield LiveHub(base_url, env, workdir, command)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
