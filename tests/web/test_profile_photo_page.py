"""The profile photo in the console (issue 13, points 3 and 7): upload, each refusal shown
next to the file picker (413/422, never a 500), removal, and the upload route's own body
limit."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from starlette.testclient import TestClient

from accounts_center.services.profiles import read_profile
from accounts_center.web.middleware import BodyLimit
from tests.image_files import SVG, encoded, jpeg_with_gps, png_header_claiming
from tests.support import csrf_from
from tests.web.conftest import person_id


def upload(client: TestClient, content: bytes, name: str = "me.jpg",
           media_type: str = "image/jpeg"):
    page = client.get("/profile")
    return client.post("/profile/photo", data={"csrf_token": csrf_from(page.text)},
                       files={"photo": (name, content, media_type)})


def test_an_uploaded_photo_becomes_the_profile_photo_without_exif(hub, person):
    page = person.get("/profile")
    assert 'accept="image/jpeg,image/png,image/webp,image/heic"' in page.text
    answer = upload(person, jpeg_with_gps())
    assert answer.status_code == 303, answer.text
    digest = read_profile(hub, person_id(hub)).photo
    assert digest is not None
    shown = person.get(answer.headers["location"])
    assert f'src="/media/{digest}"' in shown.text
    assert "Your profile photo is saved." in shown.text
    history = shown.text.split('id="history-heading"', 1)[1]
    assert "added" in history and digest not in history  # said in words, not as a digest
    served = person.get(f"/media/{digest}")
    assert served.status_code == 200
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG" and image.size == (256, 256)
    assert not image.getexif()


@pytest.mark.parametrize(("content", "name", "status", "words"), [
    (SVG, "x.svg", 422, "not a JPEG, PNG, WebP or HEIC"),
    (b"hello", "x.jpg", 422, "not a JPEG, PNG, WebP or HEIC"),
    (png_header_claiming(20_000, 20_000), "bomb.png", 413, "pixels"),
    (b"", "empty.jpg", 422, "Choose an image file"),
])
def test_each_refusal_is_said_next_to_the_file_picker(hub, person, content, name, status,
                                                       words):
    answer = upload(person, content, name)
    assert answer.status_code == status, answer.text
    assert 'id="photo-errors"' in answer.text and words in answer.text
    assert 'aria-invalid="true" aria-describedby="photo-errors"' in answer.text
    assert read_profile(hub, person_id(hub)).photo is None


def test_a_file_over_the_media_limit_is_refused_readably(hub, person):
    hub.settings = hub.settings.model_copy(update={"media_max_upload_bytes": 2048})
    answer = upload(person, encoded("PNG", (200, 200), compress_level=0))
    assert answer.status_code == 413
    assert 'id="photo-errors"' in answer.text and "larger than" in answer.text


def test_the_upload_route_takes_bodies_over_the_global_limit(hub, person):
    big = encoded("PNG", (800, 800), compress_level=0)
    assert len(big) > hub.settings.max_body_bytes
    assert upload(person, big, "big.png", "image/png").status_code == 303
    too_big_elsewhere = person.post("/profile", content=b"x" * (len(big)),
                                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert too_big_elsewhere.status_code == 413


def test_no_csrf_no_upload(person):
    answer = person.post("/profile/photo", files={"photo": ("a.jpg", jpeg_with_gps(),
                                                            "image/jpeg")})
    assert answer.status_code == 403


def test_remove_photo(hub, person):
    upload(person, jpeg_with_gps())
    page = person.get("/profile")
    assert "Remove photo" in page.text
    removed = person.post("/profile/photo/remove", data={"csrf_token": csrf_from(page.text)})
    assert removed.status_code == 303
    assert read_profile(hub, person_id(hub)).photo is None
    after = person.get("/profile").text
    assert "You have no profile photo." in after
    assert "removed" in after.split('id="history-heading"', 1)[1]


async def _echo(scope, receive, send):
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


@pytest.mark.parametrize(("path", "size", "status"), [
    ("/big", 5000, 200), ("/big", 5001, 413), ("/other", 1001, 413), ("/other", 1000, 200),
    ("/big/x", 1001, 413),
])
def test_body_limit_per_path(path, size, status):
    limited = BodyLimit(_echo, max_bytes=1000, per_path={"/big": 5000})
    client = TestClient(limited)  # no lifespan: the bare app answers only HTTP
    assert client.post(path, content=b"x" * size).status_code == status
