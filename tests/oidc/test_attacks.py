"""Attacks on the provider fail safely (SECURITY-CHECKLIST 1-9, 14, 17-19, 23)."""

from urllib.parse import urlencode

import pytest

from accounts_center.services.member_apps import register_app
from tests.oidc.conftest import REDIRECT, App, link, query_of


def authorize_url(params: dict[str, str]) -> str:
    return "/oauth2/authorize?" + urlencode(params)


@pytest.fixture
def pics(hub, client) -> App:
    credentials = register_app(hub, "Pics", ["https://pics.example/callback"],
                               "https://pics.example/hooks")
    return App(client, credentials, redirect_uri="https://pics.example/callback")


@pytest.mark.parametrize("redirect_uri", [
    REDIRECT + "/extra", REDIRECT.upper(), "https://CHAT.example/callback",
    REDIRECT + "?x=1", REDIRECT + "#frag", "https://evil.example/callback",
])
def test_a_redirect_uri_that_is_not_exactly_registered_is_never_followed(
        chat, visitor, redirect_uri):
    visitor.sign_up()
    page = visitor.go(authorize_url(chat.authorization_params(redirect_uri=redirect_uri)))
    assert page.status_code == 400 and "not valid" in page.text
    assert "location" not in page.headers


def test_an_unknown_client_gets_an_error_page_not_a_redirect(chat, visitor):
    params = chat.authorization_params(client_id="app_nobody")
    page = visitor.go(authorize_url(params))
    assert page.status_code == 400 and "location" not in page.headers


@pytest.mark.parametrize(("change", "error"), [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"code_challenge": ""}, "invalid_request"),
])
def test_only_the_code_flow_with_pkce_s256_is_accepted(chat, visitor, change, error):
    visitor.sign_up()
    response = visitor.go(authorize_url({**chat.authorization_params(), **change}))
    assert response.status_code == 303
    params = query_of(response.headers["location"])
    assert params["error"] == error and params["iss"] == "http://127.0.0.1:8000"


def test_link_parameters_on_the_front_channel_are_refused(chat, visitor):
    visitor.sign_up()
    page = visitor.go(authorize_url(chat.authorization_params(
        intent="link", app_user_id="victim", handle="@victim")))
    assert page.status_code == 400 and "must start in the app" in page.text


@pytest.mark.parametrize("verifier", [None, "wrong-verifier-" + "x" * 40])
def test_a_missing_or_wrong_pkce_verifier_fails(chat, visitor, verifier):
    visitor.sign_up()
    link(chat, visitor)
    response = visitor.go(authorize_url(chat.authorization_params()))
    code = query_of(response.headers["location"])["code"]
    overrides = {"code_verifier": verifier} if verifier else {"code_verifier": ""}
    result = chat.redeem(code, **overrides)
    assert result.status_code == 400
    assert result.json()["error"] in {"invalid_request", "invalid_grant"}


