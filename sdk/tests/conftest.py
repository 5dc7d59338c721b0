"""The SDK's own tests run against a stand-in hub (fake_hub.py)."""

from __future__ import annotations

import pytest

from fake_hub import FakeHub


@pytest.fixture
def fake_hub() -> FakeHub:
    return FakeHub()
