"""Browser tests: the real hub in a subprocess, driven by Debian's Chromium via Playwright.

Never run `playwright install` here (see /work/shared/TOOLING.md): the launch-args fixture
below points Playwright at the system browser instead.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect
from tests.demo_family import Family, running_family
from tests.live_hub import running_hub

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "correct horse battery staple"
TOTP_STEP_SECONDS = 30


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Install it with `apt-get install -y chromium` "
            "or set CHROMIUM to a Chromium binary. Do not run `playwright install`.",
            pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real hub (`accounts-center serve`) on a free local port; yields its base URL."""
    with running_hub(tmp_path_factory.mktemp("live-hub")) as hub:
        yield hub.base_url


@pytest.fixture(scope="session")
def family(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Family]:
    """The demo family (the hub, Chat, Pics and Social) running once for every browser test
    that walks through the apps; each test uses people of its own."""
    with running_family(tmp_path_factory.mktemp("family")) as running:
        yield running


@dataclass
class Person:
    """A person using the console, with their authenticator app once they set one up."""

    email: str
    password: str = PASSWORD
    secret: str | None = None
    last_step: int | None = None
    recovery_codes: list[str] = field(default_factory=list)

    def next_code(self) -> str:
        """A code for a step the hub has not seen yet (codes are single use per step).

        The hub accepts the current step and one either side, so the step after the last
        one used is fine unless it is more than one step ahead; then wait for the clock."""
        assert self.secret is not None, "two-factor login is not set up"
        now_step = int(time.time()) // TOTP_STEP_SECONDS
        step = now_step if self.last_step is None else max(self.last_step + 1, now_step)
        while step > int(time.time()) // TOTP_STEP_SECONDS + 1:
            time.sleep(0.5)
        self.last_step = step
        return pyotp.TOTP(self.secret).at(step * TOTP_STEP_SECONDS)

    def wrong_code(self) -> str:
        """A 6-digit code that matches none of the steps the hub would accept now."""
        assert self.secret is not None
        totp = pyotp.TOTP(self.secret)
        now_step = int(time.time()) // TOTP_STEP_SECONDS
        valid = {totp.at(s * TOTP_STEP_SECONDS) for s in range(now_step - 2, now_step + 3)}
        return next(c for c in ("000000", "111111", "123456", "999999") if c not in valid)


def new_email() -> str:
    return f"person-{uuid.uuid4().hex[:12]}@example.com"


@dataclass(frozen=True)
class Console:
    """The steps a person takes in the console, as they would take them in a browser."""

    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def sign_up(self, page: Page) -> Person:
        """Creates a login through /signup; the page ends on /accounts, logged in."""
        person = Person(new_email())
        page.goto(self.url("/signup"))
        page.get_by_label("Email address or phone number").fill(person.email)
        page.get_by_label("Password").fill(person.password)
        page.get_by_role("button", name="Create login").click()
        expect(page).to_have_url(self.url("/accounts"))
        return person

    def turn_on_two_factor(self, page: Page, person: Person) -> None:
        """From a logged-in page: Password and security, set up, confirm, recovery codes."""
        page.get_by_role("navigation").get_by_role("link", name="Password and security").click()
        expect(page).to_have_url(self.url("/security"))
        page.get_by_role("button", name="Set up two-factor authentication").click()
        expect(page.get_by_role("heading", name="Set up two-factor authentication")
               ).to_be_visible()
        expect(page.locator(".qr svg")).to_be_visible()
        person.secret = page.locator("#totp-secret").inner_text().strip()
        assert len(person.secret) >= 16, person.secret
        page.get_by_label("Code", exact=True).fill(person.next_code())
        page.get_by_role("button", name="Turn on").click()
        expect(page.get_by_role("heading", name="Two-factor authentication is on")
               ).to_be_visible()
        codes = page.locator("#recovery-codes li")
        expect(codes).to_have_count(10)
        person.recovery_codes = [c.strip() for c in codes.all_inner_texts()]

    def log_out(self, page: Page) -> None:
        page.get_by_role("banner").get_by_role("button", name="Log out").click()
        expect(page).to_have_url(self.url("/login"))

    def log_in_with_password(self, page: Page, person: Person) -> None:
        page.goto(self.url("/login"))
        page.get_by_label("Email address or phone number").fill(person.email)
        page.get_by_label("Password").fill(person.password)
        page.get_by_role("button", name="Log in").click()

    def enter_code(self, page: Page, code: str) -> None:
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Continue").click()


@pytest.fixture
def console(live_hub: str) -> Console:
    return Console(live_hub)
