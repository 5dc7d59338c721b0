"""Cross-posting in the demo apps (issue 14 point 8): Chat's Status with a photo offers
the destinations the hub returns (a checkbox per ``ask`` one, the ``always`` ones named)
and cross-posts to the ticked and the ``always`` ones only; no destination, no post to the
hub; a refusal keeps the Status. Pics shows a cross-posted Story, downloaded at once, and
drops it on ``crosspost.deleted`` or ``crosspost.expired``; a forged webhook is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.demo.conftest import MakeClient, csrf_of, linked_app
from tests.demo.hub_standin import BLUE, RED, MediaServer, deliver
from tests.demo.test_creations import pixel

POST_ID = "cp_0001"
DESTINATIONS = "/v1/app/users/1/crosspost/destinations"
CROSSPOSTS = "/v1/app/users/1/crossposts"
REFUSED = {"type": "https://accounts-center.dev/problems/policy/denied",
           "title": "The sharing policy refused", "status": 403}


def destination(ident: str, app: str, mode: str, kind: str = "story") -> dict[str, str]:
    return {"id": ident, "app": app, "type": kind, "mode": mode}


def crosspost_document(form: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"id": POST_ID, "type": "status", "caption": form.get("caption", ""),
            "media_type": "image/png", "expires_at": form.get("expires_at"),
            "created_at": now, "deleted_at": None, "destinations": []}


def form_of(request: httpx.Request) -> dict[str, Any]:
    """The multipart form fields the SDK sent (repeated ones as lists)."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    fields: dict[str, Any] = {}
    for part in request.content.split(b"--" + boundary):
        head, _, value = part.partition(b"\r\n\r\n")
        if b'name="' not in head or b"filename=" in head:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        text = value.rstrip(b"\r\n").decode()
        fields[name] = [*fields[name], text] if name == "destinations" and name in fields \
            else ([text] if name == "destinations" else text)
    return fields


def offer(media: MediaServer, *destinations: dict[str, str]) -> None:
    media.api[("GET", DESTINATIONS)] = lambda _r: httpx.Response(
        200, json={"destinations": list(destinations)})


def accept(media: MediaServer) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    def create(request: httpx.Request) -> httpx.Response:
        form = form_of(request)
        sent.append(form)
        return httpx.Response(201, json=crosspost_document(form))
    media.api[("POST", CROSSPOSTS)] = create
    return sent


def post_status(client: TestClient, text: str = "Sunset", photo: bytes | None = RED,
                share_to: tuple[str, ...] = (), path: str = "/status") -> httpx.Response:
    """Posts from the form at ``path``: Chat's Status, or ``/stories`` in Pics or Social."""
    token = csrf_of(client.get(path).text)
    files = {"photo": ("sunset.png", photo, "image/png")} if photo is not None else None
    return client.post(path, data={"csrf_token": token, "text": text,
                                   "share_to": list(share_to)}, files=files)


