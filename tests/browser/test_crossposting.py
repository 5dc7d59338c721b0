"""Cross-posting, end to end in real Chromium (issue 14 point 8): the story's next chapter.

Cara adds Chat, Pics and Social to Accounts Center and, on the hub's Connected experiences
page, sets Chat's Status → Social's Stories to always and → Pics's Stories to ask each time.
She posts a Status with a photo in Chat and ticks Pics: the Story appears in Pics and in
Social. She deletes the Status in Chat: it disappears from both. She removes Social in the
hub: her next Status reaches Pics, which she ticked, and not Social. The operator opens
Story → Status; she sets Pics's Stories → Chat's Status to ask, posts a Story in Pics and
ticks Chat: Chat shows it as her Status, until she deletes the Story in Pics. Last, on
Connected experiences she sees Pics delivered her Lighthouse Status and deletes it
everywhere: it leaves Pics, and Chat, where she posted it.

Stories and Statuses are seen by everyone in an app, and other tests share this family:
every locator looks for this test's own captions.
"""

from __future__ import annotations

import random
import re
import sqlite3
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.crosspost_steps import (
    SHARED,
    choose_crosspost,
    post_with_photo,
    reload_until,
    shows_shared_photo,
)
from tests.browser.family_steps import PHONE, WIDE, add_to_accounts_center, new_person, shoot
from tests.browser.family_steps import sign_up as sign_up_in_app
from tests.demo_family import Family

pytestmark = pytest.mark.browser

TAG = uuid.uuid4().hex[:8]
ORANGE, GREEN, PURPLE = (240, 120, 0), (20, 160, 60), (120, 40, 160)


def copies_reached(family: Family, caption: str) -> list[str]:
    """The apps the hub made a copy of the post with this caption for."""
    with sqlite3.connect(family.hub_database) as db:
        rows = db.execute(
            "SELECT a.name FROM crosspost_copies c JOIN crossposts p ON p.id = c.crosspost_id"
            " JOIN member_apps a ON a.id = c.destination_app_id WHERE p.caption = ?",
            (caption,)).fetchall()
    return sorted(name for (name,) in rows)


def delete_post(page: Page, url: str, text: str) -> None:
    page.goto(url)
    page.locator("li.item", has_text=text).get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("Your post was deleted.")
    expect(page.locator("li.item", has_text=text)).to_have_count(0)


def test_a_status_becomes_stories_and_a_story_a_status(browser: Browser,
                                                       family: Family) -> None:
    chat, pics, social = family.apps["chat"], family.apps["pics"], family.apps["social"]
    context, cara = new_person(browser)
    phone = f"+1555{random.randrange(10**6, 10**7)}"
    for app_url, login in ((chat, phone), (pics, f"cara_{TAG}"), (social, f"cara_{TAG}")):
        sign_up_in_app(cara, app_url, login, "Cara")
    add_to_accounts_center(cara, chat, "Chat", f"cara-{TAG}@example.com")
    add_to_accounts_center(cara, pics, "Pics", None)
    add_to_accounts_center(cara, social, "Social", None)

    # Nothing moves until she chooses: Chat offers no sharing yet.
    cara.goto(chat + "/status")
    expect(cara.locator("fieldset.crosspost")).to_have_count(0)
    choose_crosspost(cara, family.hub, ("Chat", "status"), ("Social", "story"), "always")
    choose_crosspost(cara, family.hub, ("Chat", "status"), ("Pics", "story"), "ask")
    cara.goto(chat + "/status")
    sharing = cara.locator("fieldset.crosspost")
    expect(sharing.get_by_label("Pics Story", exact=True)).not_to_be_checked()
    expect(sharing).to_contain_text("Also shared to Social Story")

    # A Status with a photo, Pics ticked: a Story in Pics and in Social.
    first = f"Sunset at the pier {TAG}"
    post_with_photo(cara, chat + "/status", "status", first, ORANGE, tick=("Pics Story",),
                    shot="chat-status-share")
    assert copies_reached(family, first) == ["Pics", "Social"]
    for app_url in (pics, social):
        story = cara.locator("li.item", has_text=first)
        reload_until(cara, app_url + "/stories", story, 1)
        shows_shared_photo(story)
    shoot(cara, "social-story-shared-from-chat", PHONE,
          scrolled_to=f"li.item:has-text('{first}')")

    # Deleted in Chat: gone from both.
    delete_post(cara, chat + "/status", first)
    for app_url in (pics, social):
        reload_until(cara, app_url + "/stories", cara.locator("li.item", has_text=first), 0)

    # She removes Social in the hub: the next Status reaches Pics only.
    cara.goto(family.hub + "/accounts")
    cara.get_by_role("row", name=re.compile("Social")).get_by_role("link", name="Remove").click()
    cara.get_by_role("button", name="Remove account").click()
    expect(cara.get_by_role("cell", name="Social", exact=True)).to_have_count(0)
    cara.goto(chat + "/status")
    expect(cara.locator("fieldset.crosspost")).not_to_contain_text("Social")
    second = f"Lighthouse {TAG}"
    post_with_photo(cara, chat + "/status", "status", second, GREEN, tick=("Pics Story",))
    assert copies_reached(family, second) == ["Pics"]
    reload_until(cara, pics + "/stories", cara.locator("li.item", has_text=second), 1)
    cara.goto(social + "/stories")
    expect(cara.locator("li.item", has_text=second)).to_have_count(0)

    # Story → Status, once the operator opens it: Pics offers Chat, Chat shows the Story.
    cara.goto(pics + "/stories")
    expect(cara.locator("fieldset.crosspost")).to_have_count(0)
    family.operator("crosspost", "directions", "--allow", "story:status")
    try:
        story_to_status(cara, family, second)
    finally:
        family.operator("crosspost", "directions", "--deny", "story:status")
    delete_everywhere_in_the_hub(cara, family, second)
    context.close()


