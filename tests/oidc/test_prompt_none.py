"""`prompt=none` never shows a page (OpenID Connect Core §3.1.2.1, §3.1.2.6): whatever
would have been a page comes back to the app as an error, with `state` and `iss`
(issue 11, point 1; SECURITY-CHECKLIST 7, 8, 23)."""

import re
from urllib.parse import urlencode, urlsplit

import httpx

from tests.oidc.conftest import App, Browser, link, query_of
from tests.support import csrf_from

ISSUER = "http://127.0.0.1:8000"


def silently(app: App, browser: Browser, **extra: str) -> httpx.Response:
    return browser.go("/oauth2/authorize?" + urlencode(app.authorization_params(
        prompt="none", **extra)))


def error_at_the_app(app: App, answer: httpx.Response) -> dict[str, str]:
    """The answer went straight back to the app's redirect URI, as an error."""
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(app.redirect_uri + "?"), location
    params = query_of(location)
    assert "code" not in params
    assert params["state"] == app.state and params["iss"] == ISSUER
    return params


def turn_sign_in_off(browser: Browser) -> None:
    page = browser.client.get("/accounts").text
    link_id = re.search(r'href="/accounts/([0-9a-f-]{36})/remove"', page).group(1)
    done = browser.client.post(f"/accounts/{link_id}/sign-in",
                               data={"enabled": "off", "csrf_token": csrf_from(page)})
    assert done.status_code in (200, 303), done.text


def test_prompt_none_for_an_app_not_added_answers_the_app_instead_of_a_page(chat, visitor):
    visitor.sign_up()
    params = error_at_the_app(chat, silently(chat, visitor))
    assert params["error"] == "interaction_required"


def test_prompt_none_with_sign_in_turned_off_answers_like_no_link_at_all(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    turn_sign_in_off(visitor)
    params = error_at_the_app(chat, silently(chat, visitor))
    # The same answer as for an app not added: the app cannot tell the two apart.
    assert params["error"] == "interaction_required"
    # Without prompt=none the person still gets the page saying why.
    page = visitor.go("/oauth2/authorize?" + urlencode(chat.authorization_params()))
    assert page.status_code == 403 and "turned off" in page.text


def test_prompt_none_with_a_login_older_than_max_age_answers_login_required(
        chat, visitor, clock):
    visitor.sign_up()
    link(chat, visitor)
    clock.advance(minutes=10)
    params = error_at_the_app(chat, silently(chat, visitor, max_age="60"))
    assert params["error"] == "login_required"
    # A login young enough for max_age signs in silently.
    callback = silently(chat, visitor, max_age="3600")
    assert chat.redeem(query_of(callback.headers["location"])["code"]).status_code == 200


def test_prompt_none_for_a_linked_person_signs_in_without_any_page(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    callback = silently(chat, visitor)
    assert callback.status_code == 303
    params = query_of(callback.headers["location"])
    assert params["state"] == chat.state and params["iss"] == ISSUER
    claims = chat.verify_id_token(chat.redeem(params["code"]).json()["id_token"])
    assert claims["app_user_id"] == "chat-user-1"


def test_a_pushed_prompt_none_request_never_shows_a_page_and_is_spent(chat, visitor, clock):
    visitor.sign_up()
    pushed = chat.client.post("/oauth2/par", auth=chat.auth,
                              data=chat.authorization_params(prompt="none"))
    assert pushed.status_code == 201, pushed.text
    authorize = (f"/oauth2/authorize?client_id={chat.client_id}"
                 f"&request_uri={pushed.json()['request_uri']}")
    params = error_at_the_app(chat, visitor.go(authorize))
    assert params["error"] == "interaction_required"
    again = visitor.go(authorize)
    assert again.status_code == 400 and "expired" in again.text  # single use

    link(chat, visitor)
    clock.advance(minutes=10)
    pushed = chat.client.post("/oauth2/par", auth=chat.auth,
                              data=chat.authorization_params(prompt="none", max_age="60"))
    answer = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}"
                        f"&request_uri={pushed.json()['request_uri']}")
    assert error_at_the_app(chat, answer)["error"] == "login_required"
    assert urlsplit(answer.headers["location"]).path == "/callback"


def test_prompt_none_without_a_login_sends_nobody_to_the_login_page(chat, visitor):
    params = error_at_the_app(chat, silently(chat, visitor))
    assert params["error"] == "login_required"


def test_adding_an_account_cannot_be_pushed_with_prompt_none(chat):
    refused = chat.client.post("/oauth2/par", auth=chat.auth, data=chat.authorization_params(
        intent="link", app_user_id="chat-user-1", handle="@ada", prompt="none"))
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"
    assert "prompt=none" in refused.json()["error_description"]
