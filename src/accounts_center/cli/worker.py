"""`accounts-center worker`: delivers outbox events as signed webhooks until stopped."""

from __future__ import annotations

import asyncio
import logging
import signal

import typer
from prometheus_client import start_http_server
from rich.console import Console

from accounts_center.cli.context import (
    fail,
    load_settings,
    require_migrated,
    resolve_secret_key,
)
from accounts_center.delivery.metrics import metrics_of
from accounts_center.delivery.worker import DeliveryWorker
from accounts_center.hub import build_hub

out = Console(stderr=True)


def worker(metrics_port: int | None = typer.Option(
               None, "--metrics-port", min=1, max=65535,
               help="Serve Prometheus metrics on this port (127.0.0.1)"),
           metrics_host: str = typer.Option("127.0.0.1", "--metrics-host",
                                             help="Interface for --metrics-port")) -> None:
    """Deliver events to member apps. Run any number against one PostgreSQL; stop with
    Ctrl-C or SIGTERM (deliveries in flight are finished first)."""
    settings = load_settings()
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("httpx", "httpcore"):  # they log each request's URL, which may carry a
        logging.getLogger(chatty).setLevel(logging.WARNING)  # token (CHECKLIST 49)
    try:
        hub = build_hub(settings, secret_key=resolve_secret_key(settings))
    except ValueError as error:
        fail(str(error))
    try:
        require_migrated(hub)
        metrics = metrics_of(hub)
        if metrics_port is not None:
            try:
                start_http_server(metrics_port, addr=metrics_host, registry=metrics.registry)
            except OSError as error:
                fail(f"cannot serve metrics on {metrics_host}:{metrics_port}: "
                     f"{error.strerror}")
        # Its logout tokens name this issuer: it must be the one `serve` advertises.
        out.print(f"Delivering events ({hub.engine.dialect.name}) for issuer "
                  f"{settings.issuer}; stop with Ctrl-C.", highlight=False)
        try:
            delivery = DeliveryWorker(hub, metrics=metrics)
        except ValueError as error:
            fail(str(error))
        asyncio.run(_run(delivery))
    finally:
        hub.close()


async def _run(delivery: DeliveryWorker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await delivery.run(stop)
