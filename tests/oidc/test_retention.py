"""Retention of the provider's state (issue 10, point 7; rules in domain/retention.py):
what expired is deleted, and nothing is deleted while a defence still needs it."""

from __future__ import annotations

from sqlalchemy import text

from accounts_center.services.retention import prune_expired
from tests.oidc.conftest import link, query_of


def authorize_url(params: dict[str, str]) -> str:
    return "/oauth2/authorize?" + "&".join(f"{k}={v}" for k, v in params.items())


def count(hub, table: str) -> int:
    with hub.unit_of_work() as uow:
        return int(uow.session.execute(text(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608
                   .scalar_one())


def family_rows(hub) -> dict[str, int]:
    with hub.unit_of_work() as uow:
        return dict(uow.session.execute(text(
            "SELECT family_id, COUNT(*) FROM oauth_tokens GROUP BY family_id")).all())


def test_pending_requests_are_deleted_once_they_expire(hub, clock, chat, visitor):
    chat.push_link("chat-user-1", "@ada")  # a pushed request: 90 s
    visitor.go(authorize_url(chat.authorization_params()))  # a front-channel one: 15 min
    assert count(hub, "authorization_requests") == 2
    clock.advance(seconds=91)
    assert prune_expired(hub).authorization_requests == 1
    assert count(hub, "authorization_requests") == 1
    clock.advance(minutes=14)
    assert prune_expired(hub).authorization_requests == 1
    assert count(hub, "authorization_requests") == 0


def test_a_used_code_outlives_its_expiry_so_a_late_replay_still_revokes_its_tokens(
        hub, clock, chat, visitor):
    visitor.sign_up()
    link(chat, visitor)
    code = query_of(visitor.go(authorize_url(chat.authorization_params()))
                    .headers["location"])["code"]
    tokens = chat.redeem(code).json()
    clock.advance(minutes=3)  # the code expired two minutes ago
    assert prune_expired(hub).authorization_codes == 0
    assert chat.redeem(code).json()["error"] == "invalid_grant"
    assert chat.refresh(tokens["refresh_token"]).status_code == 400  # revoked by the replay
    clock.advance(minutes=3, seconds=1)
    assert prune_expired(hub).authorization_codes == 2  # the link's code and this one
    assert count(hub, "authorization_codes") == 0


def test_rotated_refresh_tokens_are_kept_while_their_grant_lives_so_reuse_is_caught(
        hub, clock, chat, visitor):
    visitor.sign_up()
    first = link(chat, visitor)
    clock.advance(days=20)
    second = chat.refresh(first["refresh_token"]).json()
    clock.advance(days=25)  # the first refresh token expired 15 days ago
    third = chat.refresh(second["refresh_token"]).json()
    clock.advance(days=16)
    pruned = prune_expired(hub)
    # Only the first row went: its own token expired more than 30 days ago.
    assert pruned.token_rows == 1 and list(family_rows(hub).values()) == [2]
    reuse = chat.refresh(second["refresh_token"])  # expired, rotated, but remembered
    assert reuse.json()["error"] == "invalid_grant"
    assert chat.refresh(third["refresh_token"]).status_code == 400  # grant revoked


def test_a_revoked_grant_goes_with_all_its_rows_an_hour_later(hub, clock, chat, pics,
                                                               visitor):
    visitor.sign_up()
    first = link(chat, visitor)
    latest = chat.refresh(chat.refresh(first["refresh_token"]).json()["refresh_token"]).json()
    link(pics, visitor, app_user_id="pics-ada")
    assert sorted(family_rows(hub).values()) == [1, 3]
    revoked = chat.client.post("/oauth2/revoke", auth=chat.auth,
                               data={"token": latest["refresh_token"]})
    assert revoked.status_code == 200
    clock.advance(minutes=59)
    assert prune_expired(hub).token_rows == 0
    clock.advance(minutes=2)
    assert prune_expired(hub).token_rows == 3
    assert list(family_rows(hub).values()) == [1]  # Pics' grant lives on


def test_an_expired_grant_goes_an_hour_after_its_refresh_token_expired(hub, clock, chat,
                                                                        visitor):
    visitor.sign_up()
    tokens = link(chat, visitor)
    chat.refresh(tokens["refresh_token"])
    clock.advance(days=30, minutes=30)
    assert prune_expired(hub).token_rows == 0
    clock.advance(minutes=31)
    assert prune_expired(hub).token_rows == 2 and count(hub, "oauth_tokens") == 0
