"""GET /media/{digest} (issue 13, point 6): the owner sees their media, an app only what
it was granted, a signed URL only for its app and only until it expires; everyone else
gets the same 404 whether the blob exists or not."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import create_engine, delete
from starlette.testclient import TestClient

from accounts_center.services.media import grant_media, revoke_media_grants, signed_media_url
from accounts_center.services.member_apps import register_app
from accounts_center.services.profile_photos import set_profile_photo
from accounts_center.store.base import table_of
from accounts_center.store.media import Media
from accounts_center.store.media_models import MediaGrantRow
from accounts_center.web.app import create_app
from accounts_center.web.media_routes import SignedMediaFastPath
from tests.image_files import jpeg_with_gps
from tests.web.conftest import person_id, sign_up_through_form

UNKNOWN = "0" * 64


@pytest.fixture
def photo(hub, person):
    """The logged-in person's profile photo."""
    return set_profile_photo(hub, person_id(hub), jpeg_with_gps())


@pytest.fixture
def stranger(hub):
    with TestClient(create_app(hub), base_url="http://testserver",
                    follow_redirects=False) as client:
        yield client


@pytest.fixture
def pics(hub):
    return register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/h")


@pytest.fixture
def chat(hub):
    return register_app(hub, "Chat", ["https://chat.example/cb"], "https://chat.example/h")


