"""bench/crosspost_fanout.py, in miniature: a real hub process, the receiver checking
signatures, Chat's posts reaching all three destinations, and seeded posts expiring with
exactly one `crosspost.expired` per copy."""

from __future__ import annotations

import argparse

import crosspost_fanout


def test_a_small_fan_out_on_sqlite_delivers_every_post_to_every_destination():
    args = argparse.Namespace(people=3, rate=5.0, seconds=1.0, warmup=0.4, drain=30.0)
    result = crosspost_fanout.run_fanout(None, args)
    assert result["posts"] == 5
    assert result["lost"] == result["refused"] == result["invalid"] == 0
    assert 0.5 < result["media_mb"] < 1.5
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert crosspost_fanout.fanout_verdict(result) in ("PASS", "FAIL")  # never "lost"


def test_a_small_expiry_on_sqlite_tells_every_copy_once():
    args = argparse.Namespace(expiry_posts=12, expiry_people=4, expiry_workers=1,
                              drain=30.0)
    result = crosspost_fanout.run_expiry(None, args)
    assert result["posts"] == 12 and result["copies"] == 36
    assert result["events"] == result["received"] == 36
    assert result["lost"] == result["twice"] == result["repeats"] == 0
    assert 0 <= result["first_s"] <= result["all_out_s"]
    assert crosspost_fanout.expiry_verdict(result) in ("PASS", "FAIL")
