"""`accounts-center keys …`: ID-token signing keys."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from accounts_center.cli.context import hub_for_command
from accounts_center.services.signing_keys import list_signing_keys, rotate_signing_key

app = typer.Typer(help="ID-token signing keys.", no_args_is_help=True)
out = Console()


@app.command("rotate")
def rotate() -> None:
    """Sign with a new key from now on; the old one stays in JWKS until its tokens expire."""
    with hub_for_command() as hub:
        kid = rotate_signing_key(hub)
    out.print(f"New signing key {kid} is active. Hub processes pick it up within 30 s.",
              highlight=False)


@app.command("list")
def list_() -> None:
    """Signing keys, newest first, and whether each is still published."""
    with hub_for_command() as hub:
        keys = list_signing_keys(hub)
    if not keys:
        out.print("No signing keys yet: one is made at the first sign-in.")
        return
    table = Table(title="Signing keys")
    for column in ("Key id", "Algorithm", "Created", "State"):
        table.add_column(column, overflow="fold")
    for key in keys:
        table.add_row(key.kid, key.alg, key.created_at.strftime("%Y-%m-%d %H:%M"), key.state)
    out.print(table)
