"""The creations library's use cases (issue 13, points 5 and 7): stickers from the avatar,
uploaded images without metadata, hide/show/delete told to the apps that declare
creations (and no other), media grants revoked when a creation is gone for apps, every
change ledgered, and the archive holding the files."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select

from accounts_center.domain.avatar import DEFAULT_AVATAR
from accounts_center.domain.errors import (
    CreationNotFound,
    InvalidInput,
    NotAnImage,
    NotFound,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.creations import (
    NoAvatarYet,
    delete_creation,
    list_creations,
    make_sticker,
    set_hidden,
    upload_creation,
)
from accounts_center.services.media import grant_media, media_for_app
from accounts_center.services.member_apps import register_app, show_app
from accounts_center.services.profile_photos import set_profile_photo
from accounts_center.services.profiles import set_profile_avatar
from accounts_center.services.profiles import set_profile_photo as set_photo_digest
from accounts_center.services.sign_up import sign_up
from accounts_center.services.your_information import build_archive
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.privacy_models import LedgerEntryRow
from tests.image_files import encoded, jpeg_with_gps
from tests.support import link_now

ORIGIN = RequestOrigin("127.0.0.1", "test")


@pytest.fixture
def world(hub):
    """Ada, linked to Pics and Social (both declare creations) and Chat (does not)."""
    apps = {
        "pics": register_app(hub, "Pics", ["https://pics.example/cb"],
                             "https://pics.example/h", {"creations": True}).app,
        "social": register_app(hub, "Social", ["https://social.example/cb"],
                               "https://social.example/h",
                               {"receives": ["account_details"], "creations": True}).app,
        "chat": register_app(hub, "Chat", ["https://chat.example/cb"],
                             "https://chat.example/h", {"receives": ["account_details"]}).app,
    }
    person = sign_up(hub, "ada@example.com", "correct horse battery", ORIGIN).identity_id
    with hub.unit_of_work() as uow:
        for name, app in apps.items():
            link_now(uow, hub, person, uow.member_apps.by_id(app.id), f"{name}-ada")
        uow.commit()
    return {"person": person, **{name: show_app(hub, app.name) for name, app in apps.items()}}


def events(hub, kind):
    with hub.unit_of_work() as uow:
        rows = uow.session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.type == kind).order_by(OutboxEventRow.seq)).all()
        return [(row.app_id, row.payload) for row in rows]


def ledger(hub, person, kind):
    with hub.unit_of_work() as uow:
        return [row.body for row in uow.session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.identity_id == person, LedgerEntryRow.kind == kind)
            .order_by(LedgerEntryRow.seq))]


def test_a_sticker_needs_an_avatar_and_then_shows_it_with_the_expression(hub, world):
    person = world["person"]
    with pytest.raises(NoAvatarYet):
        make_sticker(hub, person, "happy")
    set_profile_avatar(hub, person, DEFAULT_AVATAR.to_document())
    sticker = make_sticker(hub, person, "wink")
    assert (sticker.kind, sticker.title, sticker.expression) == ("sticker", "Wink sticker",
                                                                 "wink")
    assert (sticker.media_type, sticker.width, sticker.height) == ("image/png", 256, 256)
    assert sticker.made_in == "Accounts Center"
    with pytest.raises(InvalidInput):
        make_sticker(hub, person, "smirk")
    with pytest.raises(InvalidInput):
        make_sticker(hub, person, "happy", title="x" * 81)


def test_an_uploaded_image_keeps_its_shape_and_loses_its_metadata(hub, world):
    made = upload_creation(hub, world["person"], jpeg_with_gps(300, 200), title=" Beach ")
    assert (made.kind, made.title, made.media_type) == ("image", "Beach", "image/jpeg")
    assert (made.width, made.height) == (300, 200)
    with hub.unit_of_work() as uow:
        blob = uow.media.owned_by(world["person"], made.digest)
        assert blob is not None
        picture = Image.open(io.BytesIO(blob.content))
    assert picture.size == (300, 200) and not picture.getexif()
    with pytest.raises(NotAnImage) as refused:
        upload_creation(hub, world["person"], b"<svg/>")
    assert refused.value.field == "file"


def test_a_transparent_png_stays_transparent_and_a_big_image_is_scaled_down(hub, world):
    cut_out = upload_creation(hub, world["person"], encoded("PNG", (64, 40), mode="RGBA"))
    assert cut_out.media_type == "image/png"
    with hub.unit_of_work() as uow:
        blob = uow.media.owned_by(world["person"], cut_out.digest)
        assert Image.open(io.BytesIO(blob.content)).mode == "RGBA"
    big = upload_creation(hub, world["person"], encoded("JPEG", (2000, 1000)))
    assert (big.width, big.height) == (1024, 512)


def test_a_new_creation_reaches_every_declaring_app_and_no_other(hub, world):
    made = upload_creation(hub, world["person"], jpeg_with_gps())
    added = events(hub, "creation.added")
    assert sorted(app_id for app_id, _ in added) == sorted([world["pics"].id,
                                                            world["social"].id])
    for _, payload in added:
        assert payload["creation"]["id"] == made.id
        assert payload["creation"]["made_in"] == "Accounts Center"
        assert payload["app_user_id"].endswith("-ada")
        assert media_for_app(hub, world["pics"], made.digest).content
    ledgered = [b for b in ledger(hub, world["person"], "event")
                if b["event"] == "creation.added"]
    assert len(ledgered) == 2 and all(b["allowed"] for b in ledgered)
    assert all(b["category"] == "creations" for b in ledgered)
    [made_entry] = ledger(hub, world["person"], "creation")
    assert made_entry["action"] == "made" and "creation_id" in made_entry["fields"]


def test_hiding_tells_apps_it_is_deleted_and_showing_tells_them_it_is_added(hub, world):
    made = upload_creation(hub, world["person"], jpeg_with_gps())
    assert set_hidden(hub, world["person"], made.id, True)
    assert not set_hidden(hub, world["person"], made.id, True)  # nothing changed
    deleted = events(hub, "creation.deleted")
    assert sorted(a for a, _ in deleted) == sorted([world["pics"].id, world["social"].id])
    assert all(p["creation_id"] == made.id for _, p in deleted)
    with pytest.raises(NotFound):  # the grant went with it
        media_for_app(hub, world["pics"], made.digest)
    assert list_creations(hub, world["person"])[0].hidden  # still the person's
    set_hidden(hub, world["person"], made.id, False)
    assert len(events(hub, "creation.added")) == 4
    assert media_for_app(hub, world["pics"], made.digest).content
    assert [b["action"] for b in ledger(hub, world["person"], "creation")] == [
        "made", "hidden", "shown"]


def test_deleting_reaches_every_declaring_app_and_revokes_the_picture(hub, world):
    made = upload_creation(hub, world["person"], jpeg_with_gps())
    delete_creation(hub, world["person"], made.id)
    assert sorted(a for a, _ in events(hub, "creation.deleted")) == sorted(
        [world["pics"].id, world["social"].id])
    assert list_creations(hub, world["person"]) == []
    with pytest.raises(NotFound):
        media_for_app(hub, world["social"], made.digest)
    with hub.unit_of_work() as uow:  # nobody owns the blob: the pruner may take it
        assert uow.media.owners(made.digest) == []
    with pytest.raises(CreationNotFound):
        delete_creation(hub, world["person"], made.id)


def test_deleting_a_hidden_creation_tells_no_app_again(hub, world):
    made = upload_creation(hub, world["person"], jpeg_with_gps())
    set_hidden(hub, world["person"], made.id, True)
    delete_creation(hub, world["person"], made.id)
    assert len(events(hub, "creation.deleted")) == 2  # from the hiding only


def test_a_duplicate_keeps_the_picture_shared_when_one_copy_goes(hub, world):
    first = upload_creation(hub, world["person"], jpeg_with_gps())
    second = upload_creation(hub, world["person"], jpeg_with_gps())
    assert first.digest == second.digest and first.id != second.id
    delete_creation(hub, world["person"], first.id)
    assert media_for_app(hub, world["pics"], second.digest).content


def test_a_sticker_that_is_also_the_avatar_png_stays_fetchable_as_the_avatar(hub, world):
    """The neutral sticker of the default avatar is the avatar's own PNG: deleting the
    sticker must not take the avatar away from an app that was sent it."""
    person = world["person"]
    set_profile_avatar(hub, person, DEFAULT_AVATAR.with_expression("neutral").to_document())
    sticker = make_sticker(hub, person, "neutral")
    with hub.unit_of_work() as uow:
        uow.media.own(person, "avatar", 256, sticker.digest, hub.clock.now())
        uow.commit()
    delete_creation(hub, person, sticker.id)
    assert media_for_app(hub, world["pics"], sticker.digest).content


def test_another_persons_creation_cannot_be_hidden_or_deleted(hub, world):
    made = upload_creation(hub, world["person"], jpeg_with_gps())
    eve = sign_up(hub, "eve@example.com", "correct horse battery", ORIGIN).identity_id
    with pytest.raises(CreationNotFound):
        set_hidden(hub, eve, made.id, True)
    with pytest.raises(CreationNotFound):
        delete_creation(hub, eve, made.id)
    assert list_creations(hub, world["person"])[0].id == made.id


def test_unlinked_apps_hear_nothing_more(hub, world):
    from accounts_center.services.links import list_links, unlink_account

    pics_link = next(v for v in list_links(hub, world["person"]) if v.app_name == "Pics")
    unlink_account(hub, world["person"], pics_link.id, ORIGIN)
    upload_creation(hub, world["person"], jpeg_with_gps())
    assert [a for a, _ in events(hub, "creation.added")] == [world["social"].id]


def test_the_archive_holds_the_creations_photo_and_avatar_files(hub, world, clock):
    person = world["person"]
    set_profile_avatar(hub, person, DEFAULT_AVATAR.to_document())
    photo = set_profile_photo(hub, person, jpeg_with_gps())
    set_photo_digest(hub, person, photo.medium)
    sticker = make_sticker(hub, person, "happy")
    clock.advance(seconds=1)
    image = upload_creation(hub, person, encoded("PNG", (30, 20), mode="RGBA"), "Cut-out")
    set_hidden(hub, person, image.id, True)
    with zipfile.ZipFile(io.BytesIO(build_archive(hub, person))) as archive:
        names = set(archive.namelist())
        listed = json.loads(archive.read("creations.json"))["creations"]
        assert Image.open(io.BytesIO(archive.read("profile_photo.jpg"))).size == (1024, 1024)
        assert archive.read("avatar.png").startswith(b"\x89PNG")
        assert b"<svg" in archive.read("avatar.svg")
        assert "creations.json" in archive.read("README.txt").decode()
    assert {f"creations/{sticker.id}.png", f"creations/{image.id}.png"} <= names
    assert [(c["id"], c["hidden_from_apps"]) for c in listed] == [
        (image.id, True), (sticker.id, False)]


def test_grants_are_for_the_creation_blob_only(hub, world):
    """Revoking a creation's picture leaves the app's other grants alone."""
    person = world["person"]
    photo = set_profile_photo(hub, person, jpeg_with_gps())
    with hub.unit_of_work() as uow:
        grant_media(uow, photo.medium, world["pics"].id)
        uow.commit()
    made = upload_creation(hub, person, encoded("JPEG", (50, 50)))
    delete_creation(hub, person, made.id)
    assert media_for_app(hub, world["pics"], photo.medium).content
