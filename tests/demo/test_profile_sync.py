"""`profile.updated` in an app: the synced name replaces the app's own, a photo or an
avatar is downloaded at once from the hub's signed URL and served from the app's own
origin; a cleared field goes back to the app's own name or the default picture; a URL
that fails never breaks the app, and what it showed stays."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient

from accounts_center_demo.family.models import DEFAULT_PICTURE, AppliedWebhook, SyncedField
from tests.demo.conftest import MakeClient, sign_up
from tests.demo.hub_standin import BLUE, EARLIER, HUB, LATER, RED, MediaServer, deliver


@pytest.fixture
def media() -> MediaServer:
    return MediaServer()


@pytest.fixture
def app(make_client: MakeClient, media: MediaServer) -> Iterator[TestClient]:
    client = make_client("social", hub=HUB)
    media.attach(client)
    sign_up(client, "ada", "Ada")
    yield client


def update(client: TestClient, webhook_id: str, field: str, value: Any,
           media_url: str | None = None, updated_at: str = LATER) -> int:
    return deliver(client, webhook_id, field=field, value=value, media_url=media_url,
                   updated_at=updated_at)


def header_picture(client: TestClient) -> str:
    page = client.get("/settings").text
    return page.split('id="me-picture"', 1)[0].rsplit('src="', 1)[1].split('"', 1)[0]


def pixel(content: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(content)) as image:
        return tuple(image.convert("RGB").getpixel((10, 10)))


def test_the_synced_name_is_shown_and_a_cleared_one_gives_back_the_apps_own(
        app: TestClient) -> None:
    assert update(app, "msg_1", "name", "Ada Lovelace") == 204
    token = app.get("/").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    app.post("/posts", data={"csrf_token": token, "text": "Hello"})
    feed = app.get("/").text
    assert "<strong>Ada Lovelace</strong> @ada" in feed
    assert 'class="me-name">Ada Lovelace<' in feed
    assert "the name you gave Social: Ada" in app.get("/settings").text

    assert update(app, "msg_2", "name", None, updated_at="2026-11-27T12:00:00+00:00") == 204
    assert "<strong>Ada</strong> @ada" in app.get("/").text


def test_an_avatar_is_downloaded_at_once_and_served_from_the_apps_own_origin(
        app: TestClient, media: MediaServer) -> None:
    assert header_picture(app) == DEFAULT_PICTURE
    url = media.serve("a1", RED)
    assert update(app, "msg_1", "avatar", {"eyes": "wink"}, url) == 204
    assert media.asked == [url]

    src = header_picture(app)
    assert src.startswith("/people/1/avatar?v=")
    media.answers.clear()  # the signed URL has expired: the app still has the picture
    served = app.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert pixel(served.content) == (200, 0, 0)
    assert "sandbox" in served.headers["content-security-policy"]
    assert served.headers["etag"] == f'"{hashlib.sha256(served.content).hexdigest()}"'
    assert len(media.asked) == 1


def test_the_avatar_is_shown_before_the_photo_and_clearing_each_falls_back(
        app: TestClient, media: MediaServer) -> None:
    assert update(app, "msg_1", "photo", "digest-of-photo", media.serve("p", BLUE)) == 204
    assert header_picture(app).startswith("/people/1/photo?v=")
    assert update(app, "msg_2", "avatar", {"eyes": "wink"}, media.serve("a", RED)) == 204
    assert header_picture(app).startswith("/people/1/avatar?v=")
    settings = app.get("/settings").text
    assert 'alt="Your photo from Accounts Center"' in settings
    assert 'alt="Your avatar from Accounts Center"' in settings

    assert update(app, "msg_3", "avatar", None, updated_at="2026-11-27T12:00:00+00:00") == 204
    assert header_picture(app).startswith("/people/1/photo?v=")
    assert update(app, "msg_4", "photo", None, updated_at="2026-11-27T12:00:00+00:00") == 204
    assert header_picture(app) == DEFAULT_PICTURE
    assert app.get("/people/1/photo").status_code == 404
    assert "removed in Accounts Center" in app.get("/settings").text


@pytest.mark.parametrize("failure", ["expired", "not an image", "another origin", "no url"])
def test_a_picture_that_cannot_be_fetched_keeps_the_one_shown(
        app: TestClient, media: MediaServer, caplog: pytest.LogCaptureFixture,
        failure: str) -> None:
    assert update(app, "msg_1", "avatar", {"eyes": "wink"}, media.serve("a1", RED),
                  updated_at=EARLIER) == 204
    before = header_picture(app)
    url = {"expired": media.serve("a2", b'{"title": "expired"}', status=403),
           "not an image": media.serve("a2", b"<svg onload=alert(1)>"),
           "another origin": "http://169.254.169.254/media/a2",
           "no url": None}[failure]
    with caplog.at_level(logging.WARNING, logger="accounts_center_demo.social"):
        assert update(app, "msg_2", "avatar", {"eyes": "default"}, url) == 204
    assert header_picture(app) == before
    assert pixel(app.get(before).content) == (200, 0, 0)
    assert "was not fetched" in caplog.text
    assert not any("169.254" in asked for asked in media.asked)


def test_an_unreachable_hub_gets_the_event_again_and_then_it_applies(
        app: TestClient, media: MediaServer) -> None:
    assert update(app, "msg_1", "avatar", {"eyes": "wink"}, media.unreachable("a1")) == 503
    store = app.app.state.family.store  # type: ignore[attr-defined]
    with store.session() as db:
        assert db.get(AppliedWebhook, "msg_1") is None  # not applied: the hub retries
    assert header_picture(app) == DEFAULT_PICTURE
    assert update(app, "msg_1", "avatar", {"eyes": "wink"}, media.serve("a1", RED)) == 204
    assert header_picture(app).startswith("/people/1/avatar?v=")


def test_a_late_delivery_of_an_older_value_does_not_undo_a_newer_one(
        app: TestClient, media: MediaServer) -> None:
    assert update(app, "msg_2", "name", "Ada Lovelace", updated_at=LATER) == 204
    assert update(app, "msg_1", "name", "Ada Byron", updated_at=EARLIER) == 204
    assert update(app, "msg_3", "avatar", {"eyes": "wink"}, media.serve("new", RED)) == 204
    assert update(app, "msg_4", "avatar", {"eyes": "default"}, media.serve("old", BLUE),
                  updated_at=EARLIER) == 204
    assert 'class="me-name">Ada Lovelace<' in app.get("/").text
    assert pixel(app.get(header_picture(app)).content) == (200, 0, 0)


def test_a_forged_profile_update_changes_nothing(app: TestClient, media: MediaServer) -> None:
    forged = "whsec_" + base64.b64encode(b"x" * 24).decode()
    assert deliver(app, "msg_1", secret=forged, field="name", value="Mallory",
                   media_url=None, updated_at=LATER) == 400
    assert deliver(app, "msg_2", secret=forged, field="avatar", value={},
                   media_url=media.serve("a", RED), updated_at=LATER) == 400
    assert media.asked == []
    assert 'class="me-name">Ada<' in app.get("/").text


def test_an_erasure_in_the_hub_forgets_what_was_synced(app: TestClient,
                                                       media: MediaServer) -> None:
    update(app, "msg_1", "name", "Ada Lovelace")
    update(app, "msg_2", "avatar", {"eyes": "wink"}, media.serve("a", RED))
    assert deliver(app, "msg_3", kind="data.erasure_requested",
                   categories=["avatar", "account_details"]) == 204
    assert header_picture(app) == DEFAULT_PICTURE
    assert 'class="me-name">Ada<' in app.get("/").text
    store = app.app.state.family.store  # type: ignore[attr-defined]
    with store.session() as db:
        assert db.query(SyncedField).count() == 0


def test_pictures_are_served_to_people_signed_in_only(app: TestClient,
                                                      media: MediaServer) -> None:
    update(app, "msg_1", "photo", "digest", media.serve("p", BLUE))
    src = header_picture(app)
    assert app.get(src).status_code == 200
    app.cookies.clear()
    assert app.get(src).status_code == 404


def test_an_update_for_someone_unknown_is_accepted_and_ignored(app: TestClient) -> None:
    body_time = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    assert deliver(app, "msg_1", app_user_id="99", field="name", value="Who",
                   media_url=None, updated_at=body_time) == 204
    assert 'class="me-name">Ada<' in app.get("/").text
