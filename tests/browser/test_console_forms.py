"""In a real browser (issue 11): forms used after the session ended (point 5), forms sent
twice (point 6) and errors next to their field (point 10)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from tests.browser.conftest import Console, Person
from tests.live_hub import LiveHub, hub_on, running_hub
from tests.support import link_now

from accounts_center.domain.login_names import parse_login_name
from accounts_center.hub import Hub
from accounts_center.services.data_flows import push_data
from accounts_center.services.member_apps import register_app, show_app

pytestmark = pytest.mark.browser

NOTHING_CHANGED = "You were logged out, so nothing was changed."


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    # Passwords hashed at full cost, as in production: forms wait on argon2.
    with running_hub(tmp_path_factory.mktemp("console-forms"), ACCOUNTS_CENTER_ARGON2_TIME_COST="3",
                     ACCOUNTS_CENTER_ARGON2_MEMORY_KIB="65536") as hub:
        yield hub


@pytest.fixture(scope="module")
def same_database(live: LiveHub) -> Iterator[Hub]:
    """The live hub's database and key, to do what an app would have done."""
    hub = hub_on(live)
    register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/hooks",
                 {"sends": ["age"], "receives": ["age"]})
    yield hub
    hub.close()


@pytest.fixture
def console(live: LiveHub) -> Console:
    return Console(live.base_url)


def with_age_from_pics(page: Page, console: Console, hub: Hub) -> Person:
    """A person whose Pics account says they were born in 2010 (13 to 17)."""
    person = console.sign_up(page)
    app = show_app(hub, "Pics")
    with hub.unit_of_work() as uow:
        identity = uow.identities.by_login_name(parse_login_name(person.email))
        assert identity is not None
        link_now(uow, hub, identity.id, uow.member_apps.by_id(app.id), person.email, "@ada")
        uow.commit()
    push_data(hub, app, person.email, "age", "cross_app_features",
              {"birth_date": "2010-01-01"})
    return person


def end_session_elsewhere(browser: Browser, console: Console, person: Person) -> None:
    """The person logs in on another device and logs every other session out."""
    other = browser.new_context()
    try:
        page = other.new_page()
        console.log_in_with_password(page, person)
        expect(page).to_have_url(console.url("/accounts"))
        page.goto(console.url("/security"))
        page.get_by_role("button", name="Log out other sessions").click()
        expect(page.get_by_role("status")).to_contain_text("other sessions were logged out")
    finally:
        other.close()


def log_in_again(page: Page, person: Person) -> None:
    page.get_by_label("Email address or phone number").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()


# Point 5: the session ended ----------------------------------------------------------------

def test_an_htmx_action_after_the_session_ended_takes_the_whole_page_to_login_and_back(
        page: Page, browser: Browser, console: Console) -> None:
    person = console.sign_up(page)
    other = browser.new_context()
    try:
        console.log_in_with_password(other.new_page(), person)  # a second session to list
        page.goto(console.url("/security"))
        rows = page.get_by_role("region", name="Where you're logged in").locator("tbody tr")
        expect(rows).to_have_count(2)
        end_session_elsewhere(browser, console, person)  # this page's session ends

        other_row = rows.filter(has_not_text="This device")
        other_row.get_by_role("button", name=re.compile(r"^Log out")).click()
        expect(page).to_have_url(console.url("/login?next=/security"))  # the whole page
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in to Accounts Center")
        expect(page.get_by_role("status")).to_contain_text(NOTHING_CHANGED)

        log_in_again(page, person)
        expect(page).to_have_url(console.url("/security"))
        expect(page.locator("#resumed")).to_have_text(re.compile(NOTHING_CHANGED))
    finally:
        other.close()


def test_a_form_sent_after_the_session_ended_comes_back_with_what_was_typed(
        page: Page, browser: Browser, console: Console, same_database: Hub) -> None:
    person = with_age_from_pics(page, console, same_database)
    page.goto(console.url("/your-information"))
    age = page.get_by_role("region", name="Your age as apps see it")
    expect(age).to_contain_text("13 to 17")
    age.get_by_label("Your birth date").fill("1990-04-21")
    end_session_elsewhere(browser, console, person)

    age.get_by_role("button", name="Confirm my birth date").click()
    expect(page).to_have_url(console.url("/login?next=/your-information"))
    log_in_again(page, person)

    expect(page).to_have_url(console.url("/your-information"))  # not "Method not allowed"
    expect(page.locator("#resumed")).to_contain_text(NOTHING_CHANGED)
    expect(page.locator("#resumed")).to_contain_text("What you typed is filled in again")
    expect(age).to_contain_text("13 to 17")  # nothing was changed...
    expect(age.get_by_label("Your birth date")).to_have_value("1990-04-21")  # ...yet
    age.get_by_role("button", name="Confirm my birth date").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you")
    expect(age).to_contain_text("18 or over")


