"""The SDK's webhook receiver, against signatures made by the `standardwebhooks`
package as the hub's delivery will make them."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from accounts_center_sdk import (
    AccountUnlinked,
    AgeReconciled,
    Creation,
    CreationAdded,
    CreationDeleted,
    DuplicateWebhook,
    InvalidWebhook,
    ProfileUpdated,
    UnknownEvent,
    WebhookReceiver,
)


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def delivery(secret: str, event_type: str, data: dict, *, webhook_id: str = "msg_1",
             at: datetime | None = None, extra_signature: str | None = None):
    at = at or datetime.now(UTC)
    body = json.dumps({"type": event_type, "timestamp": at.isoformat(), "data": data})
    signature = Webhook(secret).sign(webhook_id, at, body)
    if extra_signature:
        signature = f"{extra_signature} {signature}"
    return body, {"webhook-id": webhook_id, "webhook-timestamp": str(int(at.timestamp())),
                  "webhook-signature": signature}


UNLINKED = {"sub": "s1", "app_user_id": "u1", "app": "Chat", "your_account": True,
            "occurred_at": "2026-11-25T12:00:00+00:00"}


def test_a_genuine_delivery_becomes_a_typed_event():
    secret = new_secret()
    body, headers = delivery(secret, "account.unlinked", UNLINKED)
    event = WebhookReceiver(secret).receive(body, headers)
    assert isinstance(event, AccountUnlinked)
    assert (event.id, event.app_user_id, event.app, event.your_account) == (
        "msg_1", "u1", "Chat", True)
    age = WebhookReceiver(secret).receive(*delivery(
        secret, "age.reconciled", {"sub": "s", "app_user_id": "u", "age_band": "13_17"}))
    assert isinstance(age, AgeReconciled) and age.age_band == "13_17"


def test_a_changed_body_a_wrong_secret_or_missing_headers_are_refused():
    secret = new_secret()
    body, headers = delivery(secret, "account.unlinked", UNLINKED)
    receiver = WebhookReceiver(secret)
    with pytest.raises(InvalidWebhook):
        receiver.receive(body.replace("u1", "u2"), headers)
    with pytest.raises(InvalidWebhook):
        WebhookReceiver(new_secret()).receive(body, headers)
    with pytest.raises(InvalidWebhook):
        receiver.receive(body, {k: v for k, v in headers.items() if k != "webhook-id"})
    with pytest.raises(InvalidWebhook):
        receiver.receive(body, {**headers, "webhook-signature": "garbage"})


def test_a_stale_or_future_timestamp_is_refused():
    secret = new_secret()
    for moment in (datetime.now(UTC) - timedelta(minutes=6),
                   datetime.now(UTC) + timedelta(minutes=6)):
        body, headers = delivery(secret, "account.unlinked", UNLINKED, at=moment)
        with pytest.raises(InvalidWebhook):
            WebhookReceiver(secret).receive(body, headers)


def test_a_replayed_id_is_refused_even_when_signed_again():
    """A second genuine delivery of an id is told apart from a bad request: the app
    answers it 2xx (so the hub stops sending it) and applies nothing."""
    secret = new_secret()
    receiver = WebhookReceiver(secret)
    receiver.applied(receiver.receive(*delivery(secret, "account.unlinked", UNLINKED,
                                                webhook_id="msg_7")))
    with pytest.raises(DuplicateWebhook) as repeat:
        receiver.receive(*delivery(secret, "account.unlinked", UNLINKED, webhook_id="msg_7"))
    assert repeat.value.event.id == "msg_7" and not isinstance(repeat.value, InvalidWebhook)
    with pytest.raises(InvalidWebhook):  # a forged repeat is still just invalid
        receiver.receive(*delivery(new_secret(), "account.unlinked", UNLINKED,
                                   webhook_id="msg_7"))
    receiver.receive(*delivery(secret, "account.unlinked", UNLINKED, webhook_id="msg_8"))


def test_an_event_the_app_failed_to_apply_is_received_again():
    """Until the app says it applied an event, a retry of it is a new chance to apply it,
    not a duplicate: a 5xx from the app must never lose the event."""
    secret = new_secret()
    receiver = WebhookReceiver(secret)
    first = receiver.receive(*delivery(secret, "account.unlinked", UNLINKED, webhook_id="m"))
    # ... the app's database was down: it answered 500 and did not call applied()
    again = receiver.receive(*delivery(secret, "account.unlinked", UNLINKED, webhook_id="m"))
    assert (again.id, again.app_user_id) == (first.id, first.app_user_id)
    receiver.applied(again)
    with pytest.raises(DuplicateWebhook):
        receiver.receive(*delivery(secret, "account.unlinked", UNLINKED, webhook_id="m"))


def test_during_a_secret_rotation_either_secret_verifies():
    old, new = new_secret(), new_secret()
    receiver = WebhookReceiver([new, old])
    assert receiver.receive(*delivery(old, "account.unlinked", UNLINKED, webhook_id="a"))
    assert receiver.receive(*delivery(new, "account.unlinked", UNLINKED, webhook_id="b"))
    # Both signatures sent side by side (the overlap window): one match is enough.
    body, headers = delivery(new, "account.unlinked", UNLINKED, webhook_id="c",
                             extra_signature="v1,AAAA")
    assert WebhookReceiver(new).receive(body, headers).id == "c"


def test_unknown_types_are_kept_and_malformed_envelopes_refused():
    secret = new_secret()
    event = WebhookReceiver(secret).receive(*delivery(
        secret, "creation.shared", {"sub": "s", "app_user_id": "u", "fields": ["name"]}))
    assert isinstance(event, UnknownEvent) and event.data["fields"] == ["name"]
    at = datetime.now(UTC)
    body = json.dumps(["not", "an", "envelope"])
    headers = {"webhook-id": "x", "webhook-timestamp": str(int(at.timestamp())),
               "webhook-signature": Webhook(secret).sign("x", at, body)}
    with pytest.raises(InvalidWebhook):
        WebhookReceiver(secret).receive(body, headers)
    with pytest.raises(InvalidWebhook):
        WebhookReceiver(secret).receive(*delivery(secret, "age.reconciled", {"sub": "s"}))


def test_profile_updated_arrives_typed_with_its_field_and_value():
    secret = new_secret()
    event = WebhookReceiver(secret).receive(*delivery(
        secret, "profile.updated", {"sub": "s", "app_user_id": "u", "field": "avatar",
                                    "value": {"hair": "short"},
                                    "media_url": "https://hub.example/media/x?sig=y",
                                    "updated_at": "2026-11-27T12:00:00+00:00"}))
    assert isinstance(event, ProfileUpdated)
    assert (event.field, event.value) == ("avatar", {"hair": "short"})
    assert event.media_url == "https://hub.example/media/x?sig=y"


def test_creation_events_arrive_typed():
    secret = new_secret()
    document = {"id": "c1", "kind": "image", "title": "Beach", "expression": None,
                "media_type": "image/jpeg", "width": 300, "height": 200,
                "url": "https://hub.example/media/x?sig=y", "made_in": "Pics",
                "created_at": "2026-11-27T12:00:00+00:00"}
    added = WebhookReceiver(secret).receive(*delivery(
        secret, "creation.added", {"sub": "s", "app_user_id": "u", "creation": document}))
    assert isinstance(added, CreationAdded) and isinstance(added.creation, Creation)
    assert (added.creation.id, added.creation.made_in, added.app_user_id) == ("c1", "Pics",
                                                                              "u")
    deleted = WebhookReceiver(secret).receive(*delivery(
        secret, "creation.deleted", {"sub": "s", "app_user_id": "u", "creation_id": "c1"},
        webhook_id="msg_2"))
    assert isinstance(deleted, CreationDeleted) and deleted.creation_id == "c1"
    with pytest.raises(InvalidWebhook):
        WebhookReceiver(secret).receive(*delivery(
            secret, "creation.added", {"sub": "s", "app_user_id": "u",
                                       "creation": {"id": "c1"}}, webhook_id="msg_3"))


def test_the_hubs_own_creation_events_parse_in_the_sdk(hub):
    """What the hub writes to its outbox for `creation.added` is what the SDK reads."""
    from sqlalchemy import select

    from accounts_center.domain.origin import RequestOrigin
    from accounts_center.services.creations import delete_creation, upload_creation
    from accounts_center.services.member_apps import register_app
    from accounts_center.services.sign_up import sign_up
    from accounts_center.store.outbox_models import OutboxEventRow
    from tests.image_files import jpeg_with_gps
    from tests.support import link_now

    pics = register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/h",
                        {"creations": True}).app
    person = sign_up(hub, "ada@example.com", "correct horse battery",
                     RequestOrigin("127.0.0.1", "test")).identity_id
    with hub.unit_of_work() as uow:
        link_now(uow, hub, person, uow.member_apps.by_id(pics.id), "pics-ada")
        uow.commit()
    made = upload_creation(hub, person, jpeg_with_gps(), "Beach")
    delete_creation(hub, person, made.id)
    with hub.unit_of_work() as uow:
        rows = uow.session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.type.in_(["creation.added", "creation.deleted"]))
            .order_by(OutboxEventRow.seq)).all()
        sent = [(row.id, row.type, row.payload) for row in rows]
    secret = new_secret()
    receiver = WebhookReceiver(secret)
    added, deleted = (receiver.receive(*delivery(secret, kind, payload, webhook_id=event_id))
                      for event_id, kind, payload in sent)
    assert isinstance(added, CreationAdded) and added.creation.id == made.id
    assert added.creation.title == "Beach" and added.app_user_id == "pics-ada"
    assert isinstance(deleted, CreationDeleted) and deleted.creation_id == made.id
