"""The serving process checkpoints SQLite's write-ahead log on a thread, not in commits."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import text

from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import build_hub
from accounts_center.services.sign_up import sign_up
from tests.support import cheap_settings


def wal_pages(database_file: str) -> int:
    path = database_file + "-wal"
    return os.path.getsize(path) // 4096 if os.path.exists(path) else 0


def test_the_log_is_copied_back_by_the_thread_and_starts_over(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    hub = build_hub(cheap_settings(database_url), serving=True)
    try:
        assert hub.checkpointer is not None
        with hub.engine.connect() as connection:  # commits leave checkpoints alone
            assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        origin = RequestOrigin("127.0.0.1", "test")
        for index in range(30):
            sign_up(hub, f"person{index}@example.com", "correct horse battery", origin)
        # A checkpoint that began after the last write (one already running may have
        # begun before it, and one from between the writes leaves the later ones in the
        # log, which the next writes then append to).
        after = hub.checkpointer.checkpoints + 2
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            result = hub.checkpointer.last_result
            if (hub.checkpointer.checkpoints >= after and result is not None
                    and result[1] > 0 and result[1] == result[2]):
                break
            time.sleep(0.05)
        busy, log_frames, copied = hub.checkpointer.last_result or (1, 0, -1)
        assert busy == 0 and log_frames == copied > 0  # everything copied back
        size_before = wal_pages(hub.engine.url.database or "")
        for index in range(30, 40):  # the next writes reuse the log from its start
            sign_up(hub, f"person{index}@example.com", "correct horse battery", origin)
        assert wal_pages(hub.engine.url.database or "") <= size_before
    finally:
        hub.close()
    assert not hub.checkpointer._thread.is_alive()


def test_other_processes_keep_sqlites_own_checkpoints(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    hub = build_hub(cheap_settings(database_url))
    try:
        assert hub.checkpointer is None
        with hub.engine.connect() as connection:
            assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    finally:
        hub.close()
