"""The person's creations in the apps that declare them (Pics, Chat): `creation.added`
keeps a copy of the picture, downloaded at once and served from the app's own origin;
`creation.deleted` forgets it; the sticker picker asks the hub on first open and on
"Refresh from Accounts Center", and keeps what it has when the hub refuses or is away;
Pics posts a sticker as a photo and saves a photo to the person's creations; Social,
which does not declare creations, offers none."""

from __future__ import annotations

import base64
import io
import logging
import re
from typing import Any

import httpx
import pytest
from PIL import Image
from starlette.testclient import TestClient

from accounts_center_demo.family.creation_models import KeptCreation
from tests.demo.conftest import MakeClient, csrf_of, linked, sign_up
from tests.demo.hub_standin import BLUE, HUB, RED, MediaServer, deliver

STICKER_ID = "c0ffee00-0000-4000-8000-000000000001"
IMAGE_ID = "c0ffee00-0000-4000-8000-000000000002"
NOT_DECLARED = {"type": "https://accounts-center.dev/problems/creations/not-declared",
                "title": "The app did not declare creations", "status": 403}


def creation(url: str | None, creation_id: str = STICKER_ID, title: str = "Wink sticker",
             created_at: str = "2026-11-27T11:00:00+00:00") -> dict[str, Any]:
    return {"id": creation_id, "kind": "sticker", "title": title, "expression": "wink",
            "media_type": "image/png", "width": 256, "height": 256, "url": url,
            "made_in": "Accounts Center", "created_at": created_at}


def pixel(content: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(content)) as image:
        return tuple(image.convert("RGB").getpixel((10, 10)))


def kept_ids(client: TestClient) -> set[str]:
    store = client.app.state.family.store  # type: ignore[attr-defined]
    with store.session() as db:
        return {k.creation_id for k in db.query(KeptCreation)}


def added(client: TestClient, webhook_id: str, url: str | None, **more: Any) -> int:
    return deliver(client, webhook_id, kind="creation.added", creation=creation(url, **more))


def test_an_added_creation_is_downloaded_at_once_and_served_by_the_app(
        pics: TestClient, media: MediaServer) -> None:
    url = media.serve("s1", RED)
    assert added(pics, "msg_1", url) == 204
    assert media.asked == [url]
    media.answers.clear()  # the signed URL has expired: Pics has its copy
    served = pics.get(f"/creations/1/{STICKER_ID}")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert pixel(served.content) == (200, 0, 0)
    assert "sandbox" in served.headers["content-security-policy"]
    media.api[("GET", "/v1/app/users/1/creations")] = lambda _r: httpx.Response(
        200, json={"creations": [creation(None)]})
    picker = pics.get("/stickers").text
    assert "Wink sticker" in picker and f'src="/creations/1/{STICKER_ID}"' in picker
    pics.cookies.clear()
    assert pics.get(f"/creations/1/{STICKER_ID}").status_code == 404  # signed-in only


def test_a_deleted_creation_is_forgotten_and_its_picture_is_gone(
        pics: TestClient, media: MediaServer) -> None:
    assert added(pics, "msg_1", media.serve("s1", RED)) == 204
    assert pics.get(f"/creations/1/{STICKER_ID}").status_code == 200
    assert deliver(pics, "msg_2", kind="creation.deleted", creation_id=STICKER_ID) == 204
    assert pics.get(f"/creations/1/{STICKER_ID}").status_code == 404
    assert kept_ids(pics) == set()


def test_a_forged_creation_event_is_refused_and_nothing_is_fetched(
        pics: TestClient, media: MediaServer) -> None:
    forged = "whsec_" + base64.b64encode(b"x" * 24).decode()
    body_url = media.serve("s1", RED)
    assert deliver(pics, "msg_1", kind="creation.added", secret=forged,
                   creation=creation(body_url)) == 400
    assert media.asked == [] and kept_ids(pics) == set()


@pytest.mark.parametrize("failure", ["another origin", "not an image", "expired"])
def test_a_picture_that_cannot_be_fetched_is_logged_and_nothing_breaks(
        pics: TestClient, media: MediaServer, caplog: pytest.LogCaptureFixture,
        failure: str) -> None:
    url = {"another origin": "http://169.254.169.254/media/s1",
           "not an image": media.serve("s1", b"<svg onload=alert(1)>"),
           "expired": media.serve("s1", b"{}", status=403)}[failure]
    with caplog.at_level(logging.WARNING, logger="accounts_center_demo.pics"):
        assert added(pics, "msg_1", url) == 204
    assert "was not fetched" in caplog.text
    assert kept_ids(pics) == set()
    assert not any("169.254" in asked for asked in media.asked)
    assert pics.get("/").status_code == 200


def test_an_unreachable_hub_gets_the_event_again(pics: TestClient,
                                                 media: MediaServer) -> None:
    assert added(pics, "msg_1", media.unreachable("s1")) == 503
    assert added(pics, "msg_1", media.serve("s1", RED)) == 204
    assert kept_ids(pics) == {STICKER_ID}


def test_the_picker_asks_the_hub_on_first_open_and_on_refresh(
        pics: TestClient, media: MediaServer) -> None:
    listed = [creation(media.serve("s1", RED))]
    asked: list[str] = []

    def list_creations(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["authorization"][:6])
        return httpx.Response(200, json={"creations": listed})

    media.api[("GET", "/v1/app/users/1/creations")] = list_creations
    assert "Wink sticker" in pics.get("/stickers").text
    assert len(asked) == 1 and kept_ids(pics) == {STICKER_ID}
    pics.get("/stickers")
    assert len(asked) == 1  # once: the events keep it current from then on

    # Deleted while an event was lost, and one added: Refresh brings Pics in line.
    listed[:] = [creation(media.serve("i1", BLUE), IMAGE_ID, "Beach")]
    token = csrf_of(pics.get("/stickers").text)
    page = pics.post("/creations/refresh", data={"csrf_token": token, "next": "/stickers"})
    assert page.url.path == "/stickers"
    assert "up to date with Accounts Center" in page.text
    assert "Beach" in page.text and "Wink sticker" not in page.text
    assert kept_ids(pics) == {IMAGE_ID}
    elsewhere = pics.post("/creations/refresh", data={"csrf_token": token,
                                                      "next": "//evil.test/x"})
    assert elsewhere.url.host == "testserver" and elsewhere.url.path == "/"


