"""Profile sync in real Chromium, with the demo family (issue 13, point 9).

Cy adds Pics and Social to Accounts Center, keeping the photo in sync with Pics (ticked
on the hub's page as Pics is added) and the name with Social (switched on in Profile after
changing it, so the switch itself sends it).
Cy uploads a photo whose EXIF holds a GPS position: no rendition the hub keeps (64, 256,
1024 px) and not the copy Pics receives carries any EXIF. Pics shows the photo and its
own name for Cy, in the header and beside Cy's post; Social shows the new name and its
default picture: each app received only the field it is kept in sync with.
"""

from __future__ import annotations

import io
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from tests.browser.family_steps import (
    DEFAULT_PICTURE,
    PHONE,
    WEBHOOK_SECONDS,
    WIDE,
    add_to_accounts_center,
    my_picture,
    new_person,
    shoot,
    sign_up,
    wait_for_new_picture,
)
from tests.demo_family import Family
from tests.image_files import GPS_IFD, jpeg_with_gps

pytestmark = pytest.mark.browser

TAG = uuid.uuid4().hex[:8]


def without_metadata(content: bytes, size: int) -> None:
    """A square JPEG of ``size`` px with no EXIF (so no GPS), XMP or comment."""
    assert b"ExampleCam" not in content and b"Exif\x00\x00" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG" and image.size == (size, size)
        assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(image.info)


def renditions_of(hub_database: Path, digest: str) -> dict[int, str]:
    """The digests of every rendition of the profile photo one of whose digests is given."""
    with sqlite3.connect(hub_database) as db:
        rows = db.execute(
            "SELECT o.rendition, o.digest FROM media_ownerships o JOIN media_ownerships p"
            " ON o.identity_id = p.identity_id AND o.purpose = p.purpose WHERE p.digest = ?",
            (digest,)).fetchall()
    return dict(rows)


def synced_fields(database: Path, login: str) -> set[str]:
    with sqlite3.connect(database) as db:
        return {field for (field,) in db.execute(
            "SELECT s.field FROM synced_profile_fields s JOIN users u ON u.id = s.user_id"
            " WHERE u.login = ?", (login,))}


def my_name(page: Page, app_url: str, expected: str) -> str:
    """The name in the app's header, once it is ``expected`` (reloading while the hub's
    webhook may still be on its way) or when the wait is over."""
    deadline = time.monotonic() + WEBHOOK_SECONDS
    while True:
        page.goto(app_url + "/")
        shown = page.locator(".me-name").inner_text()
        if shown == expected or time.monotonic() > deadline:
            return shown
        time.sleep(0.2)


def test_a_photo_reaches_only_the_app_it_is_synced_with_and_never_its_location(
        browser: Browser, family: Family) -> None:
    pics, social = family.apps["pics"], family.apps["social"]
    context, cy = new_person(browser)
    login = f"cy_{TAG}"
    sign_up(cy, pics, login, "Cy")
    sign_up(cy, social, login, "Cy")
    add_to_accounts_center(cy, pics, "Pics", f"cy-{TAG}@example.com", sync=["profile photo"])
    add_to_accounts_center(cy, social, "Social", None)

    # A new name in the hub, then kept in sync with Social only: turning sync on sends
    # the name Cy has now.
    cy.goto(family.hub + "/profile")
    cy.get_by_label("Display name").fill("Cy Young")
    cy.get_by_role("button", name="Save", exact=True).click()
    expect(cy.get_by_role("status").first).to_have_text("Your profile is saved.")
    name_switch = cy.get_by_role("switch", name="Keep your name in sync with Social")
    name_switch.click()
    expect(name_switch).to_have_attribute("aria-checked", "true")
    expect(cy.get_by_role("switch", name="Keep your name in sync with Pics")
           ).to_have_attribute("aria-checked", "false")
    expect(cy.get_by_role("switch", name="Keep your photo in sync with Pics")
           ).to_have_attribute("aria-checked", "true")

    # A photo from a phone, with where it was taken in its EXIF.
    cy.get_by_label("New photo").set_input_files(files=[{
        "name": "holiday.jpg", "mimeType": "image/jpeg",
        "buffer": jpeg_with_gps(1200, 900)}])
    cy.get_by_role("button", name="Upload photo").click()
    expect(cy.get_by_role("status").first).to_have_text("Your profile photo is saved.")
    shown = cy.get_by_role("img", name="Your profile photo")
    digest = (shown.get_attribute("src") or "").rsplit("/", 1)[1]
    renditions = renditions_of(family.hub_database, digest)
    assert sorted(renditions) == [64, 256, 1024]
    for size, rendition in renditions.items():
        answer = cy.request.get(f"{family.hub}/media/{rendition}")  # as its owner
        assert answer.ok
        without_metadata(answer.body(), size)

    # Pics (photo on) shows it, fetched from the hub and served by Pics, still without
    # EXIF; its name for Cy is its own. Social (name on) has the new name, no photo.
    src, _ = wait_for_new_picture(cy, pics, DEFAULT_PICTURE)
    assert src.startswith("/people/") and "/photo?" in src
    without_metadata(cy.request.get(pics + src).body(), 256)
    assert my_name(cy, social, "Cy Young") == "Cy Young"
    assert my_name(cy, pics, "Cy") == "Cy"
    assert my_picture(cy, social)[0] == DEFAULT_PICTURE
    # And beside what Cy posts in each.
    cy.goto(pics + "/")
    cy.locator("#photo").set_input_files(files=[{
        "name": "beach.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(600, 400)}])
    cy.get_by_label("Caption").fill(f"Beach {TAG}")
    cy.get_by_role("button", name="Share photo").click()
    post = cy.get_by_role("listitem").filter(has_text=f"Beach {TAG}")
    expect(post.locator("img.face")).to_have_attribute("src", src)
    expect(post.locator(".meta")).to_contain_text(f"Cy @{login}")
    shoot(cy, "pics-photo-synced", PHONE)
    shoot(cy, "pics-photo-synced", WIDE)
    cy.goto(social + "/")
    cy.get_by_label("What's on your mind?").fill(f"Hello from Cy {TAG}")
    cy.get_by_role("button", name="Post").click()
    post = cy.get_by_role("listitem").filter(has_text=f"Hello from Cy {TAG}")
    expect(post.locator("img.face")).to_have_attribute("src", DEFAULT_PICTURE)
    expect(post.locator(".meta")).to_contain_text(f"Cy Young @{login}")
    shoot(cy, "social-name-synced", PHONE)
    assert synced_fields(family.database("pics"), login) == {"photo"}
    assert synced_fields(family.database("social"), login) == {"name"}
    context.close()
