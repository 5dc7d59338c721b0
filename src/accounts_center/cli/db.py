"""`accounts-center db …`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from accounts_center.cli.context import fail, load_settings
from accounts_center.store import migrate
from accounts_center.store.engine import make_engine

app = typer.Typer(help="Database schema: migrations and status.", no_args_is_help=True)
out = Console()


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = load_settings()
    try:
        migrate.upgrade(settings.database_url, revision)
    except Exception as error:
        fail(f"migration failed: {type(error).__name__}: {str(error).splitlines()[0]}")
    out.print(f"Database at revision {revision}.")


@app.command()
def current() -> None:
    """Show the database's revision and the newest one this code knows."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        revision = migrate.current_revision(engine)
    except Exception as error:
        fail(f"cannot read the database: {type(error).__name__}")
    finally:
        engine.dispose()
    head = migrate.head_revision()
    state = "up to date" if revision == head else "needs `accounts-center db upgrade`"
    out.print(f"current: {revision or '(empty)'}  head: {head}  — {state}")
