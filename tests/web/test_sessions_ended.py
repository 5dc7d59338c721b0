"""A console page used after its session ended (issue 11, point 5): the person logs in
again and is back where they were, told that nothing was changed, with what they typed
(never a password) filled in again; htmx sends the whole page to the login page."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.fernet import Fernet

from accounts_center.services.links import list_links
from accounts_center.services.member_apps import show_app
from tests.support import csrf_from
from tests.web.conftest import PASSWORD, log_in_through_form, person_id

SAME_SITE = {"sec-fetch-site": "same-origin"}
NOTHING_CHANGED = "You were logged out, so nothing was changed."
MONTH = 31  # days: longer than any session lives


def log_in_again(client, next_path):
    page = client.get(f"/login?next={next_path}")
    answer = client.post("/login", data={"login": "ada@example.com", "password": PASSWORD,
                                         "csrf_token": csrf_from(page.text),
                                         "next": next_path})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def kept_fields(hub, client):
    sealed = client.cookies["ac_kept_form"]
    fernet = Fernet(base64.urlsafe_b64encode(hub.secret_box.subkey("kept form v1")))
    return json.loads(fernet.decrypt(sealed.encode()))["fields"]


def test_a_form_sent_after_the_session_ended_returns_to_its_page_not_method_not_allowed(
        hub, person, clock):
    token = csrf_from(person.get("/security").text)
    clock.advance(days=MONTH)
    sent = person.post("/security/password", headers=SAME_SITE, data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "log_out_others": "yes", "csrf_token": token})
    assert sent.status_code == 303
    assert sent.headers["location"] == "/login?next=/security"
    assert NOTHING_CHANGED in person.get(sent.headers["location"]).text
    back = log_in_again(person, "/security")
    assert back == "/security"
    page = person.get(back)
    assert page.status_code == 200 and NOTHING_CHANGED in page.text
    assert "Password changed" not in page.text  # and the old password still logged in
    assert NOTHING_CHANGED not in person.get("/security").text  # said once


def test_what_was_typed_is_filled_in_again_and_passwords_never_leave_the_request(
        hub, aged_person, clock):
    person = aged_person
    token = csrf_from(person.get("/your-information").text)
    clock.advance(days=MONTH)
    sent = person.post("/your-information/age", headers=SAME_SITE,
                       data={"birth_date": "1990-04-21", "csrf_token": token})
    assert sent.headers["location"] == "/login?next=/your-information"
    assert kept_fields(hub, person) == {"birth_date": "1990-04-21"}
    person.post("/security/password", headers=SAME_SITE, data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "log_out_others": "yes", "csrf_token": token})
    assert kept_fields(hub, person) == {"log_out_others": "yes"}  # no password, no token

    person.post("/your-information/age", headers=SAME_SITE,
                data={"birth_date": "1990-04-21", "csrf_token": token})
    page = person.get(log_in_again(person, "/your-information")).text
    assert NOTHING_CHANGED in page and "What you typed is filled in again" in page
    assert 'value="1990-04-21"' in page
    assert "Thank you" not in page  # not confirmed: it waits for the person


def test_a_form_another_site_sent_fills_in_nothing(hub, aged_person, clock):
    person = aged_person
    clock.advance(days=MONTH)
    person.cookies.delete("ac_session")  # and its CSRF token cannot match either
    sent = person.post("/your-information/age", headers={"sec-fetch-site": "cross-site"},
                       data={"birth_date": "2015-01-01", "csrf_token": "forged"})
    assert sent.headers["location"] == "/login?next=/your-information"
    page = person.get(log_in_again(person, "/your-information")).text
    assert NOTHING_CHANGED in page and "2015-01-01" not in page


def test_without_the_browser_saying_so_the_ended_sessions_token_vouches_for_the_form(
        hub, aged_person, clock):
    person = aged_person
    token = csrf_from(person.get("/your-information").text)
    clock.advance(days=MONTH)
    person.post("/your-information/age", data={"birth_date": "1990-04-21",
                                               "csrf_token": token})
    assert kept_fields(hub, person) == {"birth_date": "1990-04-21"}


@pytest.mark.parametrize(("form", "page"), [
    ("/accounts/{link}/remove", "/accounts/{link}/remove"),
    ("/accounts/{link}/sign-in", "/accounts"),
    ("/security/two-factor/confirm", "/security/two-factor/setup"),
    ("/security/sessions/end-others", "/security"),
    ("/your-information/download", "/your-information"),
    ("/ad-preferences/{app}", "/ad-preferences"),
])
def test_each_form_returns_to_the_page_that_holds_it(hub, aged_person, clock, form, page):
    person = aged_person
    [link] = list_links(hub, person_id(hub))
    token = csrf_from(person.get("/accounts").text)
    clock.advance(days=MONTH)
    app_id = show_app(hub, "Pics").id
    path = form.format(link=link.id, app=app_id)
    sent = person.post(path, headers=SAME_SITE, data={"csrf_token": token, "enabled": "off",
                                                      "code": "123456", "granted": "on"})
    target = page.format(link=link.id, app=app_id)
    assert sent.status_code == 303 and sent.headers["location"] == f"/login?next={target}"
    assert person.get(log_in_again(person, target)).status_code in (200, 303)


def test_an_htmx_action_sends_the_whole_page_to_login_and_back(hub, aged_person, clock):
    person = aged_person
    token = csrf_from(person.get("/your-information").text)
    clock.advance(days=MONTH)
    answer = person.post("/your-information/verify", data={"csrf_token": token}, headers={
        "hx-request": "true", "hx-current-url": "http://testserver/your-information?kind=age",
        **SAME_SITE})
    assert answer.status_code == 204 and answer.text == ""  # nothing swapped into the page
    assert answer.headers["hx-redirect"] == "/login?next=/your-information%3Fkind%3Dage"
    assert log_in_again(person, "/your-information?kind=age") == "/your-information?kind=age"
    assert NOTHING_CHANGED in person.get("/your-information?kind=age").text


def test_htmx_polling_after_the_session_ended_goes_to_login_too(hub, person, clock):
    clock.advance(days=MONTH)
    answer = person.get("/your-information/download/7/status", headers={
        "hx-request": "true", "hx-current-url": "http://testserver/your-information/download/7"})
    assert answer.status_code == 204
    assert answer.headers["hx-redirect"] == "/login?next=/your-information/download/7"
    assert "ac_kept_form" not in person.cookies  # it sent no form


def test_htmx_naming_a_page_on_another_site_is_not_followed(hub, person, clock):
    token = csrf_from(person.get("/security").text)
    clock.advance(days=MONTH)
    answer = person.post("/security/sessions/x/end", data={"csrf_token": token}, headers={
        "hx-request": "true", "hx-current-url": "https://evil.example/phish"})
    assert answer.headers["hx-redirect"] == "/login?next=/security"


def test_logging_out_forgets_what_a_form_kept(hub, aged_person, clock):
    person = aged_person
    token = csrf_from(person.get("/your-information").text)
    clock.advance(days=MONTH)
    person.post("/your-information/age", headers=SAME_SITE,
                data={"birth_date": "1990-04-21", "csrf_token": token})
    log_in_through_form(person)
    person.post("/logout", data={"csrf_token": csrf_from(person.get("/accounts").text)})
    page = person.get(log_in_again(person, "/your-information")).text
    assert NOTHING_CHANGED not in page and "1990-04-21" not in page


def test_what_a_form_kept_is_gone_after_a_quarter_of_an_hour(hub, aged_person, clock):
    person = aged_person
    token = csrf_from(person.get("/your-information").text)
    clock.advance(days=MONTH)
    person.post("/your-information/age", headers=SAME_SITE,
                data={"birth_date": "1990-04-21", "csrf_token": token})
    clock.advance(minutes=16)
    page = person.get(log_in_again(person, "/your-information")).text
    assert NOTHING_CHANGED not in page and "1990-04-21" not in page