@pytest.mark.parametrize(("answer", "message"), [
    (lambda _r: httpx.Response(403, json=NOT_DECLARED,
                               headers={"content-type": "application/problem+json"}),
     "has not declared that it uses your creations"),
    (lambda _r: (_ for _ in ()).throw(httpx.ConnectError("refused")),
     "could not be reached. Showing the stickers kept here"),
])
def test_a_refusing_or_unreachable_hub_keeps_what_the_picker_has(
        pics: TestClient, media: MediaServer, answer: Any, message: str) -> None:
    assert added(pics, "msg_1", media.serve("s1", RED)) == 204
    media.api[("GET", "/v1/app/users/1/creations")] = answer
    token = csrf_of(pics.get("/").text)
    page = pics.post("/creations/refresh", data={"csrf_token": token, "next": "/stickers"})
    assert message in page.text
    assert "Wink sticker" in page.text and kept_ids(pics) == {STICKER_ID}


def test_a_sticker_is_posted_as_a_photo(pics: TestClient, media: MediaServer) -> None:
    assert added(pics, "msg_1", media.serve("s1", RED)) == 204
    media.api[("GET", "/v1/app/users/1/creations")] = lambda _r: httpx.Response(
        200, json={"creations": [creation(None)]})
    token = csrf_of(pics.get("/stickers").text)
    feed = pics.post("/photos/sticker", data={"csrf_token": token, "creation_id": STICKER_ID,
                                              "caption": "Hello"})
    assert feed.url.path == "/"
    src = re.search(r'<img src="(/photos/\d+)" alt="Hello"', feed.text)
    assert src, feed.text
    assert pixel(pics.get(src.group(1)).content) == (200, 0, 0)
    gone = pics.post("/photos/sticker", data={"csrf_token": token, "creation_id": "nope"})
    assert gone.status_code == 404 and "no longer in your creations" in gone.text


def post_photo(client: TestClient, caption: str) -> str:
    token = csrf_of(client.get("/").text)
    client.post("/photos", data={"csrf_token": token, "caption": caption},
                files={"photo": ("p.png", BLUE, "image/png")})
    return token


def test_a_photo_is_saved_to_the_persons_creations(pics: TestClient,
                                                   media: MediaServer) -> None:
    sent: list[bytes] = []

    def add_creation(request: httpx.Request) -> httpx.Response:
        sent.append(request.read())
        return httpx.Response(201, json=creation(media.serve("i1", BLUE), IMAGE_ID, "Beach"))

    media.api[("POST", "/v1/app/users/1/creations")] = add_creation
    token = post_photo(pics, "Beach")
    assert "Save to my Accounts Center creations" in pics.get("/").text
    page = pics.post("/photos/1/save-to-creations", data={"csrf_token": token})
    assert page.status_code == 200
    assert "Saved to your Accounts Center creations as “Beach”." in page.text
    assert len(sent) == 1 and b'name="title"' in sent[0] and BLUE in sent[0]
    assert kept_ids(pics) == {IMAGE_ID}  # the hub tells the other apps, Pics keeps its own


def test_a_refused_save_says_why(pics: TestClient, media: MediaServer) -> None:
    media.api[("POST", "/v1/app/users/1/creations")] = lambda _r: httpx.Response(
        403, json=NOT_DECLARED, headers={"content-type": "application/problem+json"})
    token = post_photo(pics, "Beach")
    page = pics.post("/photos/1/save-to-creations", data={"csrf_token": token})
    assert page.status_code == 403
    assert "Pics has not declared that it uses your creations" in page.text


def test_chat_offers_stickers_in_the_conversation_and_shows_them_to_the_recipient(
        make_client: MakeClient, media: MediaServer) -> None:
    chat = make_client("chat", hub=HUB)
    media.attach(chat)
    sign_up(chat, "+15551230001", "Ada")
    linked(chat)
    assert added(chat, "msg_1", media.serve("s1", RED)) == 204
    media.api[("GET", "/v1/app/users/1/creations")] = lambda _r: httpx.Response(
        200, json={"creations": [creation(None)]})
    token = csrf_of(chat.get("/").text)
    chat.post("/logout", data={"csrf_token": token})
    sign_up(chat, "+15551230002", "Bo")
    page = chat.get("/c/1").text  # Bo's conversation with Ada: his stickers, none yet
    assert "Stickers" in page and "data-sticker" not in page
    # Ada's sticker, named in her encrypted message, is shown to Bo by Chat.
    assert pixel(chat.get(f"/creations/1/{STICKER_ID}").content) == (200, 0, 0)


def test_social_does_not_declare_creations_and_offers_none(
        make_client: MakeClient, media: MediaServer) -> None:
    social = make_client("social", hub=HUB)
    media.attach(social)
    sign_up(social, "ada", "Ada")
    linked(social)
    assert added(social, "msg_1", media.serve("s1", RED)) == 204
    assert media.asked == []  # not fetched: Social keeps no creations
    assert social.get("/stickers").status_code == 404
    assert social.get(f"/creations/1/{STICKER_ID}").status_code == 404
    assert "sticker" not in social.get("/").text.lower()
