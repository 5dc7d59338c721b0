"""RFC 7662 introspection: an app learns whether its own token is live, and nothing about
anyone else's (SECURITY-CHECKLIST 11, 17)."""

from urllib.parse import urlencode

from accounts_center.services.member_apps import register_app
from tests.oidc.conftest import App, link, query_of


def introspect(app: App, token: str, **extra: str):
    return app.client.post("/oauth2/introspect", auth=app.auth,
                           data={"token": token, **extra})


def test_a_live_access_token_introspects_as_the_person_the_app_knows(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    claims = chat.verify_id_token(tokens["id_token"])
    answer = introspect(chat, tokens["access_token"])
    assert answer.status_code == 200
    body = answer.json()
    assert body["active"] is True and body["client_id"] == chat.client_id
    assert body["sub"] == claims["sub"] and body["app_user_id"] == "chat-user-1"
    assert body["token_type"] == "Bearer" and body["exp"] > body["iat"]
    assert answer.headers["cache-control"] == "no-store"


def test_refresh_tokens_are_live_until_rotated(chat, visitor):
    visitor.sign_up()
    first = link(chat, visitor)
    assert introspect(chat, first["refresh_token"],
                      token_type_hint="refresh_token").json()["active"] is True
    second = chat.refresh(first["refresh_token"]).json()
    assert introspect(chat, first["refresh_token"]).json() == {"active": False}
    assert introspect(chat, second["refresh_token"]).json()["token_type"] == "N_A"


def test_another_apps_token_and_unknown_tokens_read_inactive(hub, client, chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    pics = App(client, register_app(hub, "Pics", ["https://pics.example/cb"],
                                    "https://pics.example/hooks"))
    assert introspect(pics, tokens["access_token"]).json() == {"active": False}
    assert introspect(chat, "no-such-token").json() == {"active": False}


def test_after_unlink_or_revocation_nothing_is_active(chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    chat.client.post("/oauth2/revoke", auth=chat.auth, data={"token": tokens["access_token"]})
    assert introspect(chat, tokens["access_token"]).json() == {"active": False}
    signed_in = visitor.go("/oauth2/authorize?" + urlencode(chat.authorization_params()))
    again = chat.redeem(query_of(signed_in.headers["location"])["code"]).json()
    assert introspect(chat, again["access_token"]).json()["active"] is True
    assert chat.client.delete("/v1/app/links/chat-user-1", auth=chat.auth).status_code == 204
    assert introspect(chat, again["access_token"]).json() == {"active": False}
    assert introspect(chat, again["refresh_token"]).json() == {"active": False}


def test_bad_requests_get_rfc6749_errors(chat):
    missing = chat.client.post("/oauth2/introspect", auth=chat.auth, data={})
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    wrong = chat.client.post("/oauth2/introspect", auth=(chat.client_id, "wrong"),
                             data={"token": "x"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    discovery = chat.client.get("/.well-known/openid-configuration").json()
    assert discovery["introspection_endpoint"].endswith("/oauth2/introspect")


def test_an_expired_access_token_reads_inactive_while_its_refresh_token_lives(
        clock, chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    clock.advance(seconds=tokens["expires_in"] + 1)
    assert introspect(chat, tokens["access_token"]).json() == {"active": False}
    assert introspect(chat, tokens["refresh_token"]).json()["active"] is True
