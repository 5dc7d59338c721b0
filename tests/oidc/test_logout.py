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
    done = logout_via(visitor, id_token_hint=tokens["id_token"],
                      post_logout_redirect_uri="https://evil.example/")
    assert done.status_code == 200 and "You are logged out" in done.text


def test_get_alone_does_not_log_out(visitor):
    visitor.sign_up()
    visitor.client.get("/oauth2/logout")
    assert visitor.client.get("/accounts").status_code == 200
    assert visitor.client.post("/oauth2/logout", data={}).status_code == 403  # no CSRF token
    assert visitor.client.get("/accounts").status_code == 200
