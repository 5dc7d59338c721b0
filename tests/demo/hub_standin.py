"""A stand-in for the hub as a demo app's HTTP clients see it: its `/media/` (each path
answers as a test sets it) and, for the SDK client, the app API paths a test answers;
and signed webhook deliveries."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from PIL import Image
from standardwebhooks.webhooks import Webhook
from starlette.testclient import TestClient

from accounts_center_demo.family.config import HubCredentials
from accounts_center_sdk import AccountsCenter

SECRET = "whsec_" + base64.b64encode(b"p" * 24).decode()
ISSUER = "http://hub.test"
HUB = HubCredentials(ISSUER, "app_test", "client-secret", SECRET)
EARLIER, LATER = "2026-11-27T10:00:00+00:00", "2026-11-27T11:00:00+00:00"


def png(colour: tuple[int, int, int], size: int = 256) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, format="PNG")
    return out.getvalue()


RED, BLUE = png((200, 0, 0)), png((0, 0, 200))


class MediaServer:
    """The hub's `/media/` as the app's HTTP client sees it: each path answers as set;
    ``api[(method, path)]`` answers the SDK's calls."""

    def __init__(self) -> None:
        self.answers: dict[str, Callable[[], httpx.Response]] = {}
        self.api: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {}
        self.asked: list[str] = []

    def serve(self, name: str, content: bytes, status: int = 200) -> str:
        self.answers[f"/media/{name}"] = lambda: httpx.Response(
            status, content=content, headers={"content-type": "image/png"})
        return f"{ISSUER}/media/{name}?app=app_test&exp=1&sig=x"

    def unreachable(self, name: str) -> str:
        def refuse() -> httpx.Response:
            raise httpx.ConnectError("connection refused")
        self.answers[f"/media/{name}"] = refuse
        return f"{ISSUER}/media/{name}?app=app_test&exp=1&sig=x"

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(str(request.url))
        call = self.api.get((request.method, request.url.path))
        if call is not None:
            return call(request)
        answer = self.answers.get(request.url.path)
        return answer() if answer else httpx.Response(404)

    def attach(self, client: TestClient) -> None:
        """Points the app's media and SDK clients at this stand-in."""
        hub = client.app.state.family.hub  # type: ignore[attr-defined]
        hub.media.close()
        hub.media = httpx.Client(transport=httpx.MockTransport(self.handle))
        if hub.client is not None:
            hub.client.close()
            hub.client = AccountsCenter(
                issuer=ISSUER, client_id=HUB.client_id, client_secret=HUB.client_secret,
                redirect_uri="http://testserver/accounts-center/callback",
                http=httpx.Client(transport=httpx.MockTransport(self.handle)))


def deliver(client: TestClient, webhook_id: str, kind: str = "profile.updated",
            secret: str = SECRET, **data: Any) -> int:
    body = json.dumps({"type": kind, "timestamp": datetime.now(UTC).isoformat(), "data": {
        "sub": "pairwise", "app_user_id": "1", "occurred_at": LATER,
        "ledger_receipt": "jws", **data}})
    now = datetime.now(UTC)
    headers = {"webhook-id": webhook_id, "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
               "content-type": "application/json"}
    return client.post("/accounts-center/webhooks", content=body.encode(),
                       headers=headers).status_code