def basic(credentials) -> dict[str, str]:
    token = base64.b64encode(
        f"{credentials.app.client_id}:{credentials.client_secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def grant(hub, digest: str, app_id: str) -> None:
    with hub.unit_of_work() as uow:
        grant_media(uow, digest, app_id)
        uow.commit()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "No such media, or not yours to see."


def test_the_owner_gets_the_photo_with_immutable_private_caching(person, photo):
    response = person.get(f"/media/{photo.medium}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["etag"] == f'"{photo.medium}"'
    assert response.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.content[:3] == b"\xff\xd8\xff"


def test_a_cached_copy_is_confirmed_with_304(person, photo):
    response = person.get(f"/media/{photo.small}",
                          headers={"If-None-Match": f'"{photo.small}"'})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == f'"{photo.small}"'
    changed = person.get(f"/media/{photo.small}", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


def test_another_person_gets_the_same_404_as_for_nothing(person, photo, stranger):
    sign_up_through_form(stranger, "bob@example.com")
    assert_not_found(stranger.get(f"/media/{photo.large}"))
    assert_not_found(stranger.get(f"/media/{UNKNOWN}"))


def test_nobody_logged_in_gets_404(photo, stranger):
    assert_not_found(stranger.get(f"/media/{photo.large}"))


@pytest.mark.parametrize("digest", ["xyz", "A" * 64, "0" * 63, "é" * 64, "a" * 200])
def test_a_malformed_digest_is_a_404_not_an_error(person, digest):
    assert_not_found(person.get(f"/media/{digest}"))


def test_control_characters_are_refused_as_a_problem(person):
    response = person.get("/media/%00%00")  # the hub's rule for every address
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("query", ["exp=abc&app=x&sig=y", "exp=%C2%B2&app=x&sig=y",
                                   "exp=99999999999999&app=x&sig=y", "exp=-1&app=x&sig=y",
                                   "sig=" + "a" * 300])
def test_a_garbled_signed_url_is_a_problem_not_an_error(person, photo, query):
    response = person.get(f"/media/{photo.small}?{query}")
    assert response.status_code in (403, 422)
    assert response.headers["content-type"] == "application/problem+json"


def test_a_signed_url_works_for_its_app_until_it_expires(hub, clock, photo, pics, stranger):
    grant(hub, photo.medium, pics.app.id)
    url = signed_media_url(hub, photo.medium, pics.app.client_id, timedelta(minutes=5))
    assert url.startswith(f"{hub.settings.issuer}/media/{photo.medium}?")

    response = stranger.get(path_of(url))
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, max-age=300, immutable"

    clock.advance(minutes=5, seconds=1)
    expired = stranger.get(path_of(url))
    assert expired.status_code == 403
    assert "expired" in expired.json()["detail"]


def test_a_signed_url_is_refused_for_another_app_or_when_tampered(hub, photo, pics, chat,
                                                                  stranger):
    grant(hub, photo.medium, pics.app.id)
    grant(hub, photo.medium, chat.app.id)
    url = signed_media_url(hub, photo.medium, pics.app.client_id, timedelta(minutes=5))
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

    other_sig = ("B" if query["sig"][0] == "A" else "A") + query["sig"][1:]
    for changed in ({"app": chat.app.client_id}, {"sig": other_sig},
                    {"exp": str(int(query["exp"]) + 3600)}, {"sig": ""}):
        response = stranger.get(f"/media/{photo.medium}?{urlencode({**query, **changed})}")
        assert response.status_code == 403, changed
        assert response.headers["content-type"] == "application/problem+json"
    other_blob = stranger.get(f"/media/{photo.large}?{urlencode(query)}")
    assert other_blob.status_code == 403
    incomplete = stranger.get(f"/media/{photo.medium}?app={pics.app.client_id}")
    assert incomplete.status_code == 403


def test_a_signed_url_is_honoured_only_while_the_grant_stands(hub, photo, pics, stranger):
    url = signed_media_url(hub, photo.medium, pics.app.client_id, timedelta(minutes=5))
    assert_not_found(stranger.get(path_of(url)))  # never granted
    grant(hub, photo.medium, pics.app.id)
    assert stranger.get(path_of(url)).status_code == 200
    with hub.unit_of_work() as uow:
        revoke_media_grants(uow, person_id(hub), pics.app.id)
        uow.commit()
    assert_not_found(stranger.get(path_of(url)))


def test_signed_urls_live_an_hour_at_most(hub, photo, pics):
    url = signed_media_url(hub, photo.medium, pics.app.client_id, timedelta(days=30))
    expires = int(parse_qs(urlsplit(url).query)["exp"][0])
    assert expires == int(hub.clock.now().timestamp()) + 3600


def test_an_app_fetches_with_its_credentials_only_what_it_was_granted(hub, photo, pics, chat,
                                                                     stranger):
    assert_not_found(stranger.get(f"/media/{photo.small}", headers=basic(pics)))
    grant(hub, photo.small, pics.app.id)
    response = stranger.get(f"/media/{photo.small}", headers=basic(pics))
    assert response.status_code == 200 and response.content[:3] == b"\xff\xd8\xff"
    assert_not_found(stranger.get(f"/media/{photo.small}", headers=basic(chat)))
    assert_not_found(stranger.get(f"/media/{photo.large}", headers=basic(pics)))


def test_wrong_client_credentials_are_refused(hub, photo, pics, stranger):
    grant(hub, photo.small, pics.app.id)
    token = base64.b64encode(f"{pics.app.client_id}:wrong".encode()).decode()
    response = stranger.get(f"/media/{photo.small}", headers={"Authorization": f"Basic {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")


def test_granting_media_nobody_owns_is_refused(hub, pics):
    from accounts_center.domain.errors import NotFound

    with hub.unit_of_work() as uow, pytest.raises(NotFound):
        grant_media(uow, UNKNOWN, pics.app.id)


def test_a_cached_blob_is_not_served_once_another_process_revoked_its_grant(
        hub, photo, pics, stranger):
    grant(hub, photo.medium, pics.app.id)
    url = path_of(signed_media_url(hub, photo.medium, pics.app.client_id,
                                   timedelta(minutes=5)))
    assert stranger.get(url).status_code == 200  # its bytes are now in this process
    # Another hub process unlinks: nothing in this process hears of it.
    other = create_engine(hub.settings.database_url)
    with other.begin() as connection:
        connection.execute(delete(table_of(MediaGrantRow)))
    other.dispose()
    assert_not_found(stranger.get(url))


def test_a_cached_blob_is_checked_every_time_but_its_bytes_are_read_once(
        hub, photo, pics, stranger, monkeypatch):
    grant(hub, photo.medium, pics.app.id)
    url = path_of(signed_media_url(hub, photo.medium, pics.app.client_id,
                                   timedelta(minutes=5)))
    checks, reads = [], []
    check, read = Media.type_if_granted_to_client, Media.content
    monkeypatch.setattr(Media, "type_if_granted_to_client",
                        staticmethod(lambda *a: checks.append(a) or check(*a)))
    monkeypatch.setattr(Media, "content", staticmethod(lambda *a: reads.append(a) or read(*a)))
    first, second = stranger.get(url), stranger.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content[:3] == b"\xff\xd8\xff"
    assert len(checks) == 2 and len(reads) == 1


def test_a_signed_url_is_answered_alike_with_or_without_the_fast_path(hub, photo, pics,
                                                                      stranger, monkeypatch):
    grant(hub, photo.medium, pics.app.id)
    url = path_of(signed_media_url(hub, photo.medium, pics.app.client_id,
                                   timedelta(minutes=5)))
    answered = []
    signed = SignedMediaFastPath._signed

    async def spy(self, scope):
        response = await signed(self, scope)
        answered.append(response is not None)
        return response

    monkeypatch.setattr(SignedMediaFastPath, "_signed", spy)
    fast = stranger.get(url)
    routed = stranger.get(f"{url}&also=1")  # not the exact shape: FastAPI's route
    assert answered == [True, False]
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content
    assert dict(fast.headers) == dict(routed.headers)
    etag = {"If-None-Match": fast.headers["etag"]}
    fast, routed = stranger.get(url, headers=etag), stranger.get(f"{url}&also=1", headers=etag)
    assert fast.status_code == routed.status_code == 304
    assert dict(fast.headers) == dict(routed.headers)
