"""What every use case is handed: settings, storage, clock and the crypto in force."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from accounts_center.clock import Clock, SystemClock
from accounts_center.crypto.device_cookies import DeviceCookies
from accounts_center.crypto.encryption import SecretBox
from accounts_center.crypto.passwords import PasswordHashing
from accounts_center.settings import Settings
from accounts_center.store.engine import make_engine, sqlite_file
from accounts_center.store.unit_of_work import UnitOfWork
from accounts_center.store.wal_checkpoints import WalCheckpointer


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    clock: Clock
    passwords: PasswordHashing
    secret_box: SecretBox
    device_cookies: DeviceCookies
    new_id: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))
    # Per-process caches of values every process can rebuild from the database.
    memo: dict[str, Any] = field(default_factory=dict)
    checkpointer: WalCheckpointer | None = None

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Transactions of one process take turns on SQLite (every one begins IMMEDIATE).
        # Re-entrant, so an accidental nested unit of work fails on the busy timeout
        # instead of waiting forever.
        self._write_lock = threading.RLock() if self.engine.dialect.name == "sqlite" else None

    @property
    def write_lock(self) -> threading.RLock | None:
        return self._write_lock

    @contextmanager
    def single_read(self) -> Iterator[Connection]:
        """A connection for one read that needs no transaction: on PostgreSQL in autocommit
        mode (one round trip instead of BEGIN, the read and ROLLBACK); on SQLite, where the
        database is local, inside an ordinary short transaction."""
        if self._write_lock is None:
            with self.engine.connect() as connection:
                yield connection.execution_options(isolation_level="AUTOCOMMIT")
        else:
            with self.unit_of_work() as uow:
                yield uow.session.connection()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions, self._write_lock)

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


def build_hub(settings: Settings, *, clock: Clock | None = None,
              secret_key: str | None = None, serving: bool = False) -> Hub:
    """``serving``: the long-running server process, whose SQLite WAL checkpoints run on a
    background thread (`store/wal_checkpoints.py`)."""
    key = secret_key or settings.secret_key
    if key is None:
        raise ValueError("no secret key: set ACCOUNTS_CENTER_SECRET_KEY")
    engine = make_engine(settings.database_url, background_checkpoints=serving)
    hub = Hub(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        passwords=PasswordHashing(time_cost=settings.argon2_time_cost,
                                  memory_kib=settings.argon2_memory_kib,
                                  parallelism=settings.argon2_parallelism),
        secret_box=SecretBox(key),
        device_cookies=DeviceCookies(key),
    )
    database_file = sqlite_file(engine) if serving else None
    if database_file:
        hub.checkpointer = WalCheckpointer(database_file, hub.write_lock).start()
    return hub


