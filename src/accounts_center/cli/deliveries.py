"""`accounts-center deliveries …`: what waits to be delivered, one event's attempts, and
sending an app's events again."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table

from accounts_center.cli.context import fail, hub_for_command
from accounts_center.services import deliveries

app = typer.Typer(help="Webhook deliveries: the queue, attempts, replay.",
                  invoke_without_command=True)
out = Console()
_AGO = re.compile(r"^(\d{1,6})([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@app.callback()
def overview(context: typer.Context) -> None:
    """Per app: events pending, retrying and dead, and the age of the oldest waiting."""
    if context.invoked_subcommand is not None:
        return
    with hub_for_command() as hub:
        rows = deliveries.queue_overview(hub)
        now = hub.clock.now()
    if not rows:
        out.print("No member apps registered yet.")
        return
    table = Table(title="Webhook deliveries")
    for column in ("App", "Endpoint", "Pending", "Retrying", "Dead", "Oldest waiting"):
        table.add_column(column, justify="right" if column in {"Pending", "Retrying", "Dead"}
                         else "left", overflow="fold")
    for row in rows:
        table.add_row(row.app, row.endpoint, str(row.pending), str(row.retrying),
                      f"[red]{row.dead}[/red]" if row.dead else "0",
                      _age(now - row.oldest) if row.oldest else "—")
    out.print(table)


@app.command("show")
def show(event_id: str = typer.Argument(..., metavar="ID")) -> None:
    """One event: its state and every attempt, with status and error."""
    with hub_for_command() as hub:
        view = deliveries.show_delivery(hub, event_id)
    out.print(f"[bold]{view.type}[/bold] to [bold]{view.app}[/bold]  {view.id}",
              highlight=False)
    out.print(f"status: {view.status}, {view.attempts} attempt(s), created "
              f"{view.created_at:%Y-%m-%d %H:%M:%S} UTC", highlight=False)
    if view.next_attempt_at is not None:
        out.print(f"next attempt: {view.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC",
                  highlight=False)
    if view.delivered_at is not None:
        out.print(f"delivered: {view.delivered_at:%Y-%m-%d %H:%M:%S} UTC", highlight=False)
    table = Table(title="Attempts")
    for column in ("#", "At (UTC)", "Status", "Took", "Error"):
        table.add_column(column, overflow="fold")
    for number, attempt in enumerate(view.history, 1):
        table.add_row(str(number), f"{attempt.attempted_at:%Y-%m-%d %H:%M:%S}",
                      str(attempt.status_code) if attempt.status_code is not None else "—",
                      f"{attempt.duration_ms} ms", attempt.error or "")
    if view.history:
        out.print(table)
    else:
        out.print("No attempts yet.")


@app.command("replay")
def replay(app_key: str = typer.Option(..., "--app", metavar="NAME_OR_CLIENT_ID",
                                       help="Whose events to send again"),
           since: str | None = typer.Option(
               None, "--since", help="Only events created since: an ISO date or time "
                                     "(UTC), or an age such as 30m, 6h, 2d"),
           include_delivered: bool = typer.Option(
               False, "--include-delivered",
               help="Also send again what was delivered (same webhook ids)")) -> None:
    """Queue an app's dead-lettered events (by default) to be sent again."""
    with hub_for_command() as hub:
        start = _moment(since, hub.clock.now()) if since else None
        count = deliveries.replay(hub, app_key, start, include_delivered=include_delivered)
    out.print(f"Queued {count} event(s) to be sent again.")


def _moment(text: str, now: datetime) -> datetime:
    text = text.strip()
    ago = _AGO.match(text)
    if ago:
        return now - timedelta(**{_UNITS[ago.group(2)]: int(ago.group(1))})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--since: {text!r} is neither an ISO date/time nor an age like 6h or 2d",
             code=2)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400}d {seconds % 86400 // 3600}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m {seconds % 60}s"
    return f"{seconds}s"
