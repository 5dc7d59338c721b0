"""The member apps' data API: push and read, each one policy decision, ledgered
(DESIGN §4.6; SECURITY-CHECKLIST 24, 39-44)."""

from __future__ import annotations

import pytest

from accounts_center.services.consents import set_ad_consent
from accounts_center.services.ledger import verify_ledger
from accounts_center.store.privacy_models import LedgerEntryRow, SharedDataRow
from accounts_center.store.unit_of_work import UnitOfWork
from tests.oidc.conftest import App

PROBLEMS = "https://accounts-center.dev/problems/"


def push(app: App, user: str, category: str, purpose: str, fields: dict):
    return app.client.post(f"/v1/app/users/{user}/data/{category}", auth=app.auth,
                           json={"purpose": purpose, "fields": fields})


def read(app: App, user: str, category: str, purpose: str):
    return app.client.get(f"/v1/app/users/{user}/data/{category}", auth=app.auth,
                          params={"purpose": purpose})


def person_of(hub) -> str:
    with hub.unit_of_work() as uow:
        return uow.session.query(LedgerEntryRow.identity_id).distinct().one()[0]


def test_a_push_is_stored_and_another_linked_app_reads_it_for_a_stated_purpose(
        hub, both_linked):
    chat, pics = both_linked
    pushed = push(chat, "chat-ada", "device", "security_and_integrity",
                  {"model": "Pixel 9", "os": "Android 17"})
    assert pushed.status_code == 201, pushed.text
    answer = read(pics, "pics-ada", "device", "security_and_integrity")
    assert answer.status_code == 200
    assert answer.json()["items"][0]["fields"] == {"model": "Pixel 9", "os": "Android 17"}
    result = verify_ledger(hub, person_of(hub))
    # Two links, each with the notice to its own app; Chat not told of Pics's link; one
    # push; one read.
    assert result.ok and result.checked == 7


def test_the_ledger_records_field_names_and_digests_never_values(hub, both_linked):
    chat, _ = both_linked
    push(chat, "chat-ada", "device", "security_and_integrity", {"model": "Pixel 9"})
    with hub.unit_of_work() as uow:
        bodies = [row.body for row in uow.session.query(LedgerEntryRow).all()]
    decision = next(body for body in bodies if body.get("direction") == "push")
    assert set(decision["fields"]) == {"model"} and decision["reason"] == "allowed"
    assert "Pixel 9" not in str(bodies) and "chat-ada" not in str(bodies)


def test_unknown_and_unlinked_users_get_the_same_answer(both_linked, visitor):
    chat, _ = both_linked
    assert chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth).status_code == 204
    unlinked = push(chat, "chat-ada", "device", "security_and_integrity", {"model": "x"})
    unknown = push(chat, "nobody", "device", "security_and_integrity", {"model": "x"})
    assert unlinked.status_code == unknown.status_code == 404
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    assert strip(unlinked.json()) == strip(unknown.json())
    assert unknown.json()["type"] == PROBLEMS + "unknown-app-user"


@pytest.mark.parametrize("fields, reason", [({"model": "x"}, "link-not-active"),
                                            ({"last_message": "hi"}, "never-shared-category")])
def test_an_app_still_asking_after_removal_is_refused_as_unknown_and_shown_to_the_person(
        hub, both_linked, fields, reason):
    chat, _ = both_linked
    assert chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth).status_code == 204
    asked = [push(chat, "chat-ada", "device", "security_and_integrity", fields),
             read(chat, "chat-ada", "account_details", "cross_app_features")]
    unknown = push(chat, "nobody", "device", "security_and_integrity", {"model": "x"})
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    for answer in asked:
        assert answer.status_code == 404 and strip(answer.json()) == strip(unknown.json())
    with hub.unit_of_work() as uow:
        bodies = [row.body for row in uow.session.query(LedgerEntryRow)
                  .order_by(LedgerEntryRow.seq).all()]
    refused = [body for body in bodies if body.get("direction") and not body["allowed"]]
    assert [(b["direction"], b["app"], b["reason"]) for b in refused] == [
        ("push", "Chat", reason), ("read", "Chat", "link-not-active")]
    with hub.unit_of_work() as uow:
        assert not uow.session.query(SharedDataRow).count()
    assert verify_ledger(hub, person_of(hub)).ok


