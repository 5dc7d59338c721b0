"""Entry point of the `accounts-center` command."""

from __future__ import annotations

import typer

from accounts_center.cli import apps, crosspost, db, deliveries, keys, ledger
from accounts_center.cli.prune import prune
from accounts_center.cli.serve import serve
from accounts_center.cli.worker import worker

app = typer.Typer(help="Accounts Center hub: serve, migrate, manage member apps.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("prune")(prune)
app.add_typer(db.app, name="db")
app.add_typer(apps.app, name="apps")
app.add_typer(keys.app, name="keys")
app.add_typer(ledger.app, name="ledger")
app.add_typer(deliveries.app, name="deliveries")
app.add_typer(crosspost.app, name="crosspost")

if __name__ == "__main__":  # pragma: no cover
    app()
