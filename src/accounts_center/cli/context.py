"""Building the hub for a command: settings, the secret key, and one-line errors."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from accounts_center.domain.errors import AccountsCenterError
from accounts_center.hub import Hub, build_hub
from accounts_center.settings import Settings
from accounts_center.store import migrate

err = Console(stderr=True)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:  # shown as one line: the first bad setting
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "settings"
        fail(f"invalid setting {name}: {first['msg']} — check ACCOUNTS_CENTER_* "
             "variables and .env")


def resolve_secret_key(settings: Settings) -> str:
    """The configured key, or one kept in a private file for a single-machine set-up."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.secret_key_file)
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    err.print(f"[yellow]Created a secret key in {path} (set ACCOUNTS_CENTER_SECRET_KEY when "
              "several processes share the database).[/yellow]")
    return key


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def hub_for_command() -> Iterator[Hub]:
    settings = load_settings()
    try:
        hub = build_hub(settings, secret_key=resolve_secret_key(settings))
    except ValueError as error:
        fail(str(error))
    try:
        yield hub
    except AccountsCenterError as error:
        fail(error.detail, code=2 if error.status < 500 else 1)
    finally:
        hub.close()


def require_migrated(hub: Hub) -> None:
    """Refuses, in one line, a database it cannot reach or that is not migrated."""
    try:
        revision = migrate.current_revision(hub.engine)
    except Exception as error:
        fail(f"cannot reach the database: {type(error).__name__}: "
             f"{str(error).splitlines()[0]}")
    if revision != migrate.head_revision():
        fail(f"the database is at revision {revision or 'none'}, not "
             f"{migrate.head_revision()}: run `accounts-center db upgrade` first")
