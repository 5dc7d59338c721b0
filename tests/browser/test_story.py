"""The story of issue 12, end to end in real Chromium: the project's spine, which later
features extend.

Ada signs up in Chat, Pics and Social and adds all three to Accounts Center from the apps;
signs out of Chat and back in with "Continue with Accounts Center"; she and Bo exchange
end-to-end encrypted Chat messages; she keeps her avatar in sync with Chat and Pics, not
Social, changes it once in the hub, and Chat and Pics (Bo's Chat too) show the new one
while Social keeps its default picture; she turns off signing in to Pics in the hub, and Pics's
button explains; she removes Social in the hub, and Social keeps working while its calls to
the hub are refused; "Your information" shows the flows and the ledger verifies. Last, no
message text is in the hub's or Chat's database: Chat holds ciphertext only.
"""

from __future__ import annotations

import base64
import re
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.family_steps import (
    APP_PASSWORD,
    DEFAULT_PICTURE,
    PHONE,
    WIDE,
    add_to_accounts_center,
    delete_creation,
    make_sticker,
    my_picture,
    new_person,
    served_digest,
    shoot,
    sign_out,
    sign_up,
    wait_for_new_picture,
    wait_until_gone,
)
from tests.demo_family import Family

pytestmark = pytest.mark.browser

TAG = uuid.uuid4().hex[:8]
SECRET = uuid.uuid4().hex  # in the messages only
MESSAGES = (f"Lunch at noon? {SECRET}", f"Yes, see you there {SECRET}")


def text_everywhere(database: Path) -> list[str]:
    """Every text and blob value of every table, decoded as far as it goes."""
    found: list[str] = []
    with sqlite3.connect(database) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (names from the schema)
                for value in row:
                    if isinstance(value, bytes):
                        found.append(value.decode("utf-8", "replace"))
                    elif isinstance(value, str):
                        found.append(value)
    return found


