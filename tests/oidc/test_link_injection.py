"""Link injection (issue 10, point 3; SECURITY-CHECKLIST 18): a link becomes active only
when the app that pushed the request redeems the code with its PKCE verifier. An
attacker who starts "Add to Accounts Center" in an app as themselves and gets a victim to
confirm it ties nothing to the victim: the app never redeems a code that comes back to a
browser other than the one that started, so the confirmation lapses."""

from __future__ import annotations

from sqlalchemy import text

from accounts_center.services.retention import prune_expired
from tests.oidc.conftest import link, query_of


def confirm_without_redeeming(app, browser, app_user_id, handle="@mallory"):
    """The attacker's app-side request, confirmed by whoever opens the link."""
    request_uri = app.push_link(app_user_id, handle)
    page = browser.go(f"/oauth2/authorize?client_id={app.client_id}&request_uri={request_uri}")
    done = browser.decide(page, "confirm")
    assert done.status_code == 303
    return query_of(done.headers["location"])["code"]


def statuses(hub):
    with hub.engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT status FROM linked_accounts"))]


def test_a_victims_confirmation_of_an_attackers_request_shares_nothing(hub, chat, pics,
                                                                       visitor):
    visitor.sign_up("victim@example.com")
    link(pics, visitor, app_user_id="pics-victim")  # the victim's own, real link
    confirm_without_redeeming(chat, visitor, "mallory-chat")
    assert sorted(statuses(hub)) == ["active", "pending"]
    # Nothing flows for the attacker's app account: the data API does not know it ...
    answer = chat.client.post("/v1/app/users/mallory-chat/data/device", auth=chat.auth,
                              json={"purpose": "security_and_integrity",
                                    "fields": {"model": "x"}})
    assert answer.status_code == 404
    read = chat.client.get("/v1/app/users/mallory-chat/data/account_details",
                           auth=chat.auth, params={"purpose": "cross_app_features"})
    assert read.status_code == 404
    # ... the victim's console does not list it, no app was told, nothing was ledgered ...
    assert "@mallory" not in visitor.client.get("/accounts").text
    with hub.unit_of_work() as uow:
        assert [e.type for e in uow.outbox.for_app(chat.credentials.app.id)] == []
    assert "Chat" not in visitor.client.get("/your-information").text
    # ... and signing in to Chat with the hub does not use it.
    sso = visitor.go("/oauth2/authorize?" + "&".join(
        f"{k}={v}" for k, v in chat.authorization_params().items()))
    assert "is not added to this Accounts Center" in sso.text


def test_an_unredeemed_confirmation_lapses_and_its_code_cannot_be_redeemed_later(
        hub, clock, chat, visitor):
    visitor.sign_up()
    code = confirm_without_redeeming(chat, visitor, "mallory-chat")
    clock.advance(minutes=3)
    late = chat.redeem(code)
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"
    assert statuses(hub) == ["pending"]
    assert chat.client.get("/v1/app/users/mallory-chat/data/account_details", auth=chat.auth,
                           params={"purpose": "cross_app_features"}).status_code == 404


def test_a_redemption_with_the_wrong_verifier_activates_nothing(hub, chat, visitor):
    visitor.sign_up()
    code = confirm_without_redeeming(chat, visitor, "mallory-chat")
    wrong = chat.redeem(code, code_verifier="x" * 64)
    assert wrong.status_code == 400
    assert statuses(hub) == ["pending"]


def test_the_link_becomes_active_when_the_app_redeems_its_code(hub, chat, visitor):
    visitor.sign_up()
    code = confirm_without_redeeming(chat, visitor, "ada-chat", handle="@ada")
    assert statuses(hub) == ["pending"]
    tokens = chat.redeem(code)
    assert tokens.status_code == 200
    assert chat.verify_id_token(tokens.json()["id_token"])["app_user_id"] == "ada-chat"
    assert statuses(hub) == ["active"]
    with hub.unit_of_work() as uow:
        assert [e.type for e in uow.outbox.for_app(chat.credentials.app.id)] == [
            "account.linked"]
    assert "@ada" in visitor.client.get("/accounts").text
    assert "App account added" in visitor.client.get("/security").text


def test_the_same_app_account_confirmed_by_two_people_goes_to_whoever_the_app_redeems(
        hub, client, chat, visitor):
    """Two pending confirmations of one app account: the first redeemed wins; the other
    code then fails with a clear error instead of linking it twice."""
    from tests.oidc.conftest import Browser

    visitor.sign_up("ada@example.com")
    first = confirm_without_redeeming(chat, visitor, "shared-chat")
    first_verifier = chat.verifier
    other = Browser(client)
    other.client.cookies.clear()
    other.sign_up("bob@example.com")
    second = confirm_without_redeeming(chat, other, "shared-chat")
    assert chat.redeem(second).status_code == 200
    chat.verifier = first_verifier
    refused = chat.redeem(first)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "already added" in refused.json()["error_description"]
    assert sorted(statuses(hub)) == ["active", "pending"]


def test_retention_removes_confirmations_that_lapsed_unredeemed(hub, clock, chat, visitor):
    visitor.sign_up()
    confirm_without_redeeming(chat, visitor, "mallory-chat")
    link(chat, visitor, app_user_id="ada-chat", handle="@ada")
    assert prune_expired(hub).lapsed_links == 0  # not lapsed yet
    clock.advance(minutes=10)
    assert prune_expired(hub).lapsed_links == 1
    assert statuses(hub) == ["active"]
