"""LISTEN/NOTIFY on PostgreSQL: a transaction that writes outbox events sends a NOTIFY on
commit (`store/outbox.py`), and every listening worker wakes at once, on any machine."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from accounts_center.store.outbox import NOTIFY_CHANNEL_SQL

log = logging.getLogger("accounts_center.delivery")
RECONNECT_SECONDS = 2.0


class PostgresListener:
    """A thread holding one connection in LISTEN; calls ``wake`` for each notification.
    Losing the connection costs only latency: it reconnects, and workers also poll."""

    def __init__(self, engine: Engine, wake: Callable[[], None]) -> None:
        self._engine, self._wake = engine, wake
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="outbox-listener",
                                        daemon=True)
        self.listening = threading.Event()

    def start(self) -> PostgresListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                pooled = self._engine.raw_connection()
                try:
                    connection = pooled.driver_connection
                    connection.autocommit = True  # type: ignore[union-attr]
                    channel = connection.execute(  # type: ignore[union-attr]
                        f"SELECT {NOTIFY_CHANNEL_SQL}").fetchone()[0]
                    quoted = '"' + channel.replace('"', '""') + '"'
                    connection.execute(f"LISTEN {quoted}")  # type: ignore[union-attr]
                    self.listening.set()
                    self._wake()  # anything committed while we were not listening
                    while not self._stopping.is_set():
                        for _ in connection.notifies(timeout=1.0):  # type: ignore[union-attr]
                            self._wake()
                finally:
                    self.listening.clear()
                    pooled.invalidate()  # never hand a LISTENing connection to the pool
            except Exception as error:
                log.warning("outbox listener: %s; reconnecting", type(error).__name__)
                self._stopping.wait(RECONNECT_SECONDS)
