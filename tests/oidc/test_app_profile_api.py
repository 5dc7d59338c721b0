"""The member apps' profile API and the disclosure page's sync choices (issue 13,
points 1, 2, 7): read and write only synced fields, RFC 9457 problems for each refusal."""

from __future__ import annotations

import re

from sqlalchemy import select

from accounts_center.services.ledger import verify_ledger
from accounts_center.services.profiles import edit_profile
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.privacy_models import LedgerEntryRow
from tests.oidc.conftest import App, Browser, query_of
from tests.support import csrf_from

PROBLEMS = "https://accounts-center.dev/problems/"


def link_with_sync(app: App, browser: Browser, app_user_id: str, sync: list[str]) -> None:
    request_uri = app.push_link(app_user_id, "@ada")
    page = browser.go(f"/oauth2/authorize?client_id={app.client_id}&request_uri={request_uri}")
    assert f"Keep my display name in sync with {app.credentials.app.name}" in page.text
    assert 'name="sync" value="name" checked' not in page.text  # off by default
    action = re.search(r'action="(/oauth2/authorize/continue/[^"]+)"', page.text).group(1)
    done = browser.client.post(action, data={"decision": "confirm", "sync": sync,
                                             "csrf_token": csrf_from(page.text)})
    assert done.status_code == 303, done.text
    assert app.redeem(query_of(done.headers["location"])["code"]).status_code == 200


def person_of(hub) -> str:
    with hub.unit_of_work() as uow:
        return uow.session.scalars(select(LedgerEntryRow.identity_id)).first()


def test_sync_ticked_on_the_disclosure_page_is_on_once_the_link_is_active(
        hub, chat, visitor):
    visitor.sign_up()
    link_with_sync(chat, visitor, "chat-ada", ["name"])
    edit_profile(hub, person_of(hub), {"name": "Ada", "bio": "hidden"})
    answer = chat.client.get("/v1/app/users/chat-ada/profile", auth=chat.auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["profile"] == {"name": "Ada"}
    with hub.unit_of_work() as uow:
        sent = [row.payload for row in uow.session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.type == "profile.updated"))]
    assert [(payload["field"], payload["value"]) for payload in sent] == [("name", "Ada")]
    assert set(sent[0]) >= {"sub", "app_user_id", "occurred_at", "ledger_receipt",
                                    "field", "value", "updated_at"}


def test_an_app_writes_a_synced_field_and_is_refused_others(hub, chat, visitor):
    visitor.sign_up()
    link_with_sync(chat, visitor, "chat-ada", ["name"])
    ok = chat.client.put("/v1/app/users/chat-ada/profile", auth=chat.auth,
                         json={"name": "Ada from Chat"})
    assert ok.status_code == 200 and ok.json() == {"won": {"name": True}}
    refused = chat.client.put("/v1/app/users/chat-ada/profile", auth=chat.auth,
                              json={"photo": "sha256:1"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == PROBLEMS + "profile/field-not-synced"


def test_bad_values_and_unknown_keys_are_422(hub, chat, visitor):
    visitor.sign_up()
    link_with_sync(chat, visitor, "chat-ada", ["name"])
    for body in ({"name": "x" * 65}, {"name": ""}, {"nickname": "Ada"}, {"name": 5}):
        answer = chat.client.put("/v1/app/users/chat-ada/profile", auth=chat.auth, json=body)
        assert answer.status_code == 422, body


def test_unknown_and_unlinked_users_get_the_same_404(hub, chat, visitor):
    visitor.sign_up()
    link_with_sync(chat, visitor, "chat-ada", ["name"])
    unknown = chat.client.get("/v1/app/users/nobody/profile", auth=chat.auth)
    assert chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth).status_code == 204
    unlinked = chat.client.put("/v1/app/users/chat-ada/profile", auth=chat.auth,
                               json={"name": "X"})
    assert unknown.status_code == unlinked.status_code == 404
    assert unknown.json()["type"] == unlinked.json()["type"]


def test_an_app_still_asking_after_removal_is_refused_and_shown_to_the_person(
        hub, chat, visitor):
    visitor.sign_up()
    link_with_sync(chat, visitor, "chat-ada", ["name"])
    assert chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth).status_code == 204
    read = chat.client.get("/v1/app/users/chat-ada/profile", auth=chat.auth)
    write = chat.client.put("/v1/app/users/chat-ada/profile", auth=chat.auth,
                            json={"name": "X"})
    assert read.status_code == write.status_code == 404
    with hub.unit_of_work() as uow:
        bodies = [row.body for row in uow.session.scalars(
            select(LedgerEntryRow).order_by(LedgerEntryRow.seq))]
    refused = [(b["direction"], b["app"], b["category"], b["reason"])
               for b in bodies if b.get("direction") and not b["allowed"]]
    assert refused == [("read", "Chat", "account_details", "link-not-active"),
                       ("push", "Chat", "account_details", "link-not-active")]
    assert verify_ledger(hub, person_of(hub)).ok


def test_without_credentials_it_is_401(chat):
    assert chat.client.get("/v1/app/users/x/profile").status_code == 401


def test_the_profile_api_is_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "put"} <= set(paths["/v1/app/users/{app_user_id}/profile"])
