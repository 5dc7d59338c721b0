"""Sign-up, login and logout pages over HTTP (CHECKLIST 26-28, 32-34)."""

import html
import re

import pyotp
import pytest
from starlette.testclient import TestClient

from accounts_center.domain.throttle import PER_ACCOUNT, PER_ADDRESS, SECOND_FACTOR
from accounts_center.hub import build_hub
from accounts_center.web.app import create_app
from tests.support import cheap_settings, csrf_from
from tests.web.conftest import (
    PASSWORD,
    form_token,
    log_in_through_form,
    sign_up_through_form,
    start_two_factor,
)


def test_sign_up_logs_the_person_in_with_a_safe_session_cookie(client):
    response = client.post("/signup", data={"login": "ada@example.com", "password": PASSWORD,
                                            "csrf_token": form_token(client, "/signup")})
    assert response.status_code == 303 and response.headers["location"] == "/accounts"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("ac_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on localhost
    assert client.get("/accounts").status_code == 200


def test_under_https_the_session_cookie_is_secure_and_host_bound(database_url, clock):
    hub = build_hub(cheap_settings(database_url, public_url="https://hub.example"),
                    clock=clock)
    with TestClient(create_app(hub), base_url="https://hub.example",
                    follow_redirects=False) as client:
        sign_up_page = client.get("/signup")
        response = client.post("/signup", data={
            "login": "ada@example.com", "password": PASSWORD,
            "csrf_token": csrf_from(sign_up_page.text)})
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-ac_session=") and "Secure" in cookie
        assert "strict-transport-security" in response.headers
        device = cookie_set(response, "__Host-ac_device")
        assert "Secure" in device and "HttpOnly" in device and "Path=/" in device
    hub.close()


def cookie_set(response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie set"
    return found[0]


def test_a_full_login_leaves_a_lasting_device_cookie_that_logout_keeps(client):
    sign_up_through_form(client)
    client.cookies.clear()
    response = log_in_through_form(client)
    device = cookie_set(response, "ac_device")
    assert "HttpOnly" in device and "SameSite=lax" in device and "Path=/" in device
    assert "Max-Age=15552000" in device  # 180 days, beyond any session
    assert "ada@" not in device and "example.com" not in device
    logout = client.post("/logout", data={"csrf_token": csrf_from(client.get("/accounts").text)})
    assert "ac_device" not in logout.headers.get("set-cookie", "")
    assert client.cookies.get("ac_device")


def test_the_owners_browser_logs_in_while_a_flood_of_bad_passwords_slows_others(client):
    sign_up_through_form(client)  # this browser is Ada's: it signed up
    client.cookies.delete("ac_session")
    with TestClient(client.app, follow_redirects=False) as attacker:
        for _ in range(PER_ACCOUNT.free_failures + 3):
            log_in_through_form(attacker, password="a bad guess")
        refused = log_in_through_form(attacker)  # a stranger waits, right password or not
        assert refused.status_code == 429 and "Too many failed login attempts" in refused.text
    assert log_in_through_form(client).status_code == 303
    assert client.get("/accounts").status_code == 200


@pytest.mark.parametrize("whose", ["another login's", "tampered"])
def test_a_device_cookie_for_another_login_or_tampered_does_not_skip_the_wait(client, whose):
    sign_up_through_form(client, login="mallory@example.com")
    mallorys = client.cookies.get("ac_device")
    with TestClient(client.app, follow_redirects=False) as adas_browser:
        sign_up_through_form(adas_browser)
        adas = adas_browser.cookies.get("ac_device")
    client.cookies.clear()
    for _ in range(PER_ACCOUNT.free_failures + 1):
        log_in_through_form(client, password="a bad guess")
    client.cookies.set("ac_device", mallorys if whose == "another login's"
                       else adas[:-1] + ("A" if adas[-1] != "A" else "B"))
    assert log_in_through_form(client).status_code == 429
    client.cookies.set("ac_device", adas)
    assert log_in_through_form(client).status_code == 303



@pytest.mark.parametrize("token", [None, "", "0" * 64])
def test_forms_without_a_valid_csrf_token_are_refused_and_change_nothing(client, token):
    client.get("/signup")
    data = {"login": "ada@example.com", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/signup", data=data)
    assert response.status_code == 403
    assert "Reload the page" in response.text
    assert log_in_through_form(client).status_code == 401  # no account was created


def test_a_login_form_from_another_browser_is_refused(client, hub):
    sign_up_through_form(client)
    with TestClient(client.app, follow_redirects=False) as other:
        token = form_token(other)
    client.cookies.clear()
    client.get("/login")
    response = client.post("/login", data={"login": "ada@example.com", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 403


def test_wrong_password_and_unknown_account_read_the_same(client):
    sign_up_through_form(client)
    client.cookies.clear()
    wrong = log_in_through_form(client, password="not the password")
    unknown = log_in_through_form(client, login="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    message = "The email/phone or password is not correct."
    assert message in wrong.text and message in unknown.text


def test_throttled_logins_get_a_clear_message_and_retry_after(client):
    sign_up_through_form(client)
    client.cookies.clear()
    for _ in range(6):
        log_in_through_form(client, password="not the password")
    response = log_in_through_form(client)
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.text
    assert int(response.headers["retry-after"]) >= 1


def test_logout_ends_the_session_and_get_cannot_log_out(person):
    assert person.get("/logout").status_code == 405  # GET never changes state
    assert person.get("/accounts").status_code == 200
    token = csrf_from(person.get("/accounts").text)
    response = person.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert person.get("/accounts").status_code == 303


def test_console_pages_send_anonymous_visitors_to_login_and_back(client):
    response = client.get("/security")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/security"
    sign_up_through_form(client)
    client.cookies.delete("ac_session")
    page = client.get("/login?next=/security")
    response = client.post("/login", data={"login": "ada@example.com", "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text),
                                           "next": "/security"})
    assert response.headers["location"] == "/security"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_login_never_redirects_to_another_site(client, target):
    sign_up_through_form(client)
    client.cookies.delete("ac_session")
    page = client.get("/login")
    response = client.post("/login", data={"login": "ada@example.com", "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text), "next": target})
    assert response.headers["location"] == "/accounts"


def test_what_people_type_is_escaped_on_the_page(client):
    page = client.get("/signup")
    response = client.post("/signup", data={"login": '<script>alert(1)</script>',
                                            "password": PASSWORD,
                                            "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_signing_up_twice_reads_clearly(client):
    sign_up_through_form(client)
    client.cookies.clear()
    page = client.get("/signup")
    response = client.post("/signup", data={"login": "ada@example.com", "password": PASSWORD,
                                            "csrf_token": csrf_from(page.text)})
    assert response.status_code == 409 and "already exists" in response.text


def test_two_factor_login_goes_through_the_code_page(person, clock):
    start, secret = start_two_factor(person)
    confirm = person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(start.text)})
    assert confirm.status_code == 200 and "recovery-codes" in confirm.text
    person.cookies.clear()
    response = log_in_through_form(person)
    assert response.headers["location"].startswith("/login/two-factor")
    assert person.get("/accounts").status_code == 303  # half logged in is not logged in
    page = person.get("/login/two-factor")
    wrong = person.post("/login/two-factor", data={"code": "123456",
                                                   "csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 401 and "not valid" in wrong.text
    clock.advance(seconds=30)
    right = person.post("/login/two-factor", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(page.text)})
    assert right.status_code == 303 and right.headers["location"] == "/accounts"
    assert person.get("/accounts").status_code == 200


def test_missing_form_fields_get_a_readable_page_not_a_500(client):
    response = client.post("/login", data={"csrf_token": form_token(client)})
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "password" in response.text


def test_too_many_wrong_codes_get_a_clear_message_and_retry_after(person, clock):
    start, secret = start_two_factor(person)
    person.post("/security/two-factor/confirm", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_from(start.text)})
    person.cookies.delete("ac_session")
    log_in_through_form(person)
    token = csrf_from(person.get("/login/two-factor").text)
    for _ in range(SECOND_FACTOR.burst):
        wrong = person.post("/login/two-factor", data={"code": "abcd-efgh-jkmn",
                                                       "csrf_token": token})
        assert wrong.status_code == 401
    clock.advance(seconds=30)
    refused = person.post("/login/two-factor", data={
        "code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": token})
    assert refused.status_code == 429
    assert "Too many wrong codes" in refused.text and "wait 10 minutes" in refused.text
    assert refused.headers["retry-after"] == str(10 * 60 - 30)
    assert 'name="code"' in refused.text  # still the code page, still half logged in
    assert person.get("/accounts").status_code == 303


def test_sign_up_from_a_throttled_address_reads_clearly_and_creates_nothing(client):
    sign_up_through_form(client)
    client.cookies.clear()
    for n in range(PER_ADDRESS.free_failures + 1):
        log_in_through_form(client, login=f"person{n}@example.com", password="a bad guess")
    page = client.get("/signup")
    response = client.post("/signup", data={"login": "new@example.com", "password": PASSWORD,
                                            "csrf_token": csrf_from(page.text)})
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1
    assert "No account was created" in response.text and "Please wait" in response.text
    assert 'value="new@example.com"' in response.text  # the form keeps what was typed
    assert "ac_session" not in response.headers.get("set-cookie", "")


def errors_listed(page: str, list_id: str) -> list[str]:
    found = re.search(rf'<ul class="error field-errors" id="{list_id}">(.*?)</ul>', page, re.S)
    assert found, f"no {list_id} on the page"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1))]


def test_sign_up_shows_every_problem_at_once_next_to_its_field(client):
    response = client.post("/signup", data={"login": "ada@example", "password": "password1",
                                            "csrf_token": form_token(client, "/signup")})
    assert response.status_code == 422
    page = response.text
    assert errors_listed(page, "login-errors") == ["That email address does not look right."]
    assert errors_listed(page, "password-errors") == [
        "Use at least 15 characters: a few words together are long enough and easy to "
        "remember.",
        "This is one of the most common passwords, among the first that anyone guessing "
        "tries.",
        "Add another word or two: uncommon words are better."]
    # Each list sits between its field's label and the field, which points at it.
    assert (page.index('<label for="login">') < page.index('id="login-errors"')
            < page.index('<input id="login"') < page.index('<label for="password">')
            < page.index('id="password-errors"') < page.index('<input id="password"'))
    login_field = re.search(r'<input id="login"[^>]*>', page).group(0)
    assert 'aria-describedby="login-errors"' in login_field
    assert 'aria-invalid="true"' in login_field and 'value="ada@example"' in login_field
    password_field = re.search(r'<input id="password"[^>]*>', page).group(0)
    assert 'aria-describedby="password-errors"' in password_field
    assert "password1" not in page  # the password is never sent back
    assert 'role="alert"' in page and "Your login was not created yet." in page


def test_a_strong_password_with_a_bad_login_name_only_marks_the_login_name(client):
    response = client.post("/signup", data={"login": "ada", "password": PASSWORD,
                                            "csrf_token": form_token(client, "/signup")})
    assert response.status_code == 422
    assert errors_listed(response.text, "login-errors")[0].startswith("Enter an email address")
    assert 'id="password-errors"' not in response.text
