"""The console's Accounts section: linked accounts, sign-in toggle, removal (DESIGN §4.3)."""

import re

from accounts_center.services.member_apps import register_app
from tests.oidc.conftest import App, Browser, link, query_of
from tests.support import csrf_from


def link_id_on(page: str) -> str:
    return re.search(r'href="/accounts/([0-9a-f-]{36})/remove"', page).group(1)


def test_the_accounts_page_lists_added_accounts(chat, visitor):
    visitor.sign_up()
    link(chat, visitor, handle="@ada_chat")
    page = visitor.client.get("/accounts").text
    assert "Chat" in page and "@ada_chat" in page and ">On<" in page


def test_removing_an_account_stops_tokens_at_once_and_tells_the_apps(hub, chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    page = visitor.client.get("/accounts").text
    confirm = visitor.client.get(f"/accounts/{link_id_on(page)}/remove")
    assert "What stops" in confirm.text and "What stays" in confirm.text
    done = visitor.client.post(f"/accounts/{link_id_on(page)}/remove",
                               data={"csrf_token": csrf_from(confirm.text)})
    assert done.status_code == 303
    assert "No accounts added yet" in visitor.client.get("/accounts").text
    assert chat.refresh(tokens["refresh_token"]).status_code == 400
    userinfo = chat.client.get("/oauth2/userinfo",
                               headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401
    with hub.unit_of_work() as uow:
        types = [e.type for e in uow.outbox.for_app(chat.credentials.app.id)]
    assert types == ["account.linked", "account.unlinked"]


def test_turning_sign_in_off_refuses_sso_for_that_app(chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    page = visitor.client.get("/accounts").text
    visitor.client.post(f"/accounts/{link_id_on(page)}/sign-in",
                        data={"enabled": "off", "csrf_token": csrf_from(page)})
    refused = visitor.go("/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in chat.authorization_params().items()))
    assert refused.status_code == 403 and "turned off" in refused.text


def test_removal_needs_the_csrf_token_and_only_works_on_your_own_links(chat, client, visitor):
    visitor.sign_up()
    link(chat, visitor)
    ada_link = link_id_on(visitor.client.get("/accounts").text)
    assert visitor.client.post(f"/accounts/{ada_link}/remove").status_code == 403
    client.cookies.clear()
    bob = Browser(client)
    bob.sign_up("bob@example.com")
    page = bob.client.get("/accounts").text
    response = bob.client.post(f"/accounts/{ada_link}/remove",
                               data={"csrf_token": csrf_from(page)})
    assert response.status_code == 404


def test_an_app_account_linked_elsewhere_cannot_be_linked_again(chat, client, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-user-1")
    client.cookies.clear()
    bob = Browser(client)
    bob.sign_up("bob@example.com")
    request_uri = chat.push_link("chat-user-1", "@ada")
    page = bob.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    refused = bob.decide(page, "confirm")
    assert refused.status_code == 409 and "already added to another" in refused.text


def test_the_add_account_list_offers_apps_with_a_connect_page(hub, visitor):
    register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/hooks",
                 connect_url="https://pics.example/connect")
    visitor.sign_up()
    assert 'href="https://pics.example/connect"' in visitor.client.get("/accounts").text


def test_cancelling_the_disclosure_returns_access_denied(chat, visitor):
    visitor.sign_up()
    request_uri = chat.push_link("chat-user-1", "@ada")
    page = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    back = visitor.decide(page, "cancel")
    params = query_of(back.headers["location"])
    assert params["error"] == "access_denied" and params["state"] == chat.state


def test_a_password_change_revokes_every_app_token(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    page = visitor.client.get("/security").text
    visitor.client.post("/security/password", data={
        "current_password": "correct horse battery", "new_password": "a brand new passphrase",
        "csrf_token": csrf_from(page)})
    assert chat.refresh(tokens["refresh_token"]).status_code == 400
    userinfo = chat.client.get("/oauth2/userinfo",
                               headers={"authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 401


def test_max_age_forces_a_fresh_login(chat, visitor, clock):
    visitor.sign_up()
    link(chat, visitor)
    clock.advance(minutes=10)
    response = visitor.client.get("/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in chat.authorization_params(max_age="60").items()))
    follow = visitor.client.get(response.headers["location"])
    assert follow.status_code == 303 and follow.headers["location"].startswith("/login?next=")


def test_one_identity_holds_one_account_per_app_unless_the_app_allows_more(hub, client,
                                                                          chat, visitor):
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-user-1")
    request_uri = chat.push_link("chat-user-2", "@ada_work")
    page = visitor.go(f"/oauth2/authorize?client_id={chat.client_id}&request_uri={request_uri}")
    refused = visitor.decide(page, "confirm")
    assert refused.status_code == 409 and "already holds a Chat account" in refused.text

    credentials = register_app(hub, "Social", ["https://social.example/cb"],
                               "https://social.example/hooks",
                               {"multiple_accounts_per_identity": True})
    social = App(client, credentials, redirect_uri="https://social.example/cb")
    link(social, visitor, app_user_id="social-1", handle="@ada")
    link(social, visitor, app_user_id="social-2", handle="@ada_work")
    assert visitor.client.get("/accounts").text.count("Social") >= 2
