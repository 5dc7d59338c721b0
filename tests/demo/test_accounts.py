"""Accounts, sessions and forms in every app, with no hub at all."""

from __future__ import annotations

import pytest

from tests.demo.conftest import APP_PASSWORD, MakeClient, csrf_of, sign_up


@pytest.mark.parametrize(("slug", "login"), [("chat", "+15551234567"), ("pics", "ada"),
                                             ("social", "ada")])
def test_sign_up_sign_out_and_back_in_with_a_password(make_client: MakeClient, slug: str,
                                                      login: str) -> None:
    client = make_client(slug)
    token = sign_up(client, login)
    cookie = client.cookies.jar
    assert [c.name for c in cookie] == [f"{slug}_session"]
    signed_out = client.post("/logout", data={"csrf_token": token})
    assert "Sign in to" in signed_out.text
    page = client.get("/login").text
    back = client.post("/login", data={"csrf_token": csrf_of(page), "login": login,
                                       "password": APP_PASSWORD})
    assert "Sign out" in back.text


def test_the_session_cookie_is_httponly_and_lax(make_client: MakeClient) -> None:
    client = make_client("social")
    answer = client.get("/login")
    header = answer.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header
    assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_a_chat_account_needs_an_international_phone_number(make_client: MakeClient) -> None:
    client = make_client("chat")
    token = csrf_of(client.get("/signup").text)
    answer = client.post("/signup", data={"csrf_token": token, "login": "555-1234",
                                          "display_name": "Ada", "password": APP_PASSWORD})
    assert answer.status_code == 422
    assert "with its country code" in answer.text


def test_a_taken_username_and_a_short_password_are_explained(make_client: MakeClient) -> None:
    client = make_client("pics")
    sign_up(client, "ada")
    client.cookies.clear()
    token = csrf_of(client.get("/signup").text)
    answer = client.post("/signup", data={"csrf_token": token, "login": "Ada",
                                          "display_name": "", "password": "short"})
    assert answer.status_code == 422
    for message in ("already has an account", "Enter a name", "at least 8 characters"):
        assert message in answer.text


def test_a_form_without_its_csrf_token_changes_nothing(make_client: MakeClient) -> None:
    client = make_client("social")
    sign_up(client, "ada")
    answer = client.post("/posts", data={"text": "forged"})
    assert answer.status_code == 400
    assert "expired or came from another site" in answer.text
    assert "forged" not in client.get("/").text


def test_a_wrong_password_is_a_message_not_an_error(make_client: MakeClient) -> None:
    client = make_client("social")
    sign_up(client, "ada")
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"csrf_token": token, "login": "ada",
                                         "password": "wrong password"})
    assert answer.status_code == 401
    assert "don&#39;t match an account" in answer.text


def test_login_never_redirects_to_another_site(make_client: MakeClient) -> None:
    client = make_client("social")
    sign_up(client, "ada")
    answer = client.get("/login?next=//evil.example/", follow_redirects=False)
    assert answer.headers["location"] == "/"


def test_settings_without_a_hub_say_the_app_works_on_its_own(make_client: MakeClient) -> None:
    client = make_client("chat")
    sign_up(client, "+15551234567")
    page = client.get("/settings").text
    assert "not registered with an Accounts Center" in page
    assert "Add to Accounts Center" not in page
    assert "Continue with Accounts Center" not in client.get("/login").text
