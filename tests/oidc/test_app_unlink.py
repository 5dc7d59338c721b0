"""Unlinking from the app's side, and back-channel logout on every unlink (through the
outbox, issue 10, point 2)."""

from urllib.parse import parse_qs

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from accounts_center.clock import SystemClock
from accounts_center.services.member_apps import register_app
from accounts_center.services.signing_keys import published_jwks
from tests.delivery.support import wait_for, worker_running
from tests.oidc.conftest import REDIRECT, App, link
from tests.support import cheap_settings


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


def test_unlinking_sends_a_signed_back_channel_logout_token_through_the_outbox(
        hub, client, visitor):
    """Retried like any event, and never held up by the app's webhooks failing."""
    credentials = register_app(hub, "Chat", [REDIRECT], "https://chat.example/hooks",
                               backchannel_logout_uri="https://chat.example/bcl")
    chat = App(client, credentials)
    visitor.sign_up()
    claims = chat.verify_id_token(link(chat, visitor)["id_token"])
    chat.client.delete("/v1/app/links/chat-user-1", auth=chat.auth)
    logouts: list[httpx.Request] = []

    def app_backend(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/bcl":
            logouts.append(request)
            # The first try fails: the hub must try again.
            return httpx.Response(503 if len(logouts) == 1 else 200)
        return httpx.Response(500)  # the webhook endpoint is down the whole time

    hub.clock = SystemClock()  # retries fall due in real time, within milliseconds
    hub.settings = cheap_settings(hub.settings.database_url, delivery_max_attempts=5,
                                  delivery_backoff_base_seconds=0.001,
                                  delivery_backoff_max_seconds=0.001,
                                  delivery_poll_seconds=0.05)
    with worker_running(hub, app_backend):
        wait_for(lambda: len(logouts) >= 2, what="a second logout attempt")
    form = parse_qs(logouts[-1].content.decode())
    assert logouts[-1].headers["content-type"] == "application/x-www-form-urlencoded"
    [token] = form["logout_token"]
    decoded = jwt.decode(token, KeySet.import_key_set(published_jwks(hub)), algorithms=["RS256"])
    assert decoded.header["typ"] == "logout+jwt"
    assert decoded.claims["sub"] == claims["sub"] and decoded.claims["aud"] == chat.client_id
    assert "http://schemas.openid.net/event/backchannel-logout" in decoded.claims["events"]
    assert "nonce" not in decoded.claims


def test_an_app_without_a_logout_endpoint_gets_no_logout_row(hub, chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    chat.client.delete("/v1/app/links/chat-user-1", auth=chat.auth)
    with hub.unit_of_work() as uow:
        kinds = [row.type for row in uow.outbox.for_app(chat.credentials.app.id)]
    assert kinds == ["account.linked", "account.unlinked"]
