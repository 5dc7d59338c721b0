"""A form sent twice (a double click, a repeat whose first answer never arrived) does
not report a conflict for what the first one did (issue 11, point 6)."""

from __future__ import annotations

import pyotp

from accounts_center.services.links import list_links
from tests.support import csrf_from
from tests.web.conftest import PASSWORD, person_id, start_two_factor


def test_create_login_sent_twice_by_one_browser_logs_in_instead_of_already_exists(client):
    form = {"login": "ada@example.com", "password": PASSWORD,
            "csrf_token": csrf_from(client.get("/signup?next=/security").text),
            "next": "/security"}
    assert client.post("/signup", data=form).status_code == 303
    client.cookies.delete("ac_session")  # the first answer never reached the browser
    again = client.post("/signup", data=form)
    assert again.status_code == 303 and again.headers["location"] == "/security"
    page = client.get("/security").text
    assert "Account created" in page and "Logged in" in page


def test_create_login_sent_again_with_another_password_is_already_exists(client):
    form = {"login": "ada@example.com", "password": PASSWORD,
            "csrf_token": csrf_from(client.get("/signup").text)}
    client.post("/signup", data=form)
    client.cookies.delete("ac_session")
    again = client.post("/signup", data={**form, "password": "not the same at all"})
    assert again.status_code == 409 and "already exists" in again.text
    assert client.get("/accounts").status_code == 303  # not logged in


def test_turn_on_clicked_twice_says_it_is_on_and_offers_new_codes(person, clock):
    page, secret = start_two_factor(person)
    form = {"code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(page.text)}
    assert "recovery-codes" in person.post("/security/two-factor/confirm", data=form).text
    again = person.post("/security/two-factor/confirm", data=form)
    assert again.status_code == 303
    shown = person.get(again.headers["location"]).text
    assert "Two-factor authentication is already on" in shown
    assert "Make new recovery codes" in shown
    assert "Start setting up" not in shown


def test_set_up_clicked_again_once_on_says_it_is_on(person, clock):
    page, secret = start_two_factor(person)
    person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(page.text)})
    again = person.post("/security/two-factor/start", data={"csrf_token": csrf_from(page.text)})
    assert again.status_code == 303
    assert "already on" in person.get(again.headers["location"]).text


def test_remove_clicked_twice_is_removed_not_not_found(hub, aged_person):
    person = aged_person
    [link] = list_links(hub, person_id(hub))
    token = csrf_from(person.get(f"/accounts/{link.id}/remove").text)
    first = person.post(f"/accounts/{link.id}/remove", data={"csrf_token": token})
    again = person.post(f"/accounts/{link.id}/remove", data={"csrf_token": token})
    assert first.status_code == again.status_code == 303
    assert "The account was removed" in person.get(again.headers["location"]).text
    events = person.get("/security").text.count("App account removed from Accounts Center")
    assert events == 1


def test_every_page_loads_the_script_that_holds_a_form_while_it_works(client):
    page = client.get("/signup").text
    assert '<script src="/static/console.js" defer></script>' in page
    script = client.get("/static/console.js")
    assert script.status_code == 200 and "Working…" in script.text