def test_a_replayed_code_fails_and_revokes_what_it_produced(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    response = visitor.go(authorize_url(chat.authorization_params()))
    code = query_of(response.headers["location"])["code"]
    tokens = chat.redeem(code).json()
    replay = chat.redeem(code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert chat.refresh(tokens["refresh_token"]).status_code == 400
    userinfo = chat.client.get("/oauth2/userinfo",
                               headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401


def test_a_code_replayed_after_a_refresh_still_revokes_the_refreshed_tokens(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    code = query_of(visitor.go(authorize_url(chat.authorization_params()))
                    .headers["location"])["code"]
    refreshed = chat.refresh(chat.redeem(code).json()["refresh_token"]).json()
    assert chat.redeem(code).json()["error"] == "invalid_grant"
    assert chat.refresh(refreshed["refresh_token"]).status_code == 400
    userinfo = chat.client.get("/oauth2/userinfo",
                               headers={"authorization": f"Bearer {refreshed['access_token']}"})
    assert userinfo.status_code == 401


def test_a_pushed_request_can_be_used_once_and_only_by_its_client(chat, pics, visitor):
    visitor.sign_up()
    request_uri = chat.push_link("chat-user-1", "@ada")
    stolen = visitor.go(f"/oauth2/authorize?client_id={pics.client_id}&request_uri={request_uri}")
    assert stolen.status_code == 400 and "expired" in stolen.text
    first = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    assert "What is never shared" in first.text
    again = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    assert again.status_code == 400


def test_a_code_cannot_be_redeemed_by_another_client(chat, pics, visitor):
    visitor.sign_up()
    link(chat, visitor)
    response = visitor.go(authorize_url(chat.authorization_params()))
    code = query_of(response.headers["location"])["code"]
    pics.verifier = chat.verifier
    stolen = pics.client.post("/oauth2/token", auth=pics.auth, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": chat.redirect_uri,
        "code_verifier": chat.verifier})
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"


def test_pushing_needs_client_authentication(chat):
    response = chat.client.post("/oauth2/par", data=chat.authorization_params(
        intent="link", app_user_id="x", handle="@x"))
    assert response.status_code in (400, 401) and response.json()["error"] == "invalid_client"
    wrong = chat.client.post("/oauth2/par", auth=(chat.client_id, "wrong"),
                             data=chat.authorization_params())
    assert wrong.status_code == 401 and "www-authenticate" in {k.lower() for k in wrong.headers}


def test_confirming_a_link_without_the_persons_session_fails(chat, visitor):
    visitor.sign_up()
    request_uri = chat.push_link("chat-user-1", "@ada")
    page = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    action = page.text.split('<form method="post" action="')[1].split('"')[0]
    forged = visitor.client.post(action, data={"decision": "confirm"})  # no CSRF token
    assert forged.status_code == 403


def test_prompt_none_without_a_session_returns_login_required(chat, visitor):
    response = visitor.go(authorize_url(chat.authorization_params(prompt="none")))
    assert query_of(response.headers["location"])["error"] == "login_required"


def test_one_person_has_different_subs_at_two_apps(hub, chat, visitor, client):
    credentials = register_app(hub, "Pics", ["https://pics.example/callback"],
                               "https://pics.example/hooks")
    pics = App(client, credentials, redirect_uri="https://pics.example/callback")
    visitor.sign_up()
    chat_claims = chat.verify_id_token(link(chat, visitor)["id_token"])
    pics_claims = pics.verify_id_token(link(pics, visitor, "pics-7", "@ada_pics")["id_token"])
    assert chat_claims["sub"] != pics_claims["sub"]


def test_revocation_answers_200_and_never_touches_another_clients_token(chat, pics, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    other = pics.client.post("/oauth2/revoke", auth=pics.auth,
                             data={"token": tokens["refresh_token"]})
    assert other.status_code == 200
    assert chat.refresh(tokens["refresh_token"]).status_code == 200
    unknown = chat.client.post("/oauth2/revoke", auth=chat.auth, data={"token": "nope"})
    assert unknown.status_code == 200


def test_token_errors_are_rfc6749_json(chat):
    response = chat.client.post("/oauth2/token", auth=chat.auth,
                                data={"grant_type": "authorization_code", "code": "nope"})
    assert response.status_code == 400
    assert set(response.json()) <= {"error", "error_description"}
    assert response.headers["content-type"].startswith("application/json")


def test_codes_expire_after_a_minute(chat, visitor, clock):
    visitor.sign_up()
    link(chat, visitor)
    response = visitor.go(authorize_url(chat.authorization_params()))
    code = query_of(response.headers["location"])["code"]
    clock.advance(seconds=61)
    assert chat.redeem(code).json()["error"] == "invalid_grant"


def test_pushed_requests_expire_after_ninety_seconds(chat, visitor, clock):
    visitor.sign_up()
    request_uri = chat.push_link("chat-user-1", "@ada")
    clock.advance(seconds=91)
    page = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    assert page.status_code == 400 and "expired" in page.text


def test_adding_an_account_needs_a_recent_login(chat, visitor, clock):
    visitor.sign_up()
    clock.advance(minutes=30)
    request_uri = chat.push_link("chat-user-1", "@ada")
    response = visitor.client.get(
        f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    follow = visitor.client.get(response.headers["location"])
    assert follow.headers["location"].startswith("/login?next=")


def test_id_tokens_carry_issuer_audience_and_short_lifetimes(chat, visitor):
    visitor.sign_up()
    claims = chat.verify_id_token(link(chat, visitor)["id_token"])
    assert {"iss", "aud", "exp", "iat", "sub", "auth_time"} <= set(claims)
    assert 0 < claims["exp"] - claims["iat"] <= 600


def test_an_app_hears_of_its_own_link_only(hub, chat, pics, visitor):
    """Issue 10, point 1: that the person added or removed *another* app reaches no app;
    the person sees it in the security log and in their ledger (denied notices)."""
    visitor.sign_up()
    link(chat, visitor)
    link(pics, visitor, "pics-7", "@ada_pics")
    pics.client.delete("/v1/app/links/pics-7", auth=pics.auth)
    with hub.unit_of_work() as uow:
        told_chat = [(e.type, e.payload["app"], e.payload["app_user_id"])
                     for e in uow.outbox.for_app(chat.credentials.app.id)]
        told_pics = [(e.type, e.payload["app"], e.payload["your_account"])
                     for e in uow.outbox.for_app(pics.credentials.app.id)]
    assert told_chat == [("account.linked", "Chat", "chat-user-1")]
    assert told_pics == [("account.linked", "Pics", True), ("account.unlinked", "Pics", True)]
    security = visitor.client.get("/security").text
    assert "App account added to Accounts Center" in security
    ledger = visitor.client.get("/your-information?kind=event").text
    assert "Chat was not told that you added your Pics account" in ledger
    assert "Chat was not told that you removed your Pics account" in ledger
