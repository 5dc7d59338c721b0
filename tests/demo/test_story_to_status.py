"""Cross-posting back, Story → Status (issue 14 point 8; the direction is the operator's to
open): Pics offers the destinations the hub returns for a Story and sends a Story with a
photo to the ticked ones; Chat shows a Status another app shared and drops it on
``crosspost.deleted`` or ``crosspost.expired``; deleting such a copy tells the hub rather
than deleting the post. Social takes Stories only. A database an older demo made gains the
new column when the app starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from tests.demo.conftest import MakeClient, csrf_of, linked_app, sign_up
from tests.demo.hub_standin import MediaServer, deliver
from tests.demo.test_creations import pixel
from tests.demo.test_crossposts import (
    DESTINATIONS,
    POST_ID,
    accept,
    created,
    destination,
    offer,
    post_status,
    reports,
)

SHARED = "shared from another app through Accounts Center"


def test_pics_sends_a_story_with_a_photo_to_chats_status(pics: TestClient,
                                                          media: MediaServer) -> None:
    offer(media, destination("d-chat", "Chat", "ask", "status"))
    sent = accept(media)
    page = pics.get("/stories").text
    assert 'name="share_to" value="d-chat"' in page and "Chat Status" in page
    assert any(f"{DESTINATIONS}?type=story" in url for url in media.asked)
    answer = post_status(pics, text="Harbour", share_to=("d-chat",), path="/stories")
    assert answer.status_code == 200 and "wasn't shared" not in answer.text
    assert len(sent) == 1
    assert sent[0]["type"] == "story" and sent[0]["destinations"] == ["d-chat"]
    assert sent[0]["caption"] == "Harbour"
    # Her own Story, not a copy: deleting it deletes the cross-post at the hub.
    assert SHARED not in answer.text
    deleted: list[str] = []
    copies = reports(media)

    def delete(request: httpx.Request) -> httpx.Response:
        deleted.append(request.url.path)
        return httpx.Response(404, json={"type": "https://accounts-center.dev/problems/"
                                         "crosspost/not-found", "status": 404,
                                         "title": "No such cross-post"},
                              headers={"content-type": "application/problem+json"})
    media.api[("DELETE", f"/v1/app/crossposts/{POST_ID}")] = delete
    gone = pics.post("/stories/1/delete", data={"csrf_token": csrf_of(answer.text)})
    assert gone.status_code == 200 and "Harbour" not in gone.text
    assert deleted == [f"/v1/app/crossposts/{POST_ID}"] and copies == []


def test_an_own_story_the_person_deleted_everywhere_leaves_pics(pics: TestClient,
                                                                media: MediaServer) -> None:
    offer(media, destination("d-chat", "Chat", "ask", "status"))
    accept(media)
    post_status(pics, text="Harbour", share_to=("d-chat",), path="/stories")
    # Its post ending by expiry is the copies' business: her own Story stays.
    assert deliver(pics, "msg_expired", kind="crosspost.expired", crosspost_id=POST_ID,
                   post_type="story") == 204
    assert "Harbour" in pics.get("/stories").text
    # Deleted everywhere from the hub's console: her own Story goes too.
    assert deliver(pics, "msg_everywhere", kind="crosspost.deleted",
                   crosspost_id=POST_ID, post_type="story") == 204
    assert "Harbour" not in pics.get("/stories").text


def test_a_story_without_a_ticked_destination_stays_in_pics(pics: TestClient,
                                                            media: MediaServer) -> None:
    offer(media, destination("d-chat", "Chat", "ask", "status"))
    sent = accept(media)
    answer = post_status(pics, text="Only here", path="/stories")
    assert answer.status_code == 200 and "Only here" in answer.text
    assert sent == []


@pytest.mark.parametrize("removal", ["crosspost.deleted", "crosspost.expired"])
def test_chat_shows_a_status_shared_from_another_app_and_drops_it(
        chat: TestClient, media: MediaServer, removal: str) -> None:
    made = reports(media)
    assert created(chat, media, post_type="status", caption="Harbour") == 204
    assert made == [{"state": "created", "item_id": "1"}]
    page = chat.get("/status").text
    assert "Harbour" in page and SHARED in page
    assert pixel(chat.get("/status/1/photo").content) == (0, 0, 200)
    assert deliver(chat, "msg_gone", kind=removal, crosspost_id=POST_ID,
                   post_type="status") == 204
    page = chat.get("/status").text
    assert "Harbour" not in page and chat.get("/status/1/photo").status_code == 404


def test_deleting_a_shared_status_in_chat_tells_the_hub_the_copy_is_deleted(
        chat: TestClient, media: MediaServer) -> None:
    made = reports(media)
    created(chat, media, post_type="status", caption="Harbour")
    gone = chat.post("/status/1/delete", data={"csrf_token": csrf_of(chat.get("/status").text)})
    assert gone.status_code == 200 and "Harbour" not in gone.text
    assert made[-1] == {"state": "deleted", "item_id": "1"}
    # The post is the source app's: Chat does not delete it.
    assert not any(url.endswith(f"/crossposts/{POST_ID}") for url in media.asked)


def test_social_takes_stories_only_and_offers_no_sharing(make_client: MakeClient,
                                                         media: MediaServer) -> None:
    social = linked_app(make_client, media, "social", "ada")
    made = reports(media)
    assert created(social, media, post_type="status", caption="Harbour") == 204
    assert made == [] and not any("/media/" in url for url in media.asked)
    page = social.get("/stories").text
    assert "Harbour" not in page and 'name="share_to"' not in page
    assert not any(DESTINATIONS in url for url in media.asked)


def test_a_database_an_older_demo_made_gains_the_new_column(make_client: MakeClient,
                                                            tmp_path: Path) -> None:
    # Chat's Status table as the demo made it before cross-posts could come back to Chat.
    tmp_path.joinpath("chat").mkdir()
    with sqlite3.connect(tmp_path / "chat" / "chat.db") as db:
        db.execute("CREATE TABLE statuses (id INTEGER PRIMARY KEY, text VARCHAR(500) NOT NULL,"
                   " created_at DATETIME NOT NULL, media_type VARCHAR(20), photo BLOB,"
                   " crosspost_id VARCHAR(100), user_id INTEGER NOT NULL)")
    chat = make_client("chat")
    sign_up(chat, "+15550100")
    answer = post_status(chat, text="Still works", photo=None)
    assert answer.status_code == 200 and "Still works" in answer.text
