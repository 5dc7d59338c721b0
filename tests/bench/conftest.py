"""The benchmarks (bench/) run on demand, never in CI; these tests run tiny versions of
them so a change to the services or the console they drive breaks a test, not the next
person's benchmark run."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