@pytest.mark.parametrize("category", ["messages", "calls", "contacts"])
def test_never_shared_categories_are_refused_and_nothing_of_them_is_kept(
        hub, both_linked, category):
    chat, pics = both_linked
    secret = "meet me at 6"
    refused = push(chat, "chat-ada", category, "cross_app_features", {"text": secret})
    assert refused.status_code == 422
    assert refused.json()["type"] == PROBLEMS + "never-shared-category"
    assert read(pics, "pics-ada", category, "cross_app_features").status_code == 422
    with hub.unit_of_work() as uow:
        assert uow.session.query(SharedDataRow).count() == 0
        denied = [e.body for e in uow.session.query(LedgerEntryRow).all()
                  if e.kind == "decision"]
    assert len(denied) == 2 and all(b["reason"] == "never-shared-category" for b in denied)
    assert all("fields" not in body for body in denied) and secret not in str(denied)


def decisions(hub) -> list[dict]:
    with hub.unit_of_work() as uow:
        return [e.body for e in uow.session.query(LedgerEntryRow).order_by(
            LedgerEntryRow.seq).all() if e.kind == "decision"]


@pytest.mark.parametrize("name", ["last_message", "contactList", "callLog", "c\u043entacts"])
def test_a_never_shared_word_as_a_field_name_is_refused_like_the_category(
        hub, both_linked, name):
    """Issue 10, point 6: messages under another name inside device data."""
    chat, _ = both_linked
    secret = "see you at 6"
    refused = push(chat, "chat-ada", "device", "security_and_integrity",
                   {"model": "Pixel 9", name: secret})
    assert refused.status_code == 422
    assert refused.json()["type"] == PROBLEMS + "never-shared-category"
    assert refused.json()["field"] == f"fields.{name}"
    with hub.unit_of_work() as uow:
        assert uow.session.query(SharedDataRow).count() == 0
    [denied] = decisions(hub)
    assert denied["reason"] == "never-shared-category" and "fields" not in denied
    assert secret not in str(denied) and "Pixel 9" not in str(denied)


@pytest.mark.parametrize("category", ["Contacts", "c\u043entacts", "call_log", "MESSAGES"])
def test_a_look_alike_category_is_refused_and_ledgered_without_field_digests(
        hub, both_linked, category):
    chat, pics = both_linked
    refused = push(chat, "chat-ada", category, "cross_app_features", {"who": "Bob"})
    assert refused.status_code == 422
    assert refused.json()["type"] == PROBLEMS + "never-shared-category"
    assert read(pics, "pics-ada", category, "cross_app_features").status_code == 422
    entries = decisions(hub)
    assert len(entries) == 2
    assert all(b["reason"] == "never-shared-category" and "fields" not in b for b in entries)


def test_an_unknown_category_is_refused_and_its_values_leave_no_digest(hub, both_linked):
    chat, _ = both_linked
    refused = push(chat, "chat-ada", "diary", "cross_app_features", {"entry": "dear diary"})
    assert refused.status_code == 422
    [denied] = decisions(hub)
    assert denied["reason"] == "unknown-category" and "fields" not in denied


def test_a_category_the_app_did_not_declare_is_denied_naming_the_reason(both_linked):
    chat, _ = both_linked  # chat declares it sends device and activity only
    denied = push(chat, "chat-ada", "age", "cross_app_features", {"birth_date": "2000-01-01"})
    assert denied.status_code == 403
    assert denied.json()["type"] == PROBLEMS + "policy/sender-not-declared"
    not_received = read(chat, "chat-ada", "age", "cross_app_features")
    assert not_received.json()["type"] == PROBLEMS + "policy/receiver-not-declared"


