"""`accounts-center prune`: delete what has expired, now (workers do it every hour)."""

from __future__ import annotations

from dataclasses import asdict

from rich.console import Console

from accounts_center.cli.context import fail, hub_for_command, require_migrated
from accounts_center.services.retention import prune_expired

out = Console()


def prune() -> None:
    """Delete expired authorization requests, codes and token grants, download archives
    older than an hour, and spent rate-limit counters. Delivery workers (and `serve` on
    SQLite) do this every hour; run it after a long outage or before a backup."""
    with hub_for_command() as hub:
        require_migrated(hub)
        try:
            pruned = prune_expired(hub)
        except Exception as error:  # the database went away or refused: one line
            first = (str(error).splitlines() or [""])[0]
            fail(f"cannot prune: {type(error).__name__}: {first}")
    if pruned is None:
        out.print("Another process is pruning right now; nothing to do.")
        return
    counts = [f"{count} {kind.replace('_', ' ')}" for kind, count in asdict(pruned).items()]
    out.print("Deleted " + ", ".join(counts) + ".", highlight=False)
