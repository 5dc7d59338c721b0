"""Console pages work on a phone, by keyboard, with labels, under the CSP, and with htmx."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
NAVIGATION = ["Accounts", "Profile", "Creations", "Connected experiences", "Your information",
              "Ad preferences", "Password and security"]


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["scroll"] <= widths["inner"], (
        f"{page.url} scrolls sideways at {widths['inner']} px: content is "
        f"{widths['scroll']} px wide")


def assert_every_input_has_a_label(page: Page) -> None:
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
            'input:not([type=hidden]), select, textarea')]
        .filter(el => el.labels.length === 0 && !el.getAttribute('aria-label')
                      && !el.getAttribute('aria-labelledby'))
        .map(el => el.outerHTML)""")
    assert unlabelled == [], f"{page.url} has inputs without a label: {unlabelled}"


# (a) Phone width ---------------------------------------------------------------------------

def test_login_page_fits_a_phone(page: Page, console) -> None:
    page.set_viewport_size(PHONE)
    page.goto(console.url("/login"))
    for field in ("Email address or phone number", "Password"):
        expect(page.get_by_label(field)).to_be_in_viewport()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    expect(page.get_by_role("link", name="Create a login")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_navigation_links_are_visible_on_a_phone(page: Page, console) -> None:
    page.set_viewport_size(PHONE)
    console.sign_up(page)
    page.goto(console.url("/security"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Password and security")
    nav = page.get_by_role("navigation", name="Accounts Center sections")
    for label in NAVIGATION:
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()  # wrapped onto lines, not pushed off the side
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(nav.get_by_role("link", name="Password and security")).to_have_attribute(
        "aria-current", "page")
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_in_viewport()


def test_security_page_has_no_sideways_scrolling_on_a_phone(
        page: Page, browser: Browser, console) -> None:
    page.set_viewport_size(PHONE)
    person = console.sign_up(page)
    page.goto(console.url("/security"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Password and security")
    assert_no_horizontal_scroll(page)

    # The fullest version of the page: two-factor on, two sessions listed.
    console.turn_on_two_factor(page, person)
    other = browser.new_context()
    try:
        other_page = other.new_page()
        console.log_in_with_password(other_page, person)
        console.enter_code(other_page, person.next_code())
        expect(other_page).to_have_url(console.url("/accounts"))
    finally:
        other.close()
    page.goto(console.url("/security"))
    expect(page.get_by_role("button", name="Log out other sessions")).to_be_visible()
    assert_no_horizontal_scroll(page)


# (b) Keyboard ------------------------------------------------------------------------------

def test_login_by_keyboard_only_starting_with_the_skip_link(page: Page, console) -> None:
    person = console.sign_up(page)
    console.log_out(page)
    page.goto(console.url("/login"))

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()  # shown on screen while focused (hidden off-screen otherwise)
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, box

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address or phone number")).to_be_focused()
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(person.password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(console.url("/accounts"))
    expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()


def test_keyboard_tab_order_on_login_page_reaches_the_form_after_the_header(
        page: Page, console) -> None:
    page.goto(console.url("/login"))
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate(
            "() => document.activeElement.id || document.activeElement.textContent.trim()"))
    assert order == ["Skip to content", "Accounts Center", "login", "password", "Log in"], order


# (c) Labels --------------------------------------------------------------------------------

def test_every_form_field_has_a_label(page: Page, console) -> None:
    page.goto(console.url("/signup"))
    expect(page.get_by_label("Email address or phone number")).to_have_attribute("name", "login")
    expect(page.get_by_label("Password")).to_have_attribute("name", "password")
    assert_every_input_has_a_label(page)

    page.goto(console.url("/login"))
    expect(page.get_by_label("Email address or phone number")).to_have_attribute("name", "login")
    expect(page.get_by_label("Password")).to_have_attribute("name", "password")
    assert_every_input_has_a_label(page)

    person = console.sign_up(page)
    page.goto(console.url("/security"))
    expect(page.get_by_label("Current password")).to_have_attribute("name", "current_password")
    expect(page.get_by_label("New password")).to_have_attribute("name", "new_password")
    expect(page.get_by_label("Log out everywhere else")).to_have_attribute(
        "name", "log_out_others")
    assert_every_input_has_a_label(page)

    console.turn_on_two_factor(page, person)  # the set-up page's "Code" label is used there
    page.goto(console.url("/security"))
    expect(page.get_by_label("Password, to turn two-factor off")).to_have_attribute(
        "name", "password")
    assert_every_input_has_a_label(page)

    console.log_out(page)
    console.log_in_with_password(page, person)
    expect(page).to_have_url(re.compile(r"/login/two-factor"))
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("name", "code")
    assert_every_input_has_a_label(page)


# (d) Content-Security-Policy ---------------------------------------------------------------

def test_pages_load_htmx_with_no_content_security_policy_errors(page: Page, console) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "content security policy" in message.text.lower():
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    for path in ("/login", "/signup"):
        page.goto(console.url(path))
        page.wait_for_load_state("load")
    person = console.sign_up(page)
    for path in ("/accounts", "/security"):
        page.goto(console.url(path))
        page.wait_for_load_state("load")
        assert page.evaluate("() => typeof window.htmx === 'object' && !!htmx.version"), (
            f"htmx did not load on {path}")
    console.turn_on_two_factor(page, person)
    page.wait_for_load_state("load")
    assert problems == [], "\n".join(problems)


# (e) htmx: log out another session ---------------------------------------------------------

def test_logging_out_another_session_removes_its_row_without_a_reload(
        page: Page, browser: Browser, console) -> None:
    person = console.sign_up(page)
    other = browser.new_context()
    try:
        other_page = other.new_page()
        console.log_in_with_password(other_page, person)
        expect(other_page).to_have_url(console.url("/accounts"))

        page.goto(console.url("/security"))
        rows = page.get_by_role("region", name="Where you're logged in").locator("tbody tr")
        expect(rows).to_have_count(2)
        this_row = rows.filter(has_text="This device")
        other_row = rows.filter(has_not_text="This device")
        expect(this_row).to_have_count(1)
        expect(other_row).to_have_count(1)
        page.wait_for_function("() => typeof window.htmx === 'object'")

        # A marker that a full page load would wipe out.
        page.evaluate("() => { window.__noReload = 'still here' }")
        with page.expect_request(
                lambda r: r.method == "POST" and "/security/sessions/" in r.url) as sent:
            other_row.get_by_role("button", name=re.compile(r"^Log out")).click()
        request = sent.value
        assert request.headers.get("hx-request") == "true", request.headers
        assert request.headers.get("x-csrf-token"), "htmx did not send the CSRF header"

        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("This device")
        assert page.evaluate("() => window.__noReload") == "still here", "the page reloaded"
        expect(page).to_have_url(console.url("/security"))

        # The other browser is logged out.
        other_page.goto(console.url("/security"))
        expect(other_page).to_have_url(console.url("/login?next=/security"))
        expect(other_page.get_by_role("heading", level=1)).to_have_text(
            "Log in to Accounts Center")
    finally:
        other.close()
