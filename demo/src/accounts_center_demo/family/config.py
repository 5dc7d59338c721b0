"""One app's configuration: who it is, where it lives, and its hub credentials.

The credentials (client secret, webhook secret) come only from the app's state file,
``STATE_DIR/<slug>.json`` (mode 0600, written by the launcher); they are never logged.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from accounts_center_demo.family.login_names import LoginKind


@dataclass(frozen=True)
class HubCredentials:
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    webhook_secret: str = field(repr=False)


@dataclass(frozen=True)
class AppIdentity:
    """What differs between the apps in the family's shared pages."""

    slug: str  # "chat": names the cookie, the database and the state file
    name: str  # "Chat"
    colour: str  # CSS colour of the app's header
    tagline: str
    login_kind: LoginKind
    # (label, path) of the app's own pages, shown in the header when signed in
    nav: tuple[tuple[str, str], ...]
    scripts: tuple[str, ...] = ()  # the app's own scripts (static/), on signed-in pages


@dataclass(frozen=True)
class AppConfig:
    identity: AppIdentity
    base_url: str  # http://127.0.0.1:8001
    state_dir: Path
    hub: HubCredentials | None  # None: not registered with a hub; the app works on its own
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    @property
    def database_path(self) -> Path:
        return self.state_dir / f"{self.identity.slug}.db"

    @property
    def redirect_uri(self) -> str:
        return f"{self.base_url}/accounts-center/callback"

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: the hub and the three apps share 127.0.0.1, so each app's
        # cookie needs its own name.
        return f"{self.identity.slug}_session"


def state_file(state_dir: Path, slug: str) -> Path:
    return state_dir / f"{slug}.json"


def read_credentials(state_dir: Path, slug: str) -> HubCredentials | None:
    path = state_file(state_dir, slug)
    if not path.is_file():
        return None
    raw = json.loads(path.read_text())
    return HubCredentials(raw["issuer"], raw["client_id"], raw["client_secret"],
                          raw["webhook_secret"])


def write_state(state_dir: Path, slug: str, state: dict[str, str]) -> None:
    """Writes the app's state file readable by its owner only (it holds secrets)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_file(state_dir, slug)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(state, out, indent=2)
    os.chmod(temporary, 0o600)
    temporary.replace(path)


def argon2_from_env() -> dict[str, int]:
    """Cheaper hashing for tests (DEMO_ARGON2_*); argon2-cffi's defaults otherwise."""
    names = {"argon2_time_cost": "DEMO_ARGON2_TIME_COST",
             "argon2_memory_kib": "DEMO_ARGON2_MEMORY_KIB",
             "argon2_parallelism": "DEMO_ARGON2_PARALLELISM"}
    return {key: int(os.environ[env]) for key, env in names.items() if env in os.environ}
