"""Feeds, photos and 24-hour Stories/Status, with no hub."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from accounts_center_demo.family.store import utcnow
from accounts_center_demo.pics.images import MAX_PHOTO_BYTES, sniff_image_type
from tests.demo.conftest import MakeClient, sign_up

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_social_posts_are_escaped_and_listed(make_client: MakeClient) -> None:
    client = make_client("social")
    token = sign_up(client, "ada")
    page = client.post("/posts", data={"csrf_token": token, "text": "<script>x</script>"})
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text
    empty = client.post("/posts", data={"csrf_token": token, "text": "   "})
    assert empty.status_code == 422 and "Write 1 to" in empty.text


def test_a_photo_is_kept_and_served_as_the_type_its_bytes_show(make_client: MakeClient) -> None:
    client = make_client("pics")
    token = sign_up(client, "ada")
    page = client.post("/photos", data={"csrf_token": token, "caption": "sunset"},
                       files={"photo": ("a.txt", PNG, "text/plain")})
    assert "sunset" in page.text
    served = client.get("/photos/1")
    assert served.content == PNG and served.headers["content-type"] == "image/png"


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF8 not really", "not a PNG, JPEG, WebP or GIF"),
    (b"<svg onload=alert(1)>", "not a PNG, JPEG, WebP or GIF"),
    (PNG + b"\x00" * MAX_PHOTO_BYTES, "larger than 5 MB"),
])
def test_what_is_not_a_photo_is_refused_with_a_reason(make_client: MakeClient, data: bytes,
                                                      message: str) -> None:
    client = make_client("pics")
    token = sign_up(client, "ada")
    answer = client.post("/photos", data={"csrf_token": token},
                         files={"photo": ("x.png", data, "image/png")})
    assert answer.status_code == 422 and message in answer.text


def test_image_types_are_told_by_magic_bytes() -> None:
    assert sniff_image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_image_type(b"GIF89a") == "image/gif"
    assert sniff_image_type(b"RIFF\x00\x00\x00\x00WAVE") is None


@pytest.mark.parametrize(("slug", "login", "path"), [("chat", "+15551234567", "/status"),
                                                     ("pics", "ada", "/stories"),
                                                     ("social", "ada", "/stories")])
def test_stories_and_status_disappear_after_24_hours(make_client: MakeClient, slug: str,
                                                     login: str, path: str) -> None:
    client = make_client(slug)
    token = sign_up(client, login)
    client.post(path, data={"csrf_token": token, "text": "fresh one"})
    client.post(path, data={"csrf_token": token, "text": "old one"})
    store = client.app.state.family.store  # type: ignore[attr-defined]
    table = {"chat": "statuses", "pics": "pics_stories", "social": "social_stories"}[slug]
    with store.session() as db:
        db.execute(text(f"UPDATE {table} SET created_at = :then WHERE text = 'old one'"),  # noqa: S608
                   {"then": utcnow() - timedelta(hours=24, minutes=1)})
    page = client.get(path).text
    assert "fresh one" in page and "old one" not in page
    client.post(path, data={"csrf_token": token, "text": "another"})
    with store.session() as db:
        left = db.execute(text(f"SELECT text FROM {table}")).all()  # noqa: S608
    assert {r[0] for r in left} == {"fresh one", "another"}  # the expired one was pruned