# Point 6: sent twice ------------------------------------------------------------------------

# What the page showed at each submit: the hub's script runs first (it listens while the
# event goes down to the form), this records on the way back up. Repeats it stopped never
# come back up; `tries` counts every submit.
RECORD_SUBMITS = """
window.addEventListener("submit", () => {
  sessionStorage.setItem("tries", String(Number(sessionStorage.getItem("tries")) + 1));
}, true);
window.addEventListener("submit", (event) => {
  const form = event.target, button = form.querySelector("button");
  const sent = JSON.parse(sessionStorage.getItem("sent") || "[]");
  sent.push({text: button.textContent, disabled: button.getAttribute("aria-disabled"),
             busy: form.getAttribute("aria-busy"), prevented: event.defaultPrevented});
  sessionStorage.setItem("sent", JSON.stringify(sent));
});
"""


def test_create_login_clicked_twice_is_sent_once_and_shows_it_is_working(
        page: Page, console: Console) -> None:
    page.add_init_script(RECORD_SUBMITS)
    page.goto(console.url("/signup"))
    page.get_by_label("Email address or phone number").fill("twice@example.com")
    page.get_by_label("Password").fill("a long enough password")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    # This module's hub hashes passwords at full cost: clicks land while argon2 runs.
    page.get_by_role("button", name="Create login").dblclick()
    expect(page).to_have_url(console.url("/accounts"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    tries = page.evaluate("() => Number(sessionStorage.getItem('tries'))")
    sent = page.evaluate("() => JSON.parse(sessionStorage.getItem('sent'))")
    assert tries == 2, "the second click did not reach the sign-up page"
    assert sent == [{"text": "Working…", "disabled": "true", "busy": "true",
                     "prevented": False}], sent
    assert posts == [console.url("/signup")], posts


def test_create_login_sent_again_after_its_answer_was_lost_logs_in(
        browser: Browser, console: Console) -> None:
    # Without script nothing holds the second click: the hub tells the repeat apart.
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(console.url("/signup"))
        page.get_by_label("Email address or phone number").fill("lost@example.com")
        page.get_by_label("Password").fill("a long enough password")

        lost: list[int] = []

        def lose_the_first_answer(route: Route) -> None:
            if route.request.method != "POST" or lost:
                route.continue_()
                return
            created = route.fetch(max_redirects=0)  # the hub creates the login...
            lost.append(created.status)
            route.fulfill(status=204)  # ...and its answer never reaches the page

        page.route("**/signup", lose_the_first_answer)
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.get_by_role("button", name="Create login").click()
        assert lost == [303]
        context.clear_cookies(name="ac_session")
        expect(page).to_have_url(console.url("/signup"))

        page.get_by_role("button", name="Create login").click()
        expect(page).to_have_url(console.url("/accounts"))
        expect(page.get_by_role("banner").get_by_role("button", name="Log out")).to_be_visible()
    finally:
        context.close()


def test_an_htmx_button_works_then_is_ready_again(
        page: Page, console: Console, same_database: Hub) -> None:
    with_age_from_pics(page, console, same_database)
    page.goto(console.url("/your-information"))
    held: list[Route] = []
    page.route("**/your-information/verify", lambda route: held.append(route))
    page.get_by_role("button", name="Check the ledger").click()
    expect(page.get_by_role("button", name="Working…")).to_be_visible()
    held[0].continue_()
    expect(page.locator("#ledger-check")).to_contain_text("entries are intact")
    expect(page.get_by_role("button", name="Check the ledger")).to_be_visible()
    expect(page.get_by_role("button", name="Check the ledger")).not_to_have_attribute(
        "aria-disabled", "true")


# Point 10: errors next to their field --------------------------------------------------------

def test_a_birth_date_in_the_future_is_said_next_to_the_field(
        page: Page, console: Console, same_database: Hub) -> None:
    with_age_from_pics(page, console, same_database)
    page.goto(console.url("/your-information"))
    age = page.get_by_role("region", name="Your age as apps see it")
    age.get_by_label("Your birth date").fill("2999-01-01")
    age.get_by_role("button", name="Confirm my birth date").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your information")
    field = age.get_by_label("Your birth date")
    expect(field).to_have_accessible_description("Your birth date cannot be in the future.")
    expect(field).to_have_value("2999-01-01")
    expect(field).to_be_focused()
    error = age.get_by_text("Your birth date cannot be in the future.")
    label = age.locator("label[for=birth_date]")
    error_box, label_box, field_box = (error.bounding_box(), label.bounding_box(),
                                       field.bounding_box())
    assert error_box and label_box and field_box
    assert label_box["y"] < error_box["y"] < field_box["y"], "not between label and field"
