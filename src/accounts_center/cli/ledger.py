"""`accounts-center ledger verify`: recompute people's sharing-ledger chains."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress

from accounts_center.cli.context import fail, hub_for_command
from accounts_center.services.ledger import ledger_people, verify_ledger

app = typer.Typer(help="The sharing ledger.", no_args_is_help=True)
out = Console()


@app.command("verify")
def verify(person: str | None = typer.Option(
        None, "--person", help="One person's identity id (default: everyone)")) -> None:
    """Check every entry's hash and link and each ledger's recorded head; exits 1 at the
    first ledger that does not verify, naming its first bad entry."""
    with hub_for_command() as hub:
        people = [person] if person else ledger_people(hub)
        entries = 0
        with Progress(console=out, transient=True) as progress:
            task = progress.add_task("Verifying ledgers", total=len(people))
            for identity_id in people:
                result = verify_ledger(hub, identity_id)
                if not result.ok:
                    fail(f"ledger of {identity_id} does not verify: {result.problem} "
                         f"(first bad entry: {result.first_bad_seq})")
                entries += result.checked
                progress.advance(task)
    if person and entries == 0:
        out.print(f"No ledger entries for {person}.", highlight=False)
        return
    out.print(f"[green]OK[/green]: {len(people)} ledger(s), {entries} entries verify.",
              highlight=False)