def test_the_story(browser: Browser, family: Family) -> None:
    started = time.monotonic()
    chat, pics, social = family.apps["chat"], family.apps["pics"], family.apps["social"]
    ada_context, ada = new_person(browser)
    bo_context, bo = new_person(browser)
    ada_phone, bo_phone = "+15551230001", "+15551230002"

    # Ada signs up in each app, with nothing of Accounts Center yet.
    sign_up(ada, chat, ada_phone, "Ada")
    expect(ada.locator("#key-status")).to_contain_text("ready")
    sign_up(ada, pics, "ada", "Ada")
    sign_up(ada, social, "ada", "Ada")
    ada.goto(social + "/settings")
    expect(ada.locator("#hub-status")).to_contain_text("not added")

    # She adds all three from the apps (a hub login made on the way, the first time).
    add_to_accounts_center(ada, chat, "Chat", f"ada-{TAG}@example.com")
    shoot(ada, "chat-settings-added", PHONE)
    add_to_accounts_center(ada, pics, "Pics", None)
    add_to_accounts_center(ada, social, "Social", None)
    ada.goto(family.hub + "/accounts")
    for app in ("Chat", "Pics", "Social"):
        expect(ada.get_by_role("cell", name=app, exact=True)).to_be_visible()

    # Signs out of Chat and back in with Accounts Center.
    ada.goto(chat + "/")
    sign_out(ada)
    shoot(ada, "chat-login", PHONE)
    ada.get_by_role("button", name="Continue with Accounts Center").click()
    expect(ada).to_have_url(chat + "/")
    expect(ada.locator("footer")).to_contain_text(f"signed in as Ada ({ada_phone})")

    # Bo joins Chat; they write to each other, encrypted in their browsers.
    sign_up(bo, chat, bo_phone, "Bo")
    expect(bo.locator("#key-status")).to_contain_text("ready")
    ada.get_by_label("Start a conversation").fill(bo_phone)
    ada.get_by_role("button", name="Open conversation").click()
    expect(ada.get_by_role("heading", name=re.compile("^Bo"))).to_be_visible()
    expect(ada.get_by_role("button", name="Send")).to_be_enabled()
    ada.get_by_role("textbox", name="Message").fill(MESSAGES[0])
    ada.get_by_role("button", name="Send").click()
    expect(ada.locator("#messages li.mine")).to_have_text(re.compile(re.escape(MESSAGES[0])))
    bo.goto(chat + "/")
    bo.get_by_role("link", name="Ada").click()
    expect(bo.locator("#messages li.theirs")).to_have_text(re.compile(re.escape(MESSAGES[0])))
    bo.get_by_role("textbox", name="Message").fill(MESSAGES[1])
    bo.get_by_role("button", name="Send").click()
    expect(ada.locator("#messages li.theirs")).to_have_text(re.compile(re.escape(MESSAGES[1])))
    shoot(ada, "chat-conversation", PHONE)
    shoot(ada, "chat-conversation", WIDE)

    # Her avatar, kept in sync with Chat and Pics but not with Social. Until she changes it
    # in the hub, every app shows its default picture.
    default_src, default = my_picture(ada, social)
    assert default_src == DEFAULT_PICTURE
    assert my_picture(ada, chat)[1] == my_picture(ada, pics)[1] == default
    ada.goto(family.hub + "/profile")
    for app in ("Chat", "Pics"):
        ada.get_by_role("switch", name=f"Keep your avatar in sync with {app}").click()
        expect(ada.get_by_role("switch", name=f"Keep your avatar in sync with {app}")
               ).to_have_attribute("aria-checked", "true")
    expect(ada.get_by_role("switch", name="Keep your avatar in sync with Social")
           ).to_have_attribute("aria-checked", "false")
    ada.get_by_label("Eyes").select_option("wink")
    expect(ada.get_by_role("status")).to_have_text("Changed eyes.")
    ada.get_by_role("button", name="Save avatar").click()
    expect(ada.get_by_role("status")).to_have_text("Your avatar is saved.")
    shoot(ada, "hub-profile-sync", PHONE, scrolled_to="#profile-sync")
    # Chat and Pics show the new avatar (the same image in both); Social its default.
    chat_src, chat_avatar = wait_for_new_picture(ada, chat, default_src)
    pics_src, pics_avatar = wait_for_new_picture(ada, pics, default_src)
    assert chat_src.startswith("/people/") and pics_src.startswith("/people/")
    assert chat_avatar == pics_avatar != default
    ada.goto(pics + "/settings")
    expect(ada.get_by_role("img", name="Your avatar from Accounts Center")).to_be_visible()
    shoot(ada, "pics-settings-avatar-synced", PHONE, scrolled_to="#account-heading")
    assert my_picture(ada, social) == (default_src, default)
    shoot(ada, "social-avatar-not-synced", PHONE)
    # Bo sees it beside her name in his Chat, served by Chat itself.
    bo.goto(chat + "/")
    beside_ada = bo.get_by_role("listitem").filter(has_text="Ada").locator("img.face")
    assert served_digest(bo, chat + (beside_ada.get_attribute("src") or "")) == chat_avatar
    shoot(bo, "chat-avatar-synced", PHONE)
    shoot(bo, "chat-avatar-synced", WIDE)

    # A sticker made from her avatar in the hub: Pics and Chat (which declare creations)
    # offer it; she posts it in Pics and sends it to Bo, encrypted like any message.
    make_sticker(ada, family.hub, "wink")
    ada.goto(pics + "/")
    ada.get_by_role("link", name="Or post one of your stickers from Accounts Center").click()
    ada.get_by_label("Wink sticker").check()
    ada.get_by_label("Caption").fill(f"Winking {TAG}")
    shoot(ada, "pics-sticker-picker", PHONE)
    shoot(ada, "pics-sticker-picker", WIDE)
    ada.get_by_role("button", name="Post sticker").click()
    expect(ada.get_by_role("img", name=f"Winking {TAG}")).to_be_visible()
    shoot(ada, "pics-sticker-posted", PHONE, scrolled_to="ul.items li")
    ada.goto(chat + "/")
    ada.get_by_role("link", name="Bo").click()
    ada.get_by_text("Stickers", exact=True).click()
    ada.get_by_role("button", name="Send Wink sticker").click()
    expect(ada.locator("#messages li.mine img.sticker")).to_have_count(1)
    bo.get_by_role("link", name="Ada").click()
    expect(bo.get_by_role("img", name="Wink sticker")).to_be_visible()
    bo.wait_for_function("() => document.querySelector('img.sticker').naturalWidth > 0")
    shoot(ada, "chat-sticker-sent", PHONE, scrolled_to="#messages li:last-child")
    shoot(ada, "chat-sticker-sent", WIDE, scrolled_to="#messages li:last-child")
    # Social does not declare creations: no stickers there.
    ada.goto(social + "/")
    expect(ada.get_by_text("sticker")).to_have_count(0)
    # Deleted in the hub, it is gone from Pics's picker and from Bo's conversation.
    delete_creation(ada, family.hub, "Wink sticker")
    wait_until_gone(ada, pics + "/stickers", "label.sticker")
    expect(ada.locator("#no-stickers")).to_be_visible()
    bo.reload()
    expect(bo.get_by_text("Sticker “Wink sticker”: deleted by its owner.")).to_be_visible()

    # Ada turns off signing in to Pics in the hub: Pics's button explains why not.
    ada.goto(family.hub + "/accounts")
    ada.get_by_role("button", name="Turn off logging in to Pics").click()
    expect(ada.get_by_role("button", name="Turn on logging in to Pics")).to_be_visible()
    ada.goto(pics + "/")
    sign_out(ada)
    ada.get_by_role("button", name="Continue with Accounts Center").click()
    expect(ada.get_by_role("heading", name="You can't continue to Pics with Accounts Center yet")
           ).to_be_visible()
    ada.get_by_role("link", name="Back to Pics").click()
    expect(ada.get_by_role("alert")).to_contain_text(
        "Accounts Center didn't sign you in. Signing in to Pics with Accounts Center may be "
        "turned off in your Accounts Center")
    shoot(ada, "pics-sign-in-turned-off", PHONE)
    ada.locator("#login").fill("ada")
    ada.get_by_label("Password").fill(APP_PASSWORD)
    ada.get_by_role("button", name="Sign in").click()
    expect(ada.get_by_role("heading", name="Photos")).to_be_visible()

    # A Story in Social while it is added: the hub hears that she posted one, not what.
    ada.goto(social + "/stories")
    ada.get_by_label("New story").fill(f"Morning run {TAG}")
    ada.get_by_role("button", name="Post story").click()
    expect(ada.get_by_text(f"Morning run {TAG}")).to_be_visible()

    # She removes Social in the hub: Social works on its own; the hub refuses its calls.
    ada.goto(family.hub + "/accounts")
    ada.get_by_role("row", name=re.compile("Social")).get_by_role("link", name="Remove").click()
    ada.get_by_role("button", name="Remove account").click()
    expect(ada.get_by_role("cell", name="Social", exact=True)).to_have_count(0)
    ada.goto(social + "/")
    ada.get_by_label("What's on your mind?").fill("Still here without Accounts Center")
    ada.get_by_role("button", name="Post").click()
    expect(ada.get_by_text("Still here without Accounts Center")).to_be_visible()
    ada.goto(social + "/settings")
    expect(ada.locator(".refusal")).to_contain_text("Accounts Center refused:")
    expect(ada.locator("#hub-status")).to_contain_text("not added")
    shoot(ada, "social-settings-after-removal", WIDE)

    # Your information: the flows from each app, and a ledger that verifies.
    ada.goto(family.hub + "/your-information")
    flows = ada.locator("table").first
    for app in ("Chat", "Pics", "Social"):
        expect(flows.get_by_role("row", name=re.compile(f"^{app} from the app .* device"))
               ).to_have_count(1)
    for app in ("Chat", "Social"):
        expect(flows.get_by_role("row", name=re.compile(f"^{app} from the app .* activity"))
               ).to_have_count(1)
    expect(flows.get_by_role("row", name=re.compile("^Chat the app asked .*account"))
           ).to_have_count(1)
    # Social still asking after its removal: refused, and shown (allowed 1, refused 1+).
    expect(flows.get_by_role("row", name=re.compile(
        r"^Social the app asked .*account details 1 [1-9]"))).to_have_count(1)
    ada.get_by_role("button", name="Check the ledger").click()
    expect(ada.locator("#ledger-check")).to_contain_text("entries are intact")
    shoot(ada, "hub-your-information", WIDE)
    ada_context.close()
    bo_context.close()

    # No message text anywhere in the hub's or Chat's database; Chat holds ciphertext.
    for database in (family.hub_database, family.database("chat")):
        everything = "\n".join(text_everywhere(database))
        for message in MESSAGES:
            assert message not in everything, f"{message!r} found in {database.name}"
            assert SECRET not in everything, f"part of a message found in {database.name}"
    with sqlite3.connect(family.database("chat")) as db:
        rows = db.execute("SELECT ciphertext, iv FROM messages").fetchall()
    assert len(rows) == 3  # the two messages and the sticker
    for ciphertext, iv in rows:
        assert len(base64.b64decode(iv)) == 12
        assert len(base64.b64decode(ciphertext)) >= len(MESSAGES[0].encode()) + 16
    print(f"\nthe story took {time.monotonic() - started:.1f} s")
