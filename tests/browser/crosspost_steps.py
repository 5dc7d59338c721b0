"""What a person does to cross-post in the demo family, as they would do it in a browser:
choose per pair of apps on the hub's Connected experiences page, post a Status or a Story
with a photo, and look for it in the other apps (the hub's webhook arrives a moment later:
the page is reloaded until it shows, each look waiting with Playwright's own expect)."""

from __future__ import annotations

import io
import time

from PIL import Image
from playwright.sync_api import Locator, Page, expect
from tests.browser.family_steps import PHONE, WEBHOOK_SECONDS, WIDE, shoot

MODES = {"off": "Off", "ask": "Ask each time", "always": "Always"}
SHARED = "shared from another app through Accounts Center"
LOOK_MS = 1_000  # one look before reloading


def photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (480, 320), colour).save(out, format="PNG")
    return out.getvalue()


def choose_crosspost(page: Page, hub_url: str, source: tuple[str, str],
                     destination: tuple[str, str], mode: str) -> None:
    """On the hub's Connected experiences page: ``source`` = ("Chat", "status"),
    ``destination`` = ("Pics", "story"), ``mode`` off, ask or always."""
    page.goto(hub_url + "/connected-experiences")
    choice = page.get_by_label(f"Share {source[1]} posts from {source[0]} as "
                               f"{destination[1]} posts in {destination[0]}")
    choice.select_option(label=MODES[mode])
    choice.locator("xpath=ancestor::form").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your choice is saved.")
    expect(page.get_by_label(f"Share {source[1]} posts from {source[0]} as "
                             f"{destination[1]} posts in {destination[0]}")
           ).to_have_value(mode)


def post_with_photo(page: Page, url: str, noun: str, text: str,
                    colour: tuple[int, int, int], tick: tuple[str, ...] = (),
                    shot: str | None = None) -> Locator:
    """From the Status or Stories page at ``url``: the text, a photo, the ``ask``
    destinations named in ``tick`` (e.g. "Pics Story"); the post as it shows there.
    ``shot``: the filled form's screenshots are taken under that name."""
    page.goto(url)
    page.get_by_label(f"New {noun}").fill(text)
    page.get_by_label("Photo").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": photo(colour)}])
    for label in tick:
        page.get_by_label(label, exact=True).check()
    if shot is not None:
        for width in (PHONE, WIDE):
            shoot(page, shot, width, scrolled_to="form.card")
    page.get_by_role("button", name=f"Post {noun}").click()
    posted = page.locator("li.item", has_text=text)
    expect(posted).to_have_count(1)
    return posted


def reload_until(page: Page, url: str, wanted: Locator, count: int) -> None:
    """Reloads ``url`` until ``wanted`` (a locator on ``page``) matches ``count`` items."""
    deadline = time.monotonic() + WEBHOOK_SECONDS
    page.goto(url)
    while True:
        try:
            expect(wanted).to_have_count(count, timeout=LOOK_MS)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            page.goto(url)


def shows_shared_photo(item: Locator) -> None:
    """A copy another app shared: marked so, its photo drawn (not just present)."""
    expect(item.locator(".shared-from")).to_contain_text(SHARED)
    image = item.locator("img.photo")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
