"""RP-initiated logout: confirmed by the person, back only to a registered URI."""

import re

import pytest

from accounts_center.services.member_apps import register_app
from tests.oidc.conftest import REDIRECT, App, link, query_of


@pytest.fixture
def chat_with_logout(hub, client) -> App:
    credentials = register_app(hub, "Chat", [REDIRECT], "https://chat.example/hooks",
                               post_logout_redirect_uris=["https://chat.example/bye"])
    return App(client, credentials)


def logout_via(visitor, **params):
    page = visitor.client.get("/oauth2/logout", params=params)
    assert page.status_code == 200 and "Log out of Accounts Center?" in page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    return visitor.client.post("/oauth2/logout", data=fields)


def test_logout_with_an_id_token_hint_returns_to_the_registered_uri(chat_with_logout,
                                                                    visitor):
    visitor.sign_up()
    tokens = link(chat_with_logout, visitor)
    done = logout_via(visitor, id_token_hint=tokens["id_token"],
                      post_logout_redirect_uri="https://chat.example/bye", state="s1")
    assert done.status_code == 303
    assert done.headers["location"].startswith("https://chat.example/bye")
    assert query_of(done.headers["location"])["state"] == "s1"
    assert visitor.client.get("/accounts").status_code == 303  # logged out of the hub
    assert chat_with_logout.refresh(tokens["refresh_token"]).status_code == 400


def test_an_unregistered_return_uri_is_never_followed(chat_with_logout, visitor):
    visitor.sign_up()
    tokens = link(chat_with_logout, visitor)
    page = visitor.client.get("/oauth2/logout", params={
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"})
    assert "form-action 'self';" in page.headers["content-security-policy"]
    done = logout_via(visitor, id_token_hint=tokens["id_token"],
                      post_logout_redirect_uri="https://evil.example/")
    assert done.status_code == 200 and "You are logged out" in done.text


def test_get_alone_does_not_log_out(visitor):
    visitor.sign_up()
    visitor.client.get("/oauth2/logout")
    assert visitor.client.get("/accounts").status_code == 200
    # A POST without the page's CSRF token is an app's request: it is only asked.
    asked = visitor.client.post("/oauth2/logout", data={})
    assert asked.status_code == 303 and asked.headers["location"] == "/oauth2/logout"
    assert visitor.client.get("/accounts").status_code == 200
    forged = visitor.client.post("/oauth2/logout", data={"csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert visitor.client.get("/accounts").status_code == 200


def test_an_apps_logout_form_post_shows_the_same_confirmation_as_get(chat_with_logout,
                                                                     visitor):
    visitor.sign_up()
    tokens = link(chat_with_logout, visitor)
    asked = {"id_token_hint": tokens["id_token"], "client_id": chat_with_logout.client_id,
             "post_logout_redirect_uri": "https://chat.example/bye", "state": "s2"}
    posted = visitor.client.post("/oauth2/logout", data=asked)  # the app's form, no token
    assert posted.status_code == 303
    by_post = visitor.client.get(posted.headers["location"])
    by_get = visitor.client.get("/oauth2/logout", params=asked)
    assert by_post.status_code == 200 and "Log out of Accounts Center?" in by_post.text
    assert confirmation_fields(by_post.text) == confirmation_fields(by_get.text)
    # Its form may end at the app's registered page, and nowhere else.
    assert "form-action 'self' https://chat.example;" in by_post.headers[
        "content-security-policy"]
    assert visitor.client.get("/accounts").status_code == 200  # asked, not yet done

    done = visitor.client.post("/oauth2/logout", data=dict(
        re.findall(r'name="(\w+)" value="([^"]*)"', by_post.text)))
    assert done.status_code == 303
    assert done.headers["location"].startswith("https://chat.example/bye")
    assert query_of(done.headers["location"])["state"] == "s2"
    assert visitor.client.get("/accounts").status_code == 303  # logged out of the hub
    assert chat_with_logout.refresh(tokens["refresh_token"]).status_code == 400


def confirmation_fields(page: str) -> dict[str, str]:
    """The hidden fields of the confirmation form, its CSRF token set aside."""
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    fields.pop("csrf_token")
    return fields
