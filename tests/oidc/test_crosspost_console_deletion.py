"""The person ends cross-posts from the console (issue 14, points 5 and 6): "delete
everywhere" tells every app holding a copy (a removed one too), once; copies kept by apps
the person removed are listed and may be asked for deletion; a destination's own
deletion shows; and a post's picture leaves the hub once no live post needs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts_center.domain.errors import CrossPostNotFound, NotFound
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.crosspost_history import (
    crosspost_of_person,
    delete_everywhere,
    delete_kept_copy,
    kept_copies,
    recent_crossposts,
)
from accounts_center.services.crossposts import expire_due_crossposts
from accounts_center.services.sign_up import sign_up
from accounts_center.services.your_information import erase_app_data, overview
from accounts_center.store.crosspost_models import CrossPostRow
from accounts_center.store.privacy_models import LedgerEntryRow
from tests.image_files import jpeg_with_gps
from tests.oidc.crosspost_family import Family, chat_to_social_and_pics
from tests.oidc.test_app_crossposts_api import (
    deleted_events,
    destinations,
    fetch,
    ids,
    post,
    sent,
)


@pytest.fixture
def linked(hub, client, visitor) -> Family:
    return chat_to_social_and_pics(hub, client, visitor)


def to_both(family: Family, **fields) -> dict:
    [pics] = [d["id"] for d in destinations(family.chat, "chat-ada").json()["destinations"]
              if d["mode"] == "ask"]
    answer = post(family.chat, "chat-ada", picked=[pics], **fields)
    assert answer.status_code == 201, answer.text
    return answer.json()


def picture_of(hub, crosspost_id: str) -> str | None:
    with hub.unit_of_work() as uow:
        row = uow.crossposts.get(crosspost_id)
        assert row is not None
        return row.digest


def blob_exists(hub, digest: str) -> bool:
    with hub.unit_of_work() as uow:
        return uow.media.blob(digest) is not None


def states(hub, person: str, crosspost_id: str) -> dict[str, str]:
    [found] = [p for p in recent_crossposts(hub, person) if p.id == crosspost_id]
    return {c.app: c.state for c in found.copies}


def unlink(family: Family, name: str) -> None:
    app = getattr(family, name)
    answer = app.client.delete(f"/v1/app/links/{name}-ada", auth=app.auth)
    assert answer.status_code == 204


def test_delete_everywhere_tells_every_copy_once_and_the_source_reads_it_deleted(
        hub, clock, linked):
    made = to_both(linked)
    clock.advance(seconds=5)
    told = delete_everywhere(hub, linked.person, made["id"])
    assert sorted(told) == ["Pics", "Social"]
    # Everywhere: the copies, and the app the post came from (its own post's id).
    assert sorted(app for app, _ in deleted_events(hub)) == sorted(
        ids(linked, "chat", "pics", "social"))
    assert {payload["crosspost_id"] for _, payload in deleted_events(hub)} == {made["id"]}
    # Each says which copy: the destinations' stories, the source's own status.
    chat_id, pics_id, social_id = ids(linked, "chat", "pics", "social")
    assert {app: payload["post_type"] for app, payload in deleted_events(hub)} == {
        chat_id: "status", pics_id: "story", social_id: "story"}
    read = linked.chat.client.get(f"/v1/app/crossposts/{made['id']}", auth=linked.chat.auth)
    assert read.json()["deleted_at"] is not None
    assert set(states(hub, linked.person, made["id"]).values()) == {"deleted"}
    said = [t.summary for t in overview(hub, linked.person, kind="crosspost.deleted").timeline]
    assert said == ["You deleted a status post shared from Chat; told Pics, Social"]
    assert delete_everywhere(hub, linked.person, made["id"]) == []  # nothing twice
    assert len(deleted_events(hub)) == 3
    assert len(overview(hub, linked.person, kind="crosspost.deleted").timeline) == 1
    # The source deleting it afterwards tells no one again either.
    linked.chat.client.delete(f"/v1/app/crossposts/{made['id']}", auth=linked.chat.auth)
    assert len(deleted_events(hub)) == 3


def test_the_picture_leaves_the_hub_once_the_post_is_deleted(hub, linked):
    made = to_both(linked)
    urls = {app_id: payload["media_url"] for app_id, payload in sent(hub)}
    digest = picture_of(hub, made["id"])
    assert digest and blob_exists(hub, digest)
    assert linked.visitor.client.get(f"/media/{digest}").status_code == 200  # the person's
    delete_everywhere(hub, linked.person, made["id"])
    assert not blob_exists(hub, digest)
    assert picture_of(hub, made["id"]) is None
    assert linked.visitor.client.get(f"/media/{digest}").status_code == 404
    for name, app_id in zip(("pics", "social"), ids(linked, "pics", "social"), strict=True):
        assert fetch(getattr(linked, name), urls[app_id]).status_code == 404
    # The record stays: the person still reads what was posted, and when it was deleted.
    [kept] = recent_crossposts(hub, linked.person)
    assert kept.caption == "Sunset" and kept.picture is None and kept.deleted_at


def test_the_source_deleting_or_expiry_releases_the_picture_too(hub, clock, linked):
    deleted = to_both(linked)
    expiring = to_both(linked, content=jpeg_with_gps(width=320),
                       expires_at=(hub.clock.now() + timedelta(minutes=5)).isoformat())
    first, second = picture_of(hub, deleted["id"]), picture_of(hub, expiring["id"])
    assert first != second
    linked.chat.client.delete(f"/v1/app/crossposts/{deleted['id']}", auth=linked.chat.auth)
    assert first and not blob_exists(hub, first)
    assert second and blob_exists(hub, second)
    clock.advance(minutes=6)
    assert expire_due_crossposts(hub, hub.clock.now())[0] == 1
    assert not blob_exists(hub, second)
    assert [p.picture for p in recent_crossposts(hub, linked.person)] == [None, None]


def test_a_picture_another_live_post_shows_stays_until_that_one_ends(hub, linked):
    one, two = to_both(linked), to_both(linked)
    digest = picture_of(hub, one["id"])
    assert digest == picture_of(hub, two["id"])  # the same photo posted twice
    delete_everywhere(hub, linked.person, one["id"])
    assert blob_exists(hub, digest)
    social_url = next(p["media_url"] for app, p in sent(hub)
                  if p["crosspost_id"] == two["id"] and app == ids(linked, "social")[0])
    assert fetch(linked.social, social_url).status_code == 200
    delete_everywhere(hub, linked.person, two["id"])
    assert not blob_exists(hub, digest)


def test_an_app_without_a_copy_of_the_live_post_loses_the_shared_picture(hub, linked):
    one = to_both(linked)  # to Pics (picked) and Social (always)
    two = post(linked.chat, "chat-ada").json()  # the same photo, to Social alone
    digest = picture_of(hub, one["id"])
    assert digest == picture_of(hub, two["id"])
    urls = {app: p["media_url"] for app, p in sent(hub) if p["crosspost_id"] == one["id"]}
    pics_id, social_id = ids(linked, "pics", "social")
    delete_everywhere(hub, linked.person, one["id"])
    assert fetch(linked.pics, urls[pics_id]).status_code == 404  # it holds no live copy
    assert fetch(linked.social, urls[social_id]).status_code == 200  # post two's copy


def test_another_persons_post_is_not_found(hub, linked):
    made = to_both(linked)
    bob = sign_up(hub, "bob@example.com", "correct horse battery",
                  RequestOrigin("127.0.0.1", "test")).identity_id
    with pytest.raises(CrossPostNotFound):
        delete_everywhere(hub, bob, made["id"])
    with pytest.raises(CrossPostNotFound):
        delete_everywhere(hub, linked.person, "no-such-post")
    assert recent_crossposts(hub, bob) == [] and deleted_events(hub) == []


def test_each_copys_state_in_plain_terms(hub, linked):
    made = to_both(linked)
    assert states(hub, linked.person, made["id"]) == {"Pics": "sent", "Social": "sent"}
    for app, state in ((linked.social, "created"), (linked.pics, "failed")):
        body = {"state": state, **({"item_id": "s-1"} if state == "created" else {})}
        assert app.client.put(f"/v1/app/crossposts/{made['id']}/copy", auth=app.auth,
                              json=body).status_code == 200
    assert states(hub, linked.person, made["id"]) == {"Pics": "failed",
                                                      "Social": "delivered"}


def test_a_destination_that_deleted_its_copy_shows_it_and_is_not_told_again(hub, linked):
    made = to_both(linked)
    social = linked.social
    social.client.put(f"/v1/app/crossposts/{made['id']}/copy", auth=social.auth,
                      json={"state": "deleted"})
    assert states(hub, linked.person, made["id"])["Social"] == "deleted-by-app"
    assert delete_everywhere(hub, linked.person, made["id"]) == ["Pics"]
    assert sorted(app for app, _ in deleted_events(hub)) == sorted(ids(linked, "chat",
                                                                       "pics"))
    assert states(hub, linked.person, made["id"]) == {"Pics": "deleted",
                                                      "Social": "deleted-by-app"}


def test_a_removed_app_keeps_its_copy_listed_and_the_person_may_have_it_deleted(
        hub, linked):
    made = to_both(linked)
    linked.social.client.put(f"/v1/app/crossposts/{made['id']}/copy",
                             auth=linked.social.auth, json={"state": "created",
                                                            "item_id": "story-9"})
    unlink(linked, "social")
    # The source deletes it: Pics hears, Social (removed) does not, and keeps its copy.
    linked.chat.client.delete(f"/v1/app/crossposts/{made['id']}", auth=linked.chat.auth)
    assert [app for app, _ in deleted_events(hub)] == ids(linked, "pics")
    [kept] = kept_copies(hub, linked.person)
    assert (kept.app, kept.source_app, kept.caption, kept.post_live, kept.delivered) == (
        "Social", "Chat", "Sunset", False, True)
    assert states(hub, linked.person, made["id"]) == {"Pics": "deleted", "Social": "kept"}
    assert delete_kept_copy(hub, linked.person, made["id"], kept.choice_id) == "Social"
    assert [app for app, _ in deleted_events(hub)] == ids(linked, "pics", "social")
    assert kept_copies(hub, linked.person) == []
    with hub.unit_of_work() as uow:
        told = [row.body for row in uow.session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.kind == "event")) if row.body["event"] == "crosspost.deleted"]
    assert sorted((t["app"], t["allowed"], t["reason"]) for t in told) == [
            ("Pics", True, "allowed"), ("Social", False, "link-not-active"),
            ("Social", True, "allowed")]
    with pytest.raises(CrossPostNotFound):  # done: nothing is kept any more
        delete_kept_copy(hub, linked.person, made["id"], kept.choice_id)


def test_only_a_copy_a_removed_app_holds_can_be_asked_for_alone(hub, linked):
    made = to_both(linked)
    [copy] = [c for c in recent_crossposts(hub, linked.person)[0].copies
              if c.app == "Social"]
    with pytest.raises(CrossPostNotFound):  # Social is still added: delete everywhere
        delete_kept_copy(hub, linked.person, made["id"], copy.choice_id)
    assert deleted_events(hub) == []


def test_delete_everywhere_reaches_a_removed_app_that_holds_a_copy(hub, linked):
    made = to_both(linked)
    unlink(linked, "pics")
    [kept] = kept_copies(hub, linked.person)
    assert (kept.app, kept.post_live) == ("Pics", True)
    assert sorted(delete_everywhere(hub, linked.person, made["id"])) == ["Pics", "Social"]
    assert sorted(app for app, _ in deleted_events(hub)) == sorted(
        ids(linked, "chat", "pics", "social"))
    assert kept_copies(hub, linked.person) == []


def test_a_removed_app_is_sent_nothing_new_and_no_expiry(hub, clock, linked):
    made = to_both(linked, expires_at=(hub.clock.now() + timedelta(minutes=5)).isoformat())
    unlink(linked, "pics")
    answer = post(linked.chat, "chat-ada")  # Social alone now: Pics is gone from the list
    assert [d["destination"]["app"] for d in answer.json()["destinations"]] == ["Social"]
    clock.advance(minutes=6)
    expire_due_crossposts(hub, hub.clock.now())
    with hub.unit_of_work() as uow:
        expired = [row.id for row in uow.session.scalars(select(CrossPostRow))
                   if row.expired_at is not None]
    assert expired == [made["id"]]
    assert [k.app for k in kept_copies(hub, linked.person)] == ["Pics"]
    assert states(hub, linked.person, made["id"]) == {"Pics": "kept", "Social": "expired"}


def test_erasing_what_the_source_app_shared_deletes_its_posts_everywhere(hub, linked):
    made = to_both(linked)
    digest = picture_of(hub, made["id"])
    [held] = overview(hub, linked.person).held
    assert (held.app, held.categories) == ("Chat", {"posts shared to your other apps": 1})
    assert erase_app_data(hub, linked.person, ids(linked, "chat")[0]) == 1
    assert sorted(app for app, _ in deleted_events(hub)) == sorted(
        ids(linked, "chat", "pics", "social"))
    assert digest and not blob_exists(hub, digest)
    assert overview(hub, linked.person).held == []
    with pytest.raises(NotFound):  # nothing more to erase
        erase_app_data(hub, linked.person, ids(linked, "chat")[0])


def test_delete_everywhere_does_not_reach_a_source_app_the_person_removed(hub, linked):
    made = to_both(linked)
    assert crosspost_of_person(hub, linked.person, made["id"]).source_added
    unlink(linked, "chat")
    assert not crosspost_of_person(hub, linked.person, made["id"]).source_added
    assert sorted(delete_everywhere(hub, linked.person, made["id"])) == ["Pics", "Social"]
    assert sorted(app for app, _ in deleted_events(hub)) == sorted(
        ids(linked, "pics", "social"))
