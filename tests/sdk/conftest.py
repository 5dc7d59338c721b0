"""What the live SDK tests share: a person signed up at the module's `live_hub`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.hub_browser import Browser
from tests.live_hub import LiveHub


@pytest.fixture
def person(live_hub: LiveHub) -> Iterator[Browser]:
    """A new person, signed up in a browser, at the hub of the test's module."""
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        browser = Browser(live_hub.base_url, client)
        browser.sign_up(f"sdk-{uuid.uuid4().hex[:10]}@example.com")
        yield browser
