"""The `accounts-center` command line (Typer), one module per command group."""
