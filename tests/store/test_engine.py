"""Pooled PostgreSQL connections: idle ones are checked before use."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from accounts_center.store import engine as engine_module


def test_an_idle_connection_closed_by_the_server_is_replaced_transparently(
        database_url, monkeypatch):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    engine = engine_module.make_engine(database_url, pool_size=1, max_overflow=0)
    admin = create_engine(database_url)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.begin() as connection:  # e.g. a server restart or an idle timeout
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()
        admin.dispose()
