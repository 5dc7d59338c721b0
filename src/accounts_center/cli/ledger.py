"""`accounts-center ledger verify` and `ledger seal`: recompute people's sharing-ledger
chains with the hub's seals, check receipts handed out against them, and seal entries
written before seals existed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress

from accounts_center.cli.context import fail, hub_for_command
from accounts_center.services.ledger import ledger_people, seal_unsealed, verify_ledger
from accounts_center.services.receipts import InvalidReceipt, check_receipts

app = typer.Typer(help="The sharing ledger.", no_args_is_help=True)
out = Console()
MAX_RECEIPT_FILE = 10 * 1024 * 1024


def _receipts_in(files: list[Path]) -> list[tuple[str, str]]:
    """(where, receipt) for every non-empty line of the files."""
    found = []
    for path in files:
        try:
            if path.stat().st_size > MAX_RECEIPT_FILE:
                fail(f"{path}: larger than 10 MB; give receipts one per line", code=2)
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"cannot read {path}: {type(error).__name__}", code=2)
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                found.append((f"{path}:{number}", line.strip()))
    if files and not found:
        fail("the receipt file(s) hold no receipt", code=2)
    return found


@app.command("verify")
def verify(person: str | None = typer.Option(
        None, "--person", help="One person's identity id (default: everyone)"),
        receipt: list[Path] = typer.Option(
            [], "--receipt", help="A file of receipts (one per line) the hub handed out; "
                                  "checks that the ledger still extends each")) -> None:
    """Check every entry's hash, link and seal and each ledger's recorded head, and that
    the ledgers extend every receipt given; exits 1 at the first that does not verify,
    naming its first bad entry."""
    receipts = _receipts_in(receipt)
    with hub_for_command() as hub:
        if receipts:
            try:
                results = check_receipts(hub, [token for _, token in receipts])
            except InvalidReceipt as error:
                fail(f"a receipt is not valid: {error.detail}", code=2)
            for (where, _), check in zip(receipts, results, strict=True):
                if not check.ok:
                    fail(f"receipt {where}: the ledger of {check.identity_id or '?'} does "
                         f"not extend it: {check.problem} (first bad entry: "
                         f"{check.first_bad_seq})")
            if person is None:
                out.print(f"[green]OK[/green]: {len(receipts)} receipt(s) are extended by "
                          "the ledgers as they stand.", highlight=False)
                return
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


@app.command("seal")
def seal() -> None:
    """Seal ledger entries written before the hub sealed them (migration 0008); `serve`
    does this when it starts."""
    with hub_for_command() as hub:
        count = seal_unsealed(hub)
    out.print(f"Sealed {count} entries." if count else "Every entry is sealed.",
              highlight=False)
