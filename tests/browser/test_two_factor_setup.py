"""Setting up two-factor login in a real browser (issue 11, point 8): the set-up page
survives a reload, recovery codes can be copied, downloaded and replaced, and the code
pages have a way back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import Console

pytestmark = pytest.mark.browser


def test_reloading_the_set_up_page_keeps_the_key_and_the_page_has_a_way_back(
        page: Page, console: Console) -> None:
    person = console.sign_up(page)
    page.goto(console.url("/security"))
    page.get_by_role("button", name="Set up two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    secret = page.locator("#totp-secret").inner_text()

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.locator("#totp-secret")).to_have_text(secret)  # what was scanned still holds
    expect(page.locator(".qr svg")).to_be_visible()

    page.get_by_role("link", name="Back to Password and security").click()
    expect(page).to_have_url(console.url("/security"))
    expect(page.get_by_role("region", name="Two-factor authentication")).to_contain_text("Off.")

    page.go_back()  # the set-up page again, same key: the code from the app works
    expect(page.locator("#totp-secret")).to_have_text(secret)
    person.secret = secret
    page.get_by_label("Code", exact=True).fill(person.next_code())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication is on")
    page.get_by_role("link", name="Back to Password and security").click()
    expect(page.get_by_role("region", name="Two-factor authentication")).to_contain_text("On.")


def test_recovery_codes_can_be_copied_and_downloaded(
        browser: Browser, console: Console, tmp_path: Path) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        person = console.sign_up(page)
        console.turn_on_two_factor(page, person)

        page.get_by_role("button", name="Copy the codes").click()
        expect(page.get_by_role("status")).to_have_text("Copied. Paste them somewhere safe.")
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.split("\n") == person.recovery_codes

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download as a text file").click()
        download = download_info.value
        assert download.suggested_filename == "accounts-center-recovery-codes.txt"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        lines = saved.read_text().splitlines()
        assert lines[0].startswith("Accounts Center recovery codes")
        assert [line for line in lines if re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){2}", line)
                ] == person.recovery_codes
        expect(page).to_have_url(re.compile(r"/security/two-factor/confirm$"))  # still here
    finally:
        context.close()


def test_new_recovery_codes_replace_the_old_ones(page: Page, console: Console) -> None:
    person = console.sign_up(page)
    console.turn_on_two_factor(page, person)
    page.get_by_role("link", name="Back to Password and security").click()
    section = page.get_by_role("region", name="Two-factor authentication")

    section.get_by_label("Password, to make new recovery codes").fill("not my password")
    section.get_by_role("button", name="Make new recovery codes").click()
    field = page.get_by_label("Password, to make new recovery codes")
    expect(field).to_have_accessible_description("That password is not correct.")
    expect(field).to_be_focused()

    field.fill(person.password)
    page.get_by_role("button", name="Make new recovery codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new recovery codes")
    expect(page.get_by_text("Your old recovery codes no longer work.")).to_be_visible()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    new_codes = [c.strip() for c in codes.all_inner_texts()]
    assert not set(new_codes) & set(person.recovery_codes)

    page.get_by_role("link", name="Back to Password and security").click()
    expect(page.get_by_role("cell", name=re.compile("^New recovery codes made"))
           ).to_have_count(1)
    console.log_out(page)
    console.log_in_with_password(page, person)
    console.enter_code(page, person.recovery_codes[0])
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    console.enter_code(page, new_codes[0])
    expect(page).to_have_url(console.url("/accounts"))


def test_the_code_page_at_login_has_a_way_back(page: Page, console: Console) -> None:
    person = console.sign_up(page)
    console.turn_on_two_factor(page, person)
    console.log_out(page)
    console.log_in_with_password(page, person)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")

    page.get_by_role("button", name="Cancel and go back to log in").click()
    expect(page).to_have_url(console.url("/login"))
    page.goto(console.url("/login/two-factor"))  # the half login is over
    expect(page).to_have_url(console.url("/login"))
