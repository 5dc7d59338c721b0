"""`accounts-center apps …`: the registry of member apps."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from accounts_center.cli.context import fail, hub_for_command
from accounts_center.services import member_apps
from accounts_center.services.member_apps import Credentials, MemberApp

app = typer.Typer(help="Register and manage member apps.", no_args_is_help=True)
out = Console()
MAX_CAPABILITIES_FILE = 64 * 1024


def read_capabilities(path: Path) -> Any:
    """A JSON or TOML capability document; a readable one-line error otherwise."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        fail(f"cannot read capabilities file {path}: {error.strerror}")
    if len(raw) > MAX_CAPABILITIES_FILE:
        fail(f"capabilities file {path} is larger than {MAX_CAPABILITIES_FILE} bytes")
    try:
        text = raw.decode("utf-8")
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except UnicodeDecodeError:
        fail(f"capabilities file {path} is not UTF-8 text")
    except json.JSONDecodeError as error:
        fail(f"capabilities file {path}: invalid JSON at line {error.lineno}, column "
             f"{error.colno}: {error.msg}")
    except tomllib.TOMLDecodeError as error:
        fail(f"capabilities file {path}: invalid TOML: {error}")


def _print_credentials(credentials: Credentials, verb: str) -> None:
    out.print(f"{verb} [bold]{credentials.app.name}[/bold]")
    out.print(f"client_id:      {credentials.app.client_id}", highlight=False)
    out.print(f"client_secret:  {credentials.client_secret}", highlight=False)
    if credentials.webhook_secret:
        out.print(f"webhook_secret: {credentials.webhook_secret}", highlight=False)
    out.print("[yellow]Store the secrets now: they are shown only this once.[/yellow]")


@app.command("add")
def add(name: str = typer.Argument(..., help="A unique name for the app"),
        redirect_uri: list[str] = typer.Option(..., "--redirect-uri",
                                               help="OIDC redirect URI (repeatable)"),
        webhook_url: str = typer.Option(..., "--webhook-url", help="Where events are sent"),
        capabilities: Path | None = typer.Option(None, "--capabilities",
                                                 help="JSON or TOML capability file"),
        connect_url: str | None = typer.Option(
            None, "--connect-url", help="The app's page that starts 'Add to Accounts Center'"),
        backchannel_logout_uri: str | None = typer.Option(
            None, "--backchannel-logout-uri", help="OIDC back-channel logout endpoint"),
        post_logout_redirect_uri: list[str] = typer.Option(
            [], "--post-logout-redirect-uri", help="Allowed after RP-initiated logout"),
        as_json: bool = typer.Option(
            False, "--json", help="Print the credentials as one JSON object, for scripts")
        ) -> None:
    """Register a member app and print its client id and secret (once)."""
    document = read_capabilities(capabilities) if capabilities else None
    with hub_for_command() as hub:
        credentials = member_apps.register_app(
            hub, name, redirect_uri, webhook_url, document, connect_url=connect_url,
            backchannel_logout_uri=backchannel_logout_uri,
            post_logout_redirect_uris=post_logout_redirect_uri)
    if as_json:
        print(json.dumps({"name": credentials.app.name,
                          "client_id": credentials.app.client_id,
                          "client_secret": credentials.client_secret,
                          "webhook_secret": credentials.webhook_secret}))
        return
    _print_credentials(credentials, "Registered")


@app.command("list")
def list_() -> None:
    """All registered member apps."""
    with hub_for_command() as hub:
        apps = member_apps.list_apps(hub)
    if not apps:
        out.print("No member apps registered yet. Add one with `accounts-center apps add`.")
        return
    table = Table(title="Member apps")
    for column in ("Name", "Client id", "Sends", "Receives", "Redirect URIs", "Created"):
        table.add_column(column, overflow="fold")
    for a in apps:
        doc = a.capabilities.to_document()
        table.add_row(a.name, a.client_id, ", ".join(doc["sends"]) or "—",
                      ", ".join(doc["receives"]) or "—", "\n".join(a.redirect_uris),
                      a.created_at.strftime("%Y-%m-%d %H:%M"))
    out.print(table)


@app.command("show")
def show(app_key: str = typer.Argument(..., metavar="NAME_OR_CLIENT_ID")) -> None:
    """One app's registration, capabilities included, as JSON."""
    with hub_for_command() as hub:
        found = member_apps.show_app(hub, app_key)
    out.print_json(data=_as_json(found))


@app.command("rotate-secret")
def rotate_secret(app_key: str = typer.Argument(..., metavar="NAME_OR_CLIENT_ID")) -> None:
    """Issue a new client secret; the old one stops working at once."""
    with hub_for_command() as hub:
        credentials = member_apps.rotate_secret(hub, app_key)
    _print_credentials(credentials, "New secret for")


@app.command("rotate-webhook-secret")
def rotate_webhook_secret(
        app_key: str = typer.Argument(..., metavar="NAME_OR_CLIENT_ID"),
        overlap_hours: float = typer.Option(
            24.0, "--overlap-hours", min=0, max=720,
            help="How long the current secret keeps signing beside the new one")) -> None:
    """Issue a new webhook signing secret. Until the overlap ends, every delivery carries a
    signature with each secret, so the app can switch at its own pace."""
    with hub_for_command() as hub:
        issued = member_apps.rotate_webhook_secret(hub, app_key,
                                                   timedelta(hours=overlap_hours))
    out.print(f"New webhook secret for [bold]{issued.app.name}[/bold]")
    out.print(f"webhook_secret: {issued.secret}", highlight=False)
    if issued.previous_valid_until is not None:
        out.print(f"The previous secret also signs until "
                  f"{issued.previous_valid_until:%Y-%m-%d %H:%M} UTC.", highlight=False)
    out.print("[yellow]Store the secret now: it is shown only this once.[/yellow]")


@app.command("enable-webhook")
def enable_webhook(app_key: str = typer.Argument(..., metavar="NAME_OR_CLIENT_ID")) -> None:
    """Send to an endpoint again after it answered 410 Gone; what waited goes first."""
    with hub_for_command() as hub:
        enabled = member_apps.enable_webhook(hub, app_key)
    out.print(f"Webhooks to {enabled.name} are enabled.")


@app.command("remove")
def remove(app_key: str = typer.Argument(..., metavar="NAME_OR_CLIENT_ID"),
           yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation")) -> None:
    """Remove a member app from the registry."""
    if not yes and not typer.confirm(f"Remove {app_key}? Its client id stops working.",
                                     default=False):
        fail("not removed", code=1)
    with hub_for_command() as hub:
        removed = member_apps.remove_app(hub, app_key)
    out.print(f"Removed {removed.name} ({removed.client_id}).")


def _as_json(a: MemberApp) -> dict[str, Any]:
    return {"name": a.name, "client_id": a.client_id, "redirect_uris": a.redirect_uris,
            "webhook_url": a.webhook_url, "capabilities": a.capabilities.to_document(),
            "connect_url": a.connect_url, "backchannel_logout_uri": a.backchannel_logout_uri,
            "post_logout_redirect_uris": a.post_logout_redirect_uris,
            "created_at": a.created_at.isoformat(),
            "secret_rotated_at": a.secret_rotated_at.isoformat(),
            "webhook": {
                "has_secret": a.webhook_has_secret,
                "previous_secret_signs_until": _iso(a.webhook_previous_until),
                "disabled_at": _iso(a.webhook_disabled_at),
                "disabled_reason": a.webhook_disabled_reason}}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
