"""`accounts-center serve`: migrate, then run the hub (one process)."""

from __future__ import annotations

import typer
import uvicorn

from accounts_center.cli.context import err, fail, load_settings, resolve_secret_key
from accounts_center.delivery.worker import DeliveryWorker, WorkerThread
from accounts_center.hub import build_hub
from accounts_center.services.ledger import seal_unsealed
from accounts_center.store import migrate
from accounts_center.web.access_log import access_log_config
from accounts_center.web.app import create_app


def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
          port: int = typer.Option(8000, min=1, max=65535, help="TCP port"),
          log_level: str = typer.Option("info", help="uvicorn log level"),
          no_worker: bool = typer.Option(
              False, "--no-worker", help="Do not deliver webhooks from this process (on "
                                         "SQLite it does unless told not to)")) -> None:
    """Start the hub on HOST:PORT (applies pending migrations first). Its issuer is
    ACCOUNTS_CENTER_PUBLIC_URL, or http://HOST:PORT when that is unset. On SQLite it also
    delivers webhooks; on PostgreSQL run `accounts-center worker` beside it."""
    configured = load_settings()
    try:
        settings = configured.served_at(host, port)
    except ValueError:
        fail(f"cannot advertise http://{host}:{port}: plain http is for localhost and "
             "127.0.0.1 only (OAuth 2.0 needs TLS); set ACCOUNTS_CENTER_PUBLIC_URL to the "
             "hub's https:// address")
    if settings.run_migrations_on_start:
        try:
            migrate.upgrade(settings.database_url)
        except Exception as error:
            fail(f"cannot prepare the database: {type(error).__name__}: "
                 f"{str(error).splitlines()[0]}")
    try:
        hub = build_hub(settings, secret_key=resolve_secret_key(settings), serving=True)
    except ValueError as error:
        fail(str(error))
    try:
        # Entries written before migration 0008 get the hub's seal (the migration had no
        # key); afterwards every entry is sealed as it is written.
        sealed = seal_unsealed(hub)
    except Exception as error:
        hub.close()
        fail(f"cannot seal the ledger: {type(error).__name__}")
    if sealed:
        err.print(f"Sealed {sealed} ledger entries written before entries were sealed.")
    in_process = (settings.is_sqlite if settings.delivery_in_process is None
                  else settings.delivery_in_process) and not no_worker
    try:
        delivering = WorkerThread(DeliveryWorker(hub)).start() if in_process else None
    except ValueError as error:
        hub.close()
        fail(str(error))
    # Apps must be configured with exactly this issuer (it is in every token they check).
    err.print(f"Issuer: {settings.issuer} " + (
        "(ACCOUNTS_CENTER_PUBLIC_URL)" if configured.public_url is not None else
        "(where this process listens; set ACCOUNTS_CENTER_PUBLIC_URL to advertise another)"),
        highlight=False, markup=False, soft_wrap=True)
    try:
        uvicorn.run(create_app(hub), host=host, port=port, log_level=log_level,
                    log_config=access_log_config(), proxy_headers=True,
                    server_header=False)
    finally:
        if delivering is not None:
            delivering.stop()
        hub.close()
