"""`accounts-center crosspost …`: the operator's side of cross-posting (issue 14, point 1)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from accounts_center.cli.context import hub_for_command, require_migrated
from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.crosspost import DEFAULT_OPEN, DirectionMatrix
from accounts_center.services.crosspost_routes import direction_matrix, set_directions

app = typer.Typer(help="Cross-posting between member apps.", no_args_is_help=True)
out = Console()


@app.command("directions")
def directions(
        allow: list[str] = typer.Option([], "--allow", metavar="SRC:DST",
                                        help="Open a direction, e.g. story:status "
                                             "(repeatable)"),
        deny: list[str] = typer.Option([], "--deny", metavar="SRC:DST",
                                       help="Close a direction (repeatable)")) -> None:
    """Show which content type may be cross-posted as which, after any changes given.
    People still choose per pair of their apps; a closed direction is offered to no one."""
    with hub_for_command() as hub:
        require_migrated(hub)
        matrix = set_directions(hub, allow, deny) if allow or deny else direction_matrix(hub)
    out.print(matrix_table(matrix))


def matrix_table(matrix: DirectionMatrix) -> Table:
    table = Table(title="Cross-post directions")
    table.add_column("from \\ to", style="bold")
    for destination in CrossPostType:
        table.add_column(destination.value, justify="center")
    for source in CrossPostType:
        cells = []
        for destination in CrossPostType:
            on = matrix.allows(source, destination)
            default = ((source, destination) in DEFAULT_OPEN) == on
            mark = "[green]on[/green]" if on else "[dim]off[/dim]"
            cells.append(mark if default else f"{mark} *")
        table.add_row(source.value, *cells)
    table.caption = "rows: from · columns: to · *: not the default"
    return table
