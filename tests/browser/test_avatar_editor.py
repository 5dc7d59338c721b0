"""The avatar editor in a real browser: one part changes the preview, randomise draws a
new avatar, undo steps back; under the console's CSP, on a phone and a desktop."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Looked at by a person when the editor's layout changes; not compared.
SCREENSHOTS = Path(os.environ.get(
    "SCREENSHOTS", Path(tempfile.gettempdir()) / "accounts-center-screenshots"))


def _preview_src(page: Page) -> str:
    return page.locator("#avatar-preview").get_attribute("src") or ""


def _preview_loaded(page: Page) -> bool:
    return page.evaluate(
        "() => { const i = document.getElementById('avatar-preview');"
        " return i.complete && i.naturalWidth > 0; }")


def test_change_one_part_randomise_and_undo(page: Page, console) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and "favicon" not in str(m.location.get("url")) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    console.sign_up(page)
    page.goto(console.url("/avatar/editor"))
    first = _preview_src(page)
    assert _preview_loaded(page)
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_disabled()

    page.get_by_label("Eyes").select_option("wink")
    expect(page.locator("#avatar-preview")).not_to_have_attribute("src", first)
    winked = _preview_src(page)
    assert "eyes=wink" in winked
    expect(page.get_by_label("Eyes")).to_have_value("wink")
    expect(page.get_by_role("status")).to_have_text("Changed eyes.")

    page.get_by_role("button", name="Randomise").click()
    expect(page.locator("#avatar-preview")).not_to_have_attribute("src", winked)
    page.wait_for_function("() => document.getElementById('avatar-preview').naturalWidth > 0")

    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#avatar-preview")).to_have_attribute("src", winked)
    page.get_by_role("button", name="Undo").click()
    expect(page.locator("#avatar-preview")).to_have_attribute("src", first)
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
    expect(page.get_by_label("Eyes")).to_have_value("default")
    assert problems == [], problems  # nothing the console's CSP refused


@pytest.mark.parametrize("width", [390, 1280])
def test_the_editor_fits_phone_and_desktop(page: Page, console, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    console.sign_up(page)
    page.goto(console.url("/avatar/editor"))
    page.wait_for_function("() => document.getElementById('avatar-preview').naturalWidth > 0")
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], widths
    expect(page.locator("#avatar-preview")).to_be_in_viewport()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"avatar-editor-{width}.png"), full_page=True)


