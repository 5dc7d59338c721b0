"""The canonical profile and its per-link sync (issue 13, points 1, 2, 7)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import select

from accounts_center.domain.errors import InvalidInputs, ProfileFieldNotSynced, UnknownAppUser
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.links import unlink_account
from accounts_center.services.member_apps import register_app, show_app
from accounts_center.services.profiles import (
    app_update_profile,
    edit_profile,
    profile_history,
    read_profile,
    read_profile_for_app,
    set_profile_photo,
    set_sync,
    sync_switches,
)
from accounts_center.services.sign_up import sign_up
from accounts_center.services.your_information import build_archive
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.privacy_models import LedgerEntryRow
from accounts_center.store.profiles import Profiles
from tests.support import link_now

ORIGIN = RequestOrigin("127.0.0.1", "test")
EVERYTHING = {"receives": ["account_details", "profile_photo", "avatar"]}


@pytest.fixture
def world(hub):
    chat = register_app(hub, "Chat", ["https://chat.example/cb"], "https://chat.example/h",
                        EVERYTHING).app
    pics = register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/h",
                        {"receives": ["account_details"]}).app
    person = sign_up(hub, "ada@example.com", "correct horse battery", ORIGIN).identity_id
    with hub.unit_of_work() as uow:
        links = {name: link_now(uow, hub, person, uow.member_apps.by_id(app.id), f"u-{name}")
                 .id for name, app in (("chat", chat), ("pics", pics))}
        uow.commit()
    return {"person": person, "links": links, "chat": show_app(hub, "Chat"),
            "pics": show_app(hub, "Pics")}


def profile_events(hub, app_id=None):
    with hub.unit_of_work() as uow:
        rows = uow.session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.type == "profile.updated")).all()
        return [(row.app_id, row.payload["field"], row.payload["value"]) for row in rows
                if app_id is None or row.app_id == app_id]


def ledger_bodies(hub, person, kind):
    with hub.unit_of_work() as uow:
        return [row.body for row in uow.session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.identity_id == person, LedgerEntryRow.kind == kind)
            .order_by(LedgerEntryRow.seq))]


def test_the_person_edits_their_profile_and_each_change_is_ledgered(hub, world):
    edit_profile(hub, world["person"], {"name": "Ada", "handle": "ada", "bio": "Maths."})
    profile = read_profile(hub, world["person"])
    assert (profile.name, profile.handle, profile.bio) == ("Ada", "ada", "Maths.")
    assert {b["field"] for b in ledger_bodies(hub, world["person"], "profile")} == {
        "name", "handle", "bio"}
    assert {item.field for item in profile_history(hub, world["person"])} == {
        "name", "handle", "bio"}


def test_bad_values_are_refused_together_and_nothing_is_written(hub, world):
    with pytest.raises(InvalidInputs) as refused:
        edit_profile(hub, world["person"], {"name": "", "handle": "NO"})
    assert {p.field for p in refused.value.problems} == {"name", "handle"}
    assert read_profile(hub, world["person"]).updated_at is None


def test_a_handle_someone_else_holds_is_refused(hub, world):
    other = sign_up(hub, "bob@example.com", "correct horse battery", ORIGIN).identity_id
    edit_profile(hub, other, {"handle": "ada"})
    with pytest.raises(InvalidInputs):
        edit_profile(hub, world["person"], {"handle": "ada"})


def test_a_handle_taken_by_a_concurrent_write_is_refused_not_a_crash(hub, world,
                                                                      monkeypatch):
    other = sign_up(hub, "bob@example.com", "correct horse battery", ORIGIN).identity_id
    edit_profile(hub, other, {"handle": "ada"})
    # As if the other write committed between this one's check and its write.
    monkeypatch.setattr(Profiles, "handle_taken", lambda *_: False)
    with pytest.raises(InvalidInputs) as refused:
        edit_profile(hub, world["person"], {"handle": "ada", "name": "Ada"})
    assert refused.value.field == "handle"
    assert read_profile(hub, world["person"]).name is None  # nothing written


def test_sync_is_off_for_a_new_link(hub, world):
    rows = sync_switches(hub, world["person"])
    assert [r.app_name for r in rows] == ["Chat", "Pics"]
    assert not any(on for r in rows for on in r.enabled.values())


def test_turning_sync_on_sends_the_current_value_to_that_app(hub, world):
    edit_profile(hub, world["person"], {"name": "Ada"})
    assert profile_events(hub) == []
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    assert profile_events(hub) == [(world["chat"].id, "name", "Ada")]


def test_only_apps_with_sync_on_for_the_field_get_profile_updated(hub, world):
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    edit_profile(hub, world["person"], {"name": "Ada", "bio": "not synced"})
    set_profile_photo(hub, world["person"], "sha256:feed")  # nobody syncs the photo
    assert profile_events(hub) == [(world["chat"].id, "name", "Ada")]


def test_an_app_that_did_not_declare_the_category_gets_a_denied_entry_no_event(hub, world):
    set_sync(hub, world["person"], world["links"]["pics"], "photo", True)
    set_profile_photo(hub, world["person"], "sha256:feed")
    assert profile_events(hub) == []
    denied = [b for b in ledger_bodies(hub, world["person"], "event")
              if b["event"] == "profile.updated"]
    assert denied and all(not b["allowed"] for b in denied)
    assert denied[-1]["reason"] == "receiver-not-declared"
    assert denied[-1]["category"] == "profile_photo"


def test_an_app_writes_only_fields_synced_for_its_link(hub, world):
    with pytest.raises(ProfileFieldNotSynced):
        app_update_profile(hub, world["chat"], "u-chat", {"name": "Ada from Chat"})
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    with pytest.raises(ProfileFieldNotSynced):
        app_update_profile(hub, world["chat"], "u-chat", {"bio": "nope"})
    app_update_profile(hub, world["chat"], "u-chat", {"name": "Ada from Chat"})
    assert read_profile(hub, world["person"]).name == "Ada from Chat"
    assert profile_history(hub, world["person"])[0].by_name == "Chat"


def test_an_app_write_with_bad_or_unknown_fields_is_refused(hub, world):
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    with pytest.raises(InvalidInputs):
        app_update_profile(hub, world["chat"], "u-chat", {"name": "x" * 65})
    with pytest.raises(InvalidInputs):
        app_update_profile(hub, world["chat"], "u-chat", {"nickname": "Ada"})


def test_a_unknown_user_and_an_unlinked_user_get_the_same_404(hub, world):
    with pytest.raises(UnknownAppUser):
        app_update_profile(hub, world["chat"], "nobody", {"name": "X"})
    unlink_account(hub, world["person"], world["links"]["chat"], ORIGIN)
    with pytest.raises(UnknownAppUser):
        read_profile_for_app(hub, world["chat"], "u-chat")
    with pytest.raises(UnknownAppUser):
        app_update_profile(hub, world["chat"], "u-chat", {"name": "X"})


def test_a_write_stamped_before_the_held_one_loses_and_is_kept_in_history(hub, world, clock):
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    clock.advance(seconds=10)
    edit_profile(hub, world["person"], {"name": "Ada (console)"})
    # Chat's write was stamped earlier by another hub process whose clock was behind.
    clock.advance(seconds=-5)
    outcome = app_update_profile(hub, world["chat"], "u-chat", {"name": "Ada (chat)"})
    assert outcome.won == {"name": False}
    assert read_profile(hub, world["person"]).name == "Ada (console)"
    lost = profile_history(hub, world["person"])
    assert [(h.new, h.won) for h in lost if h.by_name == "Chat"] == [("Ada (chat)", False)]
    assert ledger_bodies(hub, world["person"], "profile")[-1]["won"] is False


def test_the_writer_is_not_told_its_own_change_but_other_synced_apps_are(hub, world):
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    set_sync(hub, world["person"], world["links"]["pics"], "name", True)
    app_update_profile(hub, world["chat"], "u-chat", {"name": "Ada"})
    assert profile_events(hub) == [(world["pics"].id, "name", "Ada")]


def test_an_app_reads_only_synced_fields_with_a_decision_per_category(hub, world):
    edit_profile(hub, world["person"], {"name": "Ada", "bio": "private", "photo": "sha256:1"})
    assert read_profile_for_app(hub, world["chat"], "u-chat").values == {}
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    set_sync(hub, world["person"], world["links"]["chat"], "photo", True)
    result = read_profile_for_app(hub, world["chat"], "u-chat")
    assert result.values == {"name": "Ada", "photo": "sha256:1"}
    reads = [b for b in ledger_bodies(hub, world["person"], "decision")
             if b["direction"] == "read"]
    assert sorted(b["category"] for b in reads) == ["account_details", "profile_photo"]
    set_sync(hub, world["person"], world["links"]["pics"], "photo", True)
    withheld = read_profile_for_app(hub, world["pics"], "u-pics")
    assert withheld.values == {} and withheld.withheld == {"photo": "receiver-not-declared"}


def test_unlink_stops_sync_at_once(hub, world):
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    unlink_account(hub, world["person"], world["links"]["chat"], ORIGIN)
    before = profile_events(hub)
    edit_profile(hub, world["person"], {"name": "After"})
    assert profile_events(hub) == before
    with hub.unit_of_work() as uow:
        assert uow.profiles.synced_fields(world["links"]["chat"]) == frozenset()


def test_download_your_information_holds_the_profile_its_history_and_syncs(hub, world):
    set_sync(hub, world["person"], world["links"]["chat"], "name", True)
    edit_profile(hub, world["person"], {"name": "Ada", "handle": "ada"})
    archive = zipfile.ZipFile(io.BytesIO(build_archive(hub, world["person"])))
    mine = json.loads(archive.read("your_profile.json"))
    assert mine["profile"]["name"] == "Ada" and mine["profile"]["handle"] == "ada"
    assert mine["kept_in_sync"] == [{"app": "Chat", "handle": "@p", "fields": ["name"]}]
    assert {(h["field"], h["new"], h["applied"]) for h in mine["history"]} == {
        ("name", "Ada", True), ("handle", "ada", True)}
    assert "your_profile.json" in archive.read("README.txt").decode()
