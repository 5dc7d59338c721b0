"""The "Password and security" section and the console shell."""

import pyotp
import pytest
from starlette.testclient import TestClient

from accounts_center.domain.throttle import PER_ADDRESS
from tests.support import csrf_from
from tests.web.conftest import (
    PASSWORD,
    log_in_through_form,
    sign_up_through_form,
    start_two_factor,
)

SECTIONS = ["Accounts", "Profile", "Connected experiences", "Your information",
            "Ad preferences", "Password and security"]


@pytest.mark.parametrize("path", ["/accounts", "/profile", "/connected-experiences",
                                  "/your-information", "/ad-preferences", "/security"])
def test_every_section_has_the_full_navigation_and_marks_itself(person, path):
    page = person.get(path)
    assert page.status_code == 200
    for label in SECTIONS:
        assert f">{label}</a>" in page.text
    assert f'href="{path}" aria-current="page"' in page.text


def test_sections_not_built_yet_say_so_honestly(person):
    assert "No accounts added yet" in person.get("/accounts").text
    ads = person.get("/ad-preferences").text
    assert "not used for ads" in ads and "off" in ads


def test_security_page_lists_sessions_and_activity(person):
    page = person.get("/security").text
    assert "This device" in page and "testclient" in page
    assert "Account created" in page


def test_changing_the_password_from_the_page(person):
    token = csrf_from(person.get("/security").text)
    response = person.post("/security/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "log_out_others": "yes", "csrf_token": token})
    assert response.status_code == 303
    page = person.get(response.headers["location"]).text
    assert "Your password was changed." in page and "Password changed" in page


def test_a_wrong_current_password_is_shown_on_the_page(person):
    token = csrf_from(person.get("/security").text)
    response = person.post("/security/password", data={
        "current_password": "not it at all", "new_password": "a brand new passphrase",
        "csrf_token": token})
    assert response.status_code == 422
    assert "Your current password is not correct." in response.text


def sessions_section(page: str) -> str:
    return page.split('id="sessions-heading"')[1].split("</section>")[0]


def test_ending_another_session_with_htmx_removes_its_row(person):
    with TestClient(person.app, follow_redirects=False,
                    headers={"user-agent": "Phone browser"}) as phone:
        assert log_in_through_form(phone).status_code == 303
        page = person.get("/security").text
        assert "Phone browser" in sessions_section(page)
        other = next(s for s in person.get("/v1/me/sessions").json() if not s["current"])
        assert f'hx-post="/security/sessions/{other["id"]}/end"' in page
        response = person.post(f"/security/sessions/{other['id']}/end",
                               headers={"hx-request": "true", "x-csrf-token": csrf_from(page)})
        assert response.status_code == 200 and response.text == ""
        assert phone.get("/security").status_code == 303
    assert "Phone browser" not in sessions_section(person.get("/security").text)


def test_log_out_other_sessions_button(person):
    with TestClient(person.app, follow_redirects=False) as phone:
        log_in_through_form(phone)
        token = csrf_from(person.get("/security").text)
        response = person.post("/security/sessions/end-others", data={"csrf_token": token})
        assert response.status_code == 303
        assert phone.get("/security").status_code == 303
    assert person.get("/security").status_code == 200


def test_ending_a_session_that_is_not_yours_is_not_found(person):
    token = csrf_from(person.get("/security").text)
    response = person.post("/security/sessions/not-a-session/end", data={"csrf_token": token})
    assert response.status_code == 404 and "no such session" in response.text


def test_two_factor_can_be_turned_off_with_the_password(person, clock):
    start, secret = start_two_factor(person)
    person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(start.text)})
    page = person.get("/security").text
    assert "10 unused recovery codes" in page
    wrong = person.post("/security/two-factor/disable",
                        data={"password": "nope nope nope", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 422 and "not correct" in wrong.text
    right = person.post("/security/two-factor/disable",
                        data={"password": PASSWORD, "csrf_token": csrf_from(page)})
    assert right.status_code == 303
    assert "Two-factor authentication is off." in person.get(right.headers["location"]).text


def test_a_mistyped_enrolment_code_shows_the_same_key_again(person, clock):
    start, secret = start_two_factor(person)
    wrong = person.post("/security/two-factor/confirm",
                        data={"code": "000000", "csrf_token": csrf_from(start.text)})
    assert wrong.status_code == 422 and "That code is not right" in wrong.text
    assert f'id="totp-secret">{secret}<' in wrong.text
    right = person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(start.text)})
    assert right.status_code == 200 and "recovery-codes" in right.text


def test_sessions_show_a_readable_device_name(client):
    with TestClient(client.app, follow_redirects=False, headers={
            "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
                          "Firefox/128.0"}) as firefox:
        sign_up_through_form(firefox)
        assert ">Firefox on Linux</td>" in firefox.get("/security").text


def turn_on_two_factor(person, clock) -> None:
    start, secret = start_two_factor(person)
    person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(start.text)})


def test_guessing_the_current_password_is_throttled_with_a_clear_message(person, clock):
    token = csrf_from(person.get("/security").text)
    for _ in range(PER_ADDRESS.free_failures + 1):
        wrong = person.post("/security/password", data={
            "current_password": "a guess at it", "new_password": "a brand new passphrase",
            "csrf_token": token})
        assert wrong.status_code == 422
    refused = person.post("/security/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "csrf_token": token})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "Too many wrong passwords" in refused.text and "Please wait 1 second" in refused.text
    assert "Nothing was changed" in refused.text
    clock.advance(seconds=1)
    person.cookies.clear()
    assert log_in_through_form(person).status_code == 303  # the old password still works


def test_guessing_the_password_to_turn_two_factor_off_is_throttled(person, clock):
    turn_on_two_factor(person, clock)
    token = csrf_from(person.get("/security").text)
    for _ in range(PER_ADDRESS.free_failures + 1):
        wrong = person.post("/security/two-factor/disable",
                            data={"password": "a guess at it", "csrf_token": token})
        assert wrong.status_code == 422
    refused = person.post("/security/two-factor/disable",
                          data={"password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "Too many wrong passwords" in refused.text and "Please wait" in refused.text
    assert "10 unused recovery codes" in refused.text  # still on
    clock.advance(seconds=1)
    right = person.post("/security/two-factor/disable",
                        data={"password": PASSWORD, "csrf_token": token})
    assert right.status_code == 303


def test_a_common_new_password_is_refused_on_the_page_saying_why(person):
    token = csrf_from(person.get("/security").text)
    response = person.post("/security/password", data={
        "current_password": PASSWORD, "new_password": "iloveyou iloveyou",
        "csrf_token": token})
    assert response.status_code == 422
    page = response.text
    new_errors = page.split('id="new-password-errors">')[1].split("</ul>")[0]
    assert "a common password with small changes" in new_errors
    assert "Add another word or two: uncommon words are better." in new_errors
    assert page.index('<label for="new_password">') < page.index('id="new-password-errors"')
    assert 'aria-describedby="new-password-errors"' in page
    assert "Your password was not changed." in page
    # Nothing changed: the old password still logs in.
    person.cookies.clear()
    assert log_in_through_form(person).status_code == 303