def test_advertising_needs_consent_current_at_that_moment(hub, both_linked):
    chat, pics = both_linked
    push(chat, "chat-ada", "activity", "cross_app_features", {"posts_this_week": 3})
    denied = read(pics, "pics-ada", "activity", "advertising")
    assert denied.status_code == 403
    assert denied.json()["type"] == PROBLEMS + "policy/no-advertising-consent"
    person = person_of(hub)
    set_ad_consent(hub, person, pics.credentials.app.id, True)
    assert read(pics, "pics-ada", "activity", "advertising").status_code == 200
    set_ad_consent(hub, person, pics.credentials.app.id, False)
    assert read(pics, "pics-ada", "activity", "advertising").status_code == 403
    with hub.unit_of_work() as uow:
        kinds = [row.kind for row in uow.session.query(LedgerEntryRow)
                 .order_by(LedgerEntryRow.seq)]
        events = [row.type for row in uow.outbox.for_app(pics.credentials.app.id)]
    assert kinds.count("consent") == 2 and events.count("consent.updated") == 2


def test_a_consent_change_that_fails_to_commit_leaves_neither_change_nor_event(
        hub, both_linked, monkeypatch):
    """The outbox row is written in the change's own transaction: when that transaction
    does not commit, nothing of it remains, the event included."""
    _, pics = both_linked
    person = person_of(hub)
    with hub.unit_of_work() as uow:
        events_before = len(uow.outbox.for_app(pics.credentials.app.id))
        entries_before = uow.session.query(LedgerEntryRow).count()

    def crash_at_commit(uow: UnitOfWork) -> None:
        uow.session.flush()  # the rows reached the database inside the transaction ...
        raise RuntimeError("the database went away at commit")  # ... which never commits

    monkeypatch.setattr(UnitOfWork, "commit", crash_at_commit)
    with pytest.raises(RuntimeError):
        set_ad_consent(hub, person, pics.credentials.app.id, True)
    monkeypatch.undo()
    with hub.unit_of_work() as uow:
        assert len(uow.outbox.for_app(pics.credentials.app.id)) == events_before
        assert uow.session.query(LedgerEntryRow).count() == entries_before
        assert not uow.consents.granted(person, pics.credentials.app.id)
    set_ad_consent(hub, person, pics.credentials.app.id, True)
    with hub.unit_of_work() as uow:
        assert len(uow.outbox.for_app(pics.credentials.app.id)) == events_before + 1
        assert uow.consents.granted(person, pics.credentials.app.id)


def test_age_is_answered_only_as_a_band_and_the_youngest_claim_wins(clock, both_linked):
    _, pics = both_linked
    assert push(pics, "pics-ada", "age", "cross_app_features",
                {"birth_date": "1990-05-01"}).status_code == 201
    assert push(pics, "pics-ada", "age", "cross_app_features",
                {"birth_date": "2012-05-01"}).status_code == 201
    answer = read(pics, "pics-ada", "age", "cross_app_features").json()
    assert answer["items"] == [{"fields": {"age_band": "13_17"}, "received_at": None}]
    assert "2012" not in str(answer) and "1990" not in str(answer)
    ads = read(pics, "pics-ada", "age", "advertising")
    assert ads.json()["type"] == PROBLEMS + "policy/purpose-not-allowed"


@pytest.mark.parametrize("body", [
    {"purpose": "cross_app_features", "fields": []},
    {"purpose": "cross_app_features", "fields": {}},
    {"purpose": "cross_app_features", "fields": {"a": {"nested": 1}}},
    {"purpose": "cross_app_features", "fields": {"x": "y"}, "extra": 1},
    {"fields": {"x": "y"}},
])
def test_malformed_pushes_get_a_422_problem(both_linked, body):
    chat, _ = both_linked
    answer = chat.client.post("/v1/app/users/chat-ada/data/device", auth=chat.auth, json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_bad_birth_date_and_an_unknown_purpose_are_422(both_linked):
    _, pics = both_linked
    bad = push(pics, "pics-ada", "age", "cross_app_features", {"birth_date": "soon"})
    assert bad.status_code == 422 and bad.json()["field"] == "birth_date"
    unknown = read(pics, "pics-ada", "device", "resale")
    assert unknown.status_code == 422


def test_wrong_client_credentials_are_401(both_linked):
    chat, _ = both_linked
    answer = chat.client.get("/v1/app/users/chat-ada/data/device",
                             auth=(chat.client_id, "wrong"), params={"purpose": "x"})
    assert answer.status_code == 401
