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
    """Add a new signing key: published in JWKS at once, signing once apps' cached key sets
    hold it (10 minutes); the current key signs until then and stays published until its
    tokens expire."""
    with hub_for_command() as hub:
        key = rotate_signing_key(hub)
    if key.at_once:
        out.print(f"New signing key {key.kid} signs from now (the hub had none).",
                  highlight=False)
        return
    out.print(f"New signing key {key.kid} is published now and signs from "
              f"{key.signs_from:%Y-%m-%d %H:%M:%S} UTC, once apps' cached key sets hold "
              "it; until then the current key signs.", highlight=False)


@app.command("list")
def list_() -> None:
    """Signing keys, newest first: which signs, which will, and how long each stays
    published."""
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
