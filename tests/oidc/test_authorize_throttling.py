"""/oauth2/authorize: anonymous calls are throttled per address with a readable page; a
logged-in person's single sign-on never is (issue 10, point 7)."""

from __future__ import annotations

from sqlalchemy import text

from tests.oidc.conftest import link


def authorize_url(params: dict[str, str]) -> str:
    return "/oauth2/authorize?" + "&".join(f"{k}={v}" for k, v in params.items())


def pending_requests(hub) -> int:
    with hub.unit_of_work() as uow:
        return int(uow.session.execute(text(
            "SELECT COUNT(*) FROM authorization_requests")).scalar_one())


def test_a_flood_of_anonymous_requests_gets_a_readable_429_and_stores_nothing(
        hub, clock, chat, visitor):
    limit = hub.settings.authorize_anonymous_per_minute
    for _ in range(limit):
        assert visitor.client.get(authorize_url(chat.authorization_params())).status_code == 303
    assert pending_requests(hub) == limit
    refused = visitor.client.get(authorize_url(chat.authorization_params()))
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "Too many requests" in refused.text and "wait 60 seconds" in refused.text
    assert pending_requests(hub) == limit
    clock.advance(minutes=1)
    assert visitor.client.get(authorize_url(chat.authorization_params())).status_code == 303


def test_a_logged_in_persons_single_sign_on_is_never_throttled(hub, chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    for _ in range(hub.settings.authorize_anonymous_per_minute + 10):
        answer = visitor.client.get(authorize_url(chat.authorization_params()))
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("https://chat.example/callback?code=")
