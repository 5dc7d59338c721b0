"""The hub's webhooks in an app: verified by the SDK, applied once (ids kept in the app's
database), and a removal marks the account as not added."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from accounts_center_demo.family.config import HubCredentials
from accounts_center_demo.family.models import AppliedWebhook, User
from tests.demo.conftest import MakeClient, sign_up

SECRET = "whsec_" + base64.b64encode(b"k" * 24).decode()
HUB = HubCredentials("http://127.0.0.1:9", "app_test", "client-secret", SECRET)


def delivery(kind: str, app_user_id: str, webhook_id: str,
             secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": kind, "timestamp": datetime.now(UTC).isoformat(), "data": {
        "sub": "pairwise", "app_user_id": app_user_id, "occurred_at": "2026-11-27T00:00:00Z",
        "ledger_receipt": "jws", "app": "Social", "your_account": True}})
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(webhook_id, now, body)
    return body.encode(), {"webhook-id": webhook_id,
                           "webhook-timestamp": str(int(now.timestamp())),
                           "webhook-signature": signature,
                           "content-type": "application/json"}


def test_a_removal_at_the_hub_marks_the_account_not_added_once(make_client: MakeClient) -> None:
    client = make_client("social", hub=HUB)
    sign_up(client, "ada")
    store = client.app.state.family.store  # type: ignore[attr-defined]
    with store.session() as db:
        user = db.get(User, 1)
        assert user is not None
        user.hub_linked = True
    body, headers = delivery("account.unlinked", "1", "msg_1")
    assert client.post("/accounts-center/webhooks", content=body, headers=headers
                       ).status_code == 204
    with store.session() as db:
        user = db.get(User, 1)
        assert user is not None and not user.hub_linked
        assert db.get(AppliedWebhook, "msg_1") is not None
    # The same delivery again: accepted, nothing applied twice.
    assert client.post("/accounts-center/webhooks", content=body, headers=headers
                       ).status_code == 204


def test_a_forged_webhook_is_refused(make_client: MakeClient) -> None:
    client = make_client("chat", hub=HUB)
    forged_secret = "whsec_" + base64.b64encode(b"x" * 24).decode()
    body, headers = delivery("account.unlinked", "1", "msg_2", secret=forged_secret)
    assert client.post("/accounts-center/webhooks", content=body, headers=headers
                       ).status_code == 400


def test_an_app_without_a_hub_has_no_webhook_endpoint(make_client: MakeClient) -> None:
    client = make_client("pics")
    assert client.post("/accounts-center/webhooks", content=b"{}").status_code == 404


def test_an_unreachable_hub_is_a_message_on_the_page(make_client: MakeClient) -> None:
    client = make_client("pics", hub=HUB)  # nothing listens on port 9
    token = sign_up(client, "ada")
    answer = client.post("/accounts-center/add", data={"csrf_token": token})
    assert answer.status_code == 502
    assert "could not be reached" in answer.text
    login = client.post("/logout", data={"csrf_token": token})
    assert "Continue with Accounts Center" in login.text
