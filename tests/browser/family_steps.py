"""What a person does in the demo family's apps, as they would do it in a browser, for the
story and the profile sync tests; and the screenshots those tests take."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.browser.conftest import PASSWORD

# The screenshots in docs/screenshots are these tests': refresh them with
#   STORY_SCREENSHOTS=docs/screenshots ./scripts/test tests/browser/test_story.py \
#       tests/browser/test_profile_sync.py tests/browser/test_crossposting.py
# Otherwise they go to a temporary folder, and a test run leaves the checkout as it was.
SCREENSHOTS = Path(os.environ.get("STORY_SCREENSHOTS") or tempfile.mkdtemp(prefix="story-"))
PHONE = 390
WIDE = 1280
APP_PASSWORD = "app password 42"
DEFAULT_PICTURE = "/static/family/default-picture.svg"
WEBHOOK_SECONDS = 15.0  # the hub's worker sends at once; this is a generous ceiling


def new_person(browser: Browser) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": WIDE, "height": 900})
    context.set_default_timeout(10_000)
    return context, context.new_page()


def shoot(page: Page, name: str, width: int, scrolled_to: str | None = None) -> None:
    """The viewport at ``width``, scrolled to the element ``scrolled_to`` (a selector)."""
    page.set_viewport_size({"width": width, "height": 900 if width > PHONE else 844})
    if scrolled_to is not None:
        page.locator(scrolled_to).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": WIDE, "height": 900})


def sign_up(page: Page, app_url: str, login: str, name: str) -> None:
    page.goto(app_url + "/signup")
    page.locator("#login").fill(login)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password").fill(APP_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def add_to_accounts_center(page: Page, app_url: str, app: str, hub_email: str | None,
                           sync: Sequence[str] = ()) -> None:
    """From the app's settings; signs up at the hub on the way when given an email, and
    ticks "Keep my <label> in sync" on the hub's page for each label in ``sync``."""
    page.goto(app_url + "/settings")
    page.get_by_role("button", name="Add to Accounts Center").click()
    if hub_email is not None:
        page.get_by_role("link", name="Create a login").click()
        page.get_by_label("Email address or phone number").fill(hub_email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create login").click()
    expect(page.get_by_role("heading", name=f"Add your {app} account to Accounts Center?")
           ).to_be_visible()
    for field in sync:
        page.get_by_label(f"Keep my {field} in sync with {app}").check()
    page.get_by_role("button", name="Add account").click()
    expect(page).to_have_url(f"{app_url}/settings?notice=added")
    expect(page.get_by_role("status")).to_contain_text(
        f"Your {app} account is added to Accounts Center.")
    expect(page.locator("#hub-status")).to_contain_text("is added")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name=re.compile("^Sign in to"))).to_be_visible()


def my_picture(page: Page, app_url: str) -> tuple[str, str]:
    """The address of the signed-in person's picture in the app's header, and the SHA-256
    of the image the app serves there (fetched with the page's cookies)."""
    page.goto(app_url + "/")
    picture = page.locator("#me-picture")
    expect(picture).to_be_visible()
    # Drawn, not just present: nothing (a CSP, a wrong type) stopped the image.
    page.wait_for_function("() => document.getElementById('me-picture').naturalWidth > 0")
    src = picture.get_attribute("src") or ""
    return src, served_digest(page, app_url + src)


def served_digest(page: Page, url: str) -> str:
    answer = page.request.get(url)
    assert answer.ok, f"{url} answered {answer.status}"
    return hashlib.sha256(answer.body()).hexdigest()


def wait_for_new_picture(page: Page, app_url: str, old_src: str) -> tuple[str, str]:
    """Reloads the app until its header shows a picture other than ``old_src`` (the hub's
    webhook arrives a moment after the change); the new address and image digest."""
    deadline = time.monotonic() + WEBHOOK_SECONDS
    while True:
        src, digest = my_picture(page, app_url)
        if src != old_src or time.monotonic() > deadline:
            return src, digest
        time.sleep(0.2)


def wait_until_gone(page: Page, url: str, selector: str) -> None:
    """Reloads ``url`` until nothing matches ``selector`` (a webhook arrives a moment
    after the change in the hub)."""
    deadline = time.monotonic() + WEBHOOK_SECONDS
    page.goto(url)
    while page.locator(selector).count() and time.monotonic() < deadline:
        time.sleep(0.2)
        page.goto(url)
    expect(page.locator(selector)).to_have_count(0)


def make_sticker(page: Page, hub_url: str, expression: str) -> None:
    """In the hub's Creations, from the avatar she saved."""
    page.goto(hub_url + "/profile/creations")
    page.get_by_label("Expression").select_option(expression)
    page.get_by_role("button", name="Make sticker").click()
    expect(page.get_by_role("status")).to_contain_text("Your sticker is made")


def delete_creation(page: Page, hub_url: str, title: str) -> None:
    page.goto(hub_url + "/profile/creations")
    page.locator("li.creation", has_text=title).get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted")
