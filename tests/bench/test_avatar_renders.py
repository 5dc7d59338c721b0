"""bench/avatar_renders.py, in miniature: the render cases, the app's avatar URL it loads
and how it reads wrk."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

import avatar_renders
from accounts_center.hub import build_hub
from accounts_center.web.app import create_app
from login_throughput import hub_environment, hub_settings

WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:40000/media/abc?app=x&exp=1&sig=y
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.10ms    1.20ms  30.00ms   90.00%
    Req/Sec     3.10k   100.00     3.30k    80.00%
  Latency Distribution
     50%    4.90ms
     75%    5.50ms
     90%    6.20ms
     99%  812.00us
  6200 requests in 2.00s, 60.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   3100.42
Transfer/sec:     30.05MB
"""


def test_cold_renders_draw_distinct_avatars_and_cached_ones_repeat_one():
    specs = avatar_renders.distinct_specs(4)
    assert len({spec.digest() for spec in specs}) == 4
    for fmt, size in avatar_renders.CASES[:2]:  # SVG, PNG 64
        cold = avatar_renders.renders_per_second(fmt, size, True, 0.01, specs)
        cached = avatar_renders.renders_per_second(fmt, size, False, 0.01, specs)
        assert 1 <= cold["renders"] <= 4 and cached["renders"] >= 1


def test_the_url_the_bench_loads_is_the_apps_avatar_png(tmp_path):
    env = hub_environment(tmp_path, f"sqlite:///{tmp_path / 'hub.db'}",
                          "http://127.0.0.1:8000")
    url, png = avatar_renders.prepare_avatar_url(env)
    assert url.startswith("http://127.0.0.1:8000/media/") and png[:4] == b"\x89PNG"
    hub = build_hub(hub_settings(env))
    try:
        with TestClient(create_app(hub)) as client:
            assert avatar_renders.check_answers(client, url, png).startswith('"')
            with pytest.raises(SystemExit):
                avatar_renders.check_answers(client, url.replace("sig=", "sig=x"), png)
    finally:
        hub.close()


def test_wrk_output_is_read_with_its_units_and_wrong_answers():
    read = avatar_renders.parse_wrk(WRK_OUTPUT)
    assert read["requests"] == 6200 and read["per_second"] == 3100.42
    assert read["p50_ms"] == 4.9 and read["p99_ms"] == 0.812 and read["wrong"] == 3
    assert avatar_renders.verdict({**read, "foreign": 0.0}) == "FAIL (wrong answers)"
    assert avatar_renders.verdict({**read, "wrong": 0, "foreign": 0.0}) == "PASS"
