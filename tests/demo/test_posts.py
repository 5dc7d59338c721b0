"""Feeds, photos and 24-hour Stories/Status, with no hub."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import text

from accounts_center_demo.family.images import MAX_PHOTO_BYTES, sniff_image_type
from accounts_center_demo.family.store import utcnow
from tests.demo.conftest import MakeClient, sign_up


def image_bytes(fmt: str, size: tuple[int, int] = (4, 3), **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, format=fmt, **save)
    return out.getvalue()


PNG = image_bytes("PNG")


def claiming(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its header claiming another size (a decompression bomb's trick)."""
    header = b"IHDR" + struct.pack(">II", width, height) + png[24:29]
    return png[:12] + header + struct.pack(">I", zlib.crc32(header)) + png[33:]


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
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (4, 3)


def test_a_photo_keeps_its_pixels_and_loses_its_location_and_camera(
        make_client: MakeClient) -> None:
    exif = Image.Exif()
    exif[0x0110] = "Pixel 9"  # camera model
    exif[0x0112] = 6  # orientation: turned 90°
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}  # GPS
    original = image_bytes("JPEG", (40, 20), exif=exif.tobytes())
    assert b"Pixel 9" in original and Image.open(io.BytesIO(original)).getexif()
    client = make_client("pics")
    token = sign_up(client, "ada")
    client.post("/photos", data={"csrf_token": token},
                files={"photo": ("p.jpg", original, "image/jpeg")})
    served = client.get("/photos/1").content
    kept = Image.open(io.BytesIO(served))
    assert kept.format == "JPEG" and not kept.getexif() and b"Pixel 9" not in served
    assert kept.size == (20, 40)  # drawn upright before the orientation tag went


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF8 not really", "not a PNG, JPEG, WebP or GIF"),
    (b"<svg onload=alert(1)>", "not a PNG, JPEG, WebP or GIF"),
    (PNG + b"\x00" * MAX_PHOTO_BYTES, "larger than 5 MB"),
    (PNG[:40], "could not be read"),
    (claiming(PNG, 100_000, 100_000), "could not be read"),
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
