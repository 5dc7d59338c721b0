"""Setting up two-factor login (issue 11, point 8): the set-up page survives a reload,
recovery codes can be downloaded and replaced, and the code pages have a way back."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pyotp

from tests.support import csrf_from
from tests.web.conftest import PASSWORD, log_in_through_form, start_two_factor


def turn_on(person, clock):
    page, secret = start_two_factor(person)
    shown = person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(page.text)})
    return secret, re.findall(r"<li><code>([a-z0-9-]+)</code></li>", shown.text), shown.text


def test_reloading_the_set_up_page_shows_the_same_key(person):
    _, secret = start_two_factor(person)
    again = person.get("/security/two-factor/setup")
    assert again.status_code == 200 and f'id="totp-secret">{secret}<' in again.text
    assert '<a href="/security">Back to Password and security</a>' in again.text


def test_the_set_up_page_without_a_set_up_under_way_goes_back_to_security(person):
    answer = person.get("/security/two-factor/setup")
    assert answer.status_code == 303 and answer.headers["location"] == "/security"


def test_the_recovery_codes_download_as_a_text_file(person, clock):
    _, codes, page = turn_on(person, clock)
    assert len(codes) == 10
    link = re.search(r'href="data:text/plain;charset=utf-8,([^"]+)" '
                     r'download="accounts-center-recovery-codes.txt"', page)
    assert link, page
    text = unquote(link.group(1))
    assert all(code in text.splitlines() for code in codes)
    assert 'data-copy-text="' + "\n".join(codes) in page  # what "Copy" copies


def test_new_recovery_codes_need_the_password_and_the_old_ones_stop_working(person, clock):
    _, old, _ = turn_on(person, clock)
    token = csrf_from(person.get("/security").text)
    made = person.post("/security/two-factor/recovery-codes",
                       data={"password": PASSWORD, "csrf_token": token})
    assert made.status_code == 200 and "Your old recovery codes no longer work" in made.text
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", made.text)
    assert len(new) == 10 and not set(new) & set(old)
    assert "New recovery codes made" in person.get("/security").text
    person.cookies.delete("ac_session")
    log_in_through_form(person)
    code_page = person.get("/login/two-factor").text
    refused = person.post("/login/two-factor", data={"code": old[0],
                                                     "csrf_token": csrf_from(code_page)})
    assert refused.status_code == 401
    accepted = person.post("/login/two-factor", data={"code": new[0],
                                                      "csrf_token": csrf_from(code_page)})
    assert accepted.status_code == 303


def test_the_login_code_page_has_a_way_back(person, clock):
    turn_on(person, clock)
    person.cookies.delete("ac_session")
    log_in_through_form(person)
    page = person.get("/login/two-factor").text
    assert "Cancel and go back to log in" in page
    back = person.post("/logout", data={"csrf_token": csrf_from(page)})
    assert back.status_code == 303 and back.headers["location"] == "/login"
    assert person.get("/login/two-factor").headers["location"] == "/login"  # half login ended