def test_chat_offers_ask_destinations_and_sends_only_the_ticked_and_always_ones(
        chat: TestClient, media: MediaServer) -> None:
    offer(media, destination("d-pics", "Pics", "ask"), destination("d-other", "Other", "ask"),
          destination("d-social", "Social", "always"))
    sent = accept(media)
    page = chat.get("/status").text
    assert 'name="share_to" value="d-pics"' in page
    assert 'name="share_to" value="d-other"' in page
    assert 'value="d-social"' not in page and "Also shared to Social Story" in page
    answer = post_status(chat, share_to=("d-pics", "d-social", "d-forged"))
    assert answer.status_code == 200 and "wasn't shared" not in answer.text
    assert len(sent) == 1
    # Only the ticked ask one: "always" is the hub's to add, anything else is dropped.
    assert sent[0]["destinations"] == ["d-pics"]
    assert sent[0]["type"] == "status" and sent[0]["caption"] == "Sunset"
    expires = datetime.fromisoformat(sent[0]["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
    assert "/status/1/photo" in answer.text
    assert pixel(chat.get("/status/1/photo").content) == (200, 0, 0)
    # Deleting the Status deletes the cross-post.
    deleted: list[str] = []

    def delete(request: httpx.Request) -> httpx.Response:
        deleted.append(request.url.path)
        return httpx.Response(200, json={**crosspost_document({}),
                                         "deleted_at": datetime.now(UTC).isoformat()})
    media.api[("DELETE", f"/v1/app/crossposts/{POST_ID}")] = delete
    token = csrf_of(answer.text)
    gone = chat.post("/status/1/delete", data={"csrf_token": token})
    assert gone.status_code == 200 and "Your post was deleted." in gone.text
    assert deleted == [f"/v1/app/crossposts/{POST_ID}"]
    assert "/status/1/photo" not in gone.text


def test_always_alone_is_enough_to_cross_post(chat: TestClient, media: MediaServer) -> None:
    offer(media, destination("d-social", "Social", "always"))
    sent = accept(media)
    post_status(chat)
    assert len(sent) == 1 and "destinations" not in sent[0]


@pytest.mark.parametrize("case", ["none offered", "ask not ticked", "no photo"])
def test_no_destination_means_no_cross_post(chat: TestClient, media: MediaServer,
                                            case: str) -> None:
    if case == "none offered":
        offer(media)
    else:
        offer(media, destination("d-pics", "Pics", "always" if case == "no photo" else "ask"))
    sent = accept(media)
    answer = post_status(chat, photo=None if case == "no photo" else RED)
    assert answer.status_code == 200 and "Sunset" in answer.text
    assert sent == []
    assert not any(url.endswith(CROSSPOSTS) for url in media.asked)


@pytest.mark.parametrize("failure", ["refused", "unreachable"])
def test_a_refusal_keeps_the_status_and_says_it_was_not_shared(
        chat: TestClient, media: MediaServer, failure: str) -> None:
    offer(media, destination("d-pics", "Pics", "ask"))

    def refuse(_request: httpx.Request) -> httpx.Response:
        if failure == "unreachable":
            raise httpx.ConnectError("connection refused")
        return httpx.Response(403, json=REFUSED,
                              headers={"content-type": "application/problem+json"})
    media.api[("POST", CROSSPOSTS)] = refuse
    answer = post_status(chat, share_to=("d-pics",))
    assert answer.status_code == 200
    assert "posted on Chat but wasn&#39;t shared" in answer.text
    assert "Sunset" in answer.text and "/status/1/photo" in answer.text


def test_destinations_unavailable_still_lets_the_status_be_posted(
        chat: TestClient, media: MediaServer) -> None:
    media.api[("GET", DESTINATIONS)] = lambda _r: httpx.Response(503)
    assert "Sharing to your other apps isn't available now" in chat.get("/status").text
    answer = post_status(chat)
    assert answer.status_code == 200 and "Sunset" in answer.text


def reports(media: MediaServer) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = []

    def report(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        made.append(body)
        return httpx.Response(200, json={"crosspost_id": POST_ID, "type": "story",
                                         "state": body["state"],
                                         "item_id": body.get("item_id")})
    media.api[("PUT", f"/v1/app/crossposts/{POST_ID}/copy")] = report
    return made


def created(client: TestClient, media: MediaServer, webhook_id: str = "msg_c",
            **more: Any) -> int:
    expires = (datetime.now(UTC) + timedelta(hours=23)).isoformat()
    fields = {"crosspost_id": POST_ID, "post_type": "story", "caption": "Sunset",
              "media_url": media.serve("cp1", BLUE), "media_type": "image/png",
              "expires_at": expires, **more}
    return deliver(client, webhook_id, kind="crosspost.created", **fields)


@pytest.mark.parametrize("removal", ["crosspost.deleted", "crosspost.expired"])
def test_pics_shows_a_cross_posted_story_and_drops_it(pics: TestClient, media: MediaServer,
                                                      removal: str) -> None:
    made = reports(media)
    assert created(pics, media) == 204
    assert made == [{"state": "created", "item_id": "1"}]
    page = pics.get("/stories").text
    assert "Sunset" in page and "shared from another app through Accounts Center" in page
    assert pixel(pics.get("/stories/1/photo").content) == (0, 0, 200)
    # The same delivery again changes nothing.
    assert created(pics, media) == 204
    assert pics.get("/stories").text.count("/stories/1/photo") == 1
    assert deliver(pics, "msg_d", kind=removal, crosspost_id=POST_ID, post_type="story") == 204
    page = pics.get("/stories").text
    assert "Sunset" not in page and "/stories/1/photo" not in page
    assert pics.get("/stories/1/photo").status_code == 404


def test_a_picture_that_cannot_be_used_is_reported_failed(pics: TestClient,
                                                          media: MediaServer) -> None:
    made = reports(media)
    assert created(pics, media, media_url="https://elsewhere.test/media/x") == 204
    assert made == [{"state": "failed"}]
    assert "Sunset" not in pics.get("/stories").text


def test_social_takes_cross_posted_stories_too(make_client: MakeClient,
                                               media: MediaServer) -> None:
    social = linked_app(make_client, media, "social", "ada")
    made = reports(media)
    assert created(social, media) == 204
    assert made and made[0]["state"] == "created"
    assert "shared from another app through Accounts Center" in social.get("/stories").text


def test_a_forged_cross_post_is_refused_and_nothing_is_fetched(
        pics: TestClient, media: MediaServer) -> None:
    forged = "whsec_" + "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4"
    assert deliver(pics, "msg_f", kind="crosspost.created", secret=forged,
                   crosspost_id=POST_ID, post_type="story", caption="Forged",
                   media_url=media.serve("cp1", RED), media_type="image/png",
                   expires_at=None) == 400
    assert media.asked == []
    assert "Forged" not in pics.get("/stories").text
