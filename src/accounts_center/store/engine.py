"""Engine creation: SQLite in WAL mode with foreign keys on, or PostgreSQL by URL."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc


def make_engine(url: str, *, background_checkpoints: bool = False,
                **kwargs: Any) -> Engine:
    """``background_checkpoints``: SQLite connections leave WAL checkpoints to a
    `WalCheckpointer` (which the caller runs) instead of checkpointing in a commit."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        if background_checkpoints:
            event.listen(engine, "connect", _no_checkpoints_in_commits)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkin", _stamp_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


# A pooled PostgreSQL connection is tested before use only when it sat idle for this long
# (a server restart or an idle timeout may have closed it). Pinging on every checkout, as
# `pool_pre_ping` does, costs a network round trip per transaction.
IDLE_PING_SECONDS = 10.0


def _stamp_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["checked_in_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    checked_in_at = record.info.get("checked_in_at")
    if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_PING_SECONDS:
        return
    try:
        alive = proxy._pool._dialect.do_ping(dbapi_connection)
    except Exception as error:  # the pool replaces the connection and checks out another
        raise exc.DisconnectionError(str(error)) from error
    if not alive:
        raise exc.DisconnectionError("the connection did not answer a ping")


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _no_checkpoints_in_commits(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def sqlite_file(engine: Engine) -> str | None:
    """The database file of a SQLite engine; None for PostgreSQL or an in-memory one."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return database


def _begin_immediate(connection: Any) -> None:
    # Take the write lock up front: a deferred transaction that reads and then writes can
    # fail at once with SQLITE_BUSY when another writer committed in between, which the
    # busy timeout does not cover. Transactions are short (hashing happens outside them).
    connection.exec_driver_sql("BEGIN IMMEDIATE")
