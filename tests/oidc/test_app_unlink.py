"""Unlinking from the app's side, and back-channel logout on every unlink."""

from joserfc import jwt
from joserfc.jwk import KeySet

from accounts_center.services.member_apps import register_app
from accounts_center.services.signing_keys import published_jwks
from tests.oidc.conftest import REDIRECT, App, link


def test_the_app_can_remove_a_link_and_gets_the_same_answer_for_strangers(hub, chat, visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    removed = chat.client.delete("/v1/app/links/chat-user-1", auth=chat.auth)
    assert removed.status_code == 204
    assert chat.refresh(tokens["refresh_token"]).status_code == 400
    again = chat.client.delete("/v1/app/links/chat-user-1", auth=chat.auth)
    stranger = chat.client.delete("/v1/app/links/never-linked", auth=chat.auth)
    assert again.status_code == stranger.status_code == 204
    assert "No accounts added yet" in visitor.client.get("/accounts").text


def test_app_api_calls_need_the_client_secret(chat):
    for auth in (None, (chat.client_id, "wrong"), ("app_nobody", "x")):
        response = chat.client.delete("/v1/app/links/chat-user-1", auth=auth)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Basic")


def test_unlinking_sends_a_signed_back_channel_logout_token(hub, client, visitor):
    sent = []
    hub.memo["backchannel_transport"] = lambda uri, token: sent.append((uri, token))
    credentials = register_app(hub, "Chat", [REDIRECT], "https://chat.example/hooks",
                               backchannel_logout_uri="https://chat.example/bcl")
    chat = App(client, credentials)
    visitor.sign_up()
    claims = chat.verify_id_token(link(chat, visitor)["id_token"])
    chat.client.delete("/v1/app/links/chat-user-1", auth=chat.auth)
    [(uri, token)] = sent
    assert uri == "https://chat.example/bcl"
    decoded = jwt.decode(token, KeySet.import_key_set(published_jwks(hub)), algorithms=["RS256"])
    assert decoded.header["typ"] == "logout+jwt"
    assert decoded.claims["sub"] == claims["sub"] and decoded.claims["aud"] == chat.client_id
    assert "http://schemas.openid.net/event/backchannel-logout" in decoded.claims["events"]
    assert "nonce" not in decoded.claims