def delete_everywhere_in_the_hub(cara: Page, family: Family, caption: str) -> None:
    """In the hub, she reads what became of each copy of her Lighthouse Status and deletes
    it everywhere: it leaves Pics, and Chat, where she posted it."""
    chat, pics = family.apps["chat"], family.apps["pics"]
    cara.goto(family.hub + "/connected-experiences")
    entry = cara.locator("li.crosspost", has_text=caption)
    expect(entry).to_contain_text("Story in Pics: delivered")
    shoot(cara, "connected-experiences-recent", PHONE, scrolled_to="#recent-heading")
    entry.get_by_role("link", name=re.compile("^Delete everywhere")).click()
    expect(cara.get_by_role("heading", level=1)).to_have_text("Delete this post everywhere?")
    expect(cara.get_by_role("main")).to_contain_text(
        "Chat, where you posted it, is asked to delete it too.")
    cara.get_by_role("button", name="Delete everywhere").click()
    expect(cara.get_by_role("status")).to_contain_text("asked to delete it")
    expect(entry).to_contain_text("Story in Pics: deleted there too")
    reload_until(cara, pics + "/stories", cara.locator("li.item", has_text=caption), 0)
    reload_until(cara, chat + "/status", cara.locator("li.item", has_text=caption), 0)


def story_to_status(cara: Page, family: Family, chat_status: str) -> None:
    chat, pics = family.apps["chat"], family.apps["pics"]
    choose_crosspost(cara, family.hub, ("Pics", "story"), ("Chat", "status"), "ask")
    cara.goto(pics + "/stories")
    expect(cara.locator("fieldset.crosspost").get_by_label("Chat Status", exact=True)
           ).to_be_visible()
    third = f"Harbour lights {TAG}"
    post_with_photo(cara, pics + "/stories", "story", third, PURPLE, tick=("Chat Status",),
                    shot="pics-story-to-chat")
    shoot(cara, "pics-story-posted", PHONE, scrolled_to=f"li.item:has-text('{third}')")
    assert copies_reached(family, third) == ["Chat"]
    status = cara.locator("li.item", has_text=third)
    reload_until(cara, chat + "/status", status, 1)
    shows_shared_photo(status)
    expect(cara.locator("li.item", has_text=chat_status).locator(".shared-from")
           ).to_have_count(0)
    shoot(cara, "chat-status-shared-from-pics", PHONE)
    shoot(cara, "chat-status-shared-from-pics", WIDE)
    # Her own Story in Pics is not marked as shared from elsewhere; deleted, it leaves Chat.
    cara.goto(pics + "/stories")
    expect(cara.locator("li.item", has_text=third).get_by_text(SHARED)).to_have_count(0)
    delete_post(cara, pics + "/stories", third)
    reload_until(cara, chat + "/status", cara.locator("li.item", has_text=third), 0)
