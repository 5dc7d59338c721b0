"""What apps receive of the photo and the avatar (issue 13, points 3, 4, 7): an allowed
`profile.updated` or profile read grants the media to the app and carries a signed URL
for it (the photo's 256 px JPEG, the avatar's 256 px PNG); an app without sync gets
nothing; unlinking revokes every grant at once."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from accounts_center.domain.avatar import DEFAULT_AVATAR
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services import profile_photos
from accounts_center.services.links import list_links, unlink_account
from accounts_center.services.member_apps import register_app
from accounts_center.services.profiles import set_profile_avatar, set_profile_photo
from accounts_center.store.outbox_models import OutboxEventRow
from tests.image_files import jpeg_with_gps
from tests.oidc.conftest import App
from tests.oidc.test_app_profile_api import link_with_sync, person_of


@pytest.fixture
def album(hub, client) -> App:
    credentials = register_app(
        hub, "Album", ["https://album.example/cb"], "https://album.example/hooks",
        {"receives": ["account_details", "profile_photo", "avatar"]})
    return App(client, credentials, redirect_uri="https://album.example/cb")


def sent_to(hub, app: App) -> list[dict]:
    with hub.unit_of_work() as uow:
        return [row.payload for row in uow.session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.type == "profile.updated",
            OutboxEventRow.app_id == app.credentials.app.id))]


def fetch(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_synced_app_gets_the_photo_with_a_working_signed_url(hub, album, visitor):
    visitor.sign_up()
    link_with_sync(album, visitor, "album-ada", ["photo"])
    photo = profile_photos.set_profile_photo(hub, person_of(hub), jpeg_with_gps())
    set_profile_photo(hub, person_of(hub), photo.medium)
    [event] = [p for p in sent_to(hub, album) if p["field"] == "photo"]
    assert event["value"] == photo.medium and event["media_url"]
    answer = fetch(album.client, event["media_url"])
    assert answer.status_code == 200
    image = Image.open(io.BytesIO(answer.content))
    assert image.format == "JPEG" and image.size == (256, 256) and not image.getexif()
    read = album.client.get("/v1/app/users/album-ada/profile", auth=album.auth).json()
    assert read["profile"]["photo"] == photo.medium
    assert fetch(album.client, read["profile"]["photo_url"]).status_code == 200


def test_an_app_without_photo_sync_gets_nothing(hub, album, visitor):
    visitor.sign_up()
    link_with_sync(album, visitor, "album-ada", ["name"])
    photo = profile_photos.set_profile_photo(hub, person_of(hub), jpeg_with_gps())
    set_profile_photo(hub, person_of(hub), photo.medium)
    assert sent_to(hub, album) == []
    read = album.client.get("/v1/app/users/album-ada/profile", auth=album.auth).json()
    assert "photo" not in read["profile"] and "photo_url" not in read["profile"]
    assert album.client.get(f"/media/{photo.medium}", auth=album.auth).status_code == 404


def test_the_avatar_comes_with_a_png_url(hub, album, visitor):
    visitor.sign_up()
    link_with_sync(album, visitor, "album-ada", ["avatar"])
    set_profile_avatar(hub, person_of(hub), DEFAULT_AVATAR.to_document())
    [event] = sent_to(hub, album)
    assert event["field"] == "avatar" and event["value"] == DEFAULT_AVATAR.to_document()
    answer = fetch(album.client, event["media_url"])
    assert answer.status_code == 200 and answer.content.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(answer.content)).size == (256, 256)
    read = album.client.get("/v1/app/users/album-ada/profile", auth=album.auth).json()
    assert fetch(album.client, read["profile"]["avatar_url"]).status_code == 200


def test_an_app_written_photo_naming_media_the_person_does_not_own_grants_nothing(
        hub, album, visitor):
    visitor.sign_up()
    link_with_sync(album, visitor, "album-ada", ["photo"])
    set_profile_photo(hub, person_of(hub), "a" * 64)
    [event] = sent_to(hub, album)
    assert event["value"] == "a" * 64 and event["media_url"] is None


@pytest.mark.parametrize("by", ["person", "app"])
def test_unlinking_stops_a_signed_url_minted_before_it(hub, album, visitor, by):
    visitor.sign_up()
    link_with_sync(album, visitor, "album-ada", ["photo"])
    identity_id = person_of(hub)
    photo = profile_photos.set_profile_photo(hub, identity_id, jpeg_with_gps())
    set_profile_photo(hub, identity_id, photo.medium)
    url = sent_to(hub, album)[0]["media_url"]
    assert fetch(album.client, url).status_code == 200
    if by == "app":
        assert album.client.delete("/v1/app/links/album-ada",
                                   auth=album.auth).status_code == 204
    else:
        [view] = list_links(hub, identity_id)
        unlink_account(hub, identity_id, view.id, RequestOrigin("203.0.113.5", "Firefox"))
    assert fetch(album.client, url).status_code == 404
    assert album.client.get(f"/media/{photo.medium}", auth=album.auth).status_code == 404
