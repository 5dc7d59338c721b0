"""Two-factor login end to end, in a real browser against the real hub."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

STEP = 30


def test_sign_up_turn_on_two_factor_log_out_and_log_back_in_with_a_code(
        page: Page, live_hub: str) -> None:
    email = f"story-{time.time_ns()}@example.com"
    password = "a long enough password"

    # Sign up, land on Accounts.
    page.goto(f"{live_hub}/signup")
    page.get_by_label("Email address or phone number").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create login").click()
    expect(page).to_have_url(f"{live_hub}/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")

    # Password and security, through the navigation.
    nav = page.get_by_role("navigation", name="Accounts Center sections")
    nav.get_by_role("link", name="Password and security").click()
    expect(page).to_have_url(f"{live_hub}/security")
    expect(page.get_by_role("heading", level=1)).to_have_text("Password and security")

    # Set up: a QR code and the key to type by hand.
    page.get_by_role("button", name="Set up two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("figure", name="QR code for your authenticator app").locator("svg")
           ).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    totp = pyotp.TOTP(secret)
    enrol_step = int(time.time()) // STEP
    page.get_by_label("Code", exact=True).fill(totp.at(enrol_step * STEP))
    page.get_by_role("button", name="Turn on").click()

    # Ten recovery codes, shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", c.strip()) for c in codes)

    # Log out from the header.
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_hub}/login")

    # Log back in: the password alone leads to the code page, not into the console.
    page.get_by_label("Email address or phone number").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_hub}/login/two-factor")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")

    # The enrolment used its step's code; codes are single use per step, so use the next
    # step's code (the hub accepts one step of drift either side).
    login_step = max(enrol_step + 1, int(time.time()) // STEP)
    page.get_by_label("Code", exact=True).fill(totp.at(login_step * STEP))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_hub}/accounts")
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()

    # The security page says two-factor is on and shows what happened.
    nav.get_by_role("link", name="Password and security").click()
    expect(page).to_have_url(f"{live_hub}/security")
    two_factor = page.get_by_role("region", name="Two-factor authentication")
    expect(two_factor).to_contain_text("On.")
    expect(two_factor).to_contain_text("10 unused recovery codes left")
    activity = page.get_by_role("region", name="Recent security activity")
    expect(activity.get_by_role("cell", name="Two-factor authentication turned on",
                                exact=True)).to_have_count(1)
    expect(activity.get_by_role("cell", name="Logged in", exact=True)).to_have_count(1)
    expect(activity.get_by_role("cell", name="Logged out", exact=True)).to_have_count(1)


def test_a_wrong_code_shows_a_readable_error_and_does_not_log_in(page: Page, console) -> None:
    person = console.sign_up(page)
    console.turn_on_two_factor(page, person)
    console.log_out(page)
    console.log_in_with_password(page, person)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))

    console.enter_code(page, person.wrong_code())
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("That code is not valid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    expect(page.get_by_label("Code", exact=True)).to_have_attribute(
        "aria-describedby", "form-error")
    # Still half logged in: no console navigation, no way into a section.
    expect(page.get_by_role("navigation")).to_have_count(0)
    page.goto(console.url("/accounts"))
    expect(page).to_have_url(console.url("/login?next=/accounts"))

    # The failed attempt is on the record once the right code is entered.
    page.goto(console.url("/login/two-factor"))
    console.enter_code(page, person.next_code())
    expect(page).to_have_url(console.url("/accounts"))
    page.goto(console.url("/security"))
    activity = page.get_by_role("region", name="Recent security activity")
    expect(activity.get_by_role("cell", name="Failed login (wrong two-factor code)",
                                exact=True)).to_have_count(1)


def test_a_recovery_code_works_once(page: Page, console) -> None:
    person = console.sign_up(page)
    console.turn_on_two_factor(page, person)
    recovery_code = person.recovery_codes[3]
    console.log_out(page)

    # First use: logged in, and the security page counts one code fewer.
    console.log_in_with_password(page, person)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))
    console.enter_code(page, recovery_code.upper())  # as typed from paper: case is forgiven
    expect(page).to_have_url(console.url("/accounts"))
    page.goto(console.url("/security"))
    expect(page.get_by_role("region", name="Two-factor authentication")).to_contain_text(
        "9 unused recovery codes left")
    expect(page.get_by_role("cell", name="Logged in with a recovery code", exact=True)
           ).to_have_count(1)
    console.log_out(page)

    # Second use: refused, still on the code page.
    console.log_in_with_password(page, person)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))
    console.enter_code(page, recovery_code)
    expect(page.get_by_role("alert")).to_contain_text("already used")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    page.goto(console.url("/accounts"))
    expect(page).to_have_url(console.url("/login?next=/accounts"))
