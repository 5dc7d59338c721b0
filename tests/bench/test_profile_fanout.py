"""bench/profile_fanout.py, in miniature: a real hub process, the receiver, the person's
console form and every (change, app) webhook accounted for."""

from __future__ import annotations

import argparse
import os
import shutil

import pytest

import profile_fanout

needs_two_cores = pytest.mark.skipif(
    shutil.which("taskset") is None or not {0, 1} <= os.sched_getaffinity(0),
    reason="the benchmark pins its processes to cores 0 and 1 with taskset")


@needs_two_cores
def test_a_small_run_on_sqlite_delivers_every_change_to_every_app():
    args = argparse.Namespace(apps=2, changes=3, warmup=1, interval=0.0, drain=30.0)
    result = profile_fanout.run_backend(None, args)
    assert result["pairs"] == result["arrived"] == result["events"] == 6
    assert result["lost"] == result["invalid"] == 0
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert profile_fanout.verdict(result) in ("PASS", "FAIL")  # a timing, never "lost"
