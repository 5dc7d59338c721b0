"""The Creations page in a real browser, on a phone and a desktop: save an avatar, make
a sticker from it, upload an image, hide it, delete it after the confirmation; labels,
no sideways scrolling, nothing the CSP refused. Screenshots are left for a person to look
at when the layout changes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.test_console_usability import (
    assert_every_input_has_a_label,
    assert_no_horizontal_scroll,
)
from tests.image_files import jpeg_with_gps

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(os.environ.get(
    "SCREENSHOTS", Path(tempfile.gettempdir()) / "accounts-center-screenshots"))


@pytest.mark.parametrize("width", [390, 1280])
def test_make_a_sticker_upload_hide_and_delete(page: Page, console, width: int) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "favicon" not in str(m.location.get("url")) else None)
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    console.sign_up(page)
    page.goto(console.url("/profile"))
    page.get_by_role("link", name="Your creations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Creations")
    expect(page.locator("#no-avatar")).to_contain_text("Make your avatar")

    page.goto(console.url("/profile"))
    page.get_by_role("button", name="Save avatar").click()
    # The save must land before the next page asks for the avatar (else: a race).
    expect(page.get_by_role("status")).to_have_text("Your avatar is saved.")
    page.goto(console.url("/profile/creations"))
    page.get_by_label("Expression").select_option("wink")
    page.get_by_role("button", name="Make sticker").click()
    expect(page.get_by_role("status")).to_contain_text("Your sticker is made")
    sticker = page.locator("li.creation").first
    expect(sticker).to_contain_text("Wink sticker")
    page.wait_for_function(
        "() => [...document.querySelectorAll('li.creation img')].every(i => i.naturalWidth)")

    page.locator("#file").set_input_files(files=[{
        "name": "beach.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}])
    page.locator("#image-title").fill("Beach")
    page.get_by_role("button", name="Add image").click()
    expect(page.get_by_role("status")).to_contain_text("Your image is added")
    assert_no_horizontal_scroll(page)
    assert_every_input_has_a_label(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"creations-{width}.png"), full_page=True)

    beach = page.locator("li.creation", has_text="Beach")
    beach.get_by_role("button", name="Hide from apps").click()
    expect(page.locator("li.creation", has_text="Beach")).to_contain_text(
        "hidden from your apps")
    page.locator("li.creation", has_text="Beach").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Beach”?")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted")
    expect(page.locator("li.creation")).to_have_count(1)
    assert problems == [], problems
