"""The member apps' cross-posting API (issue 14, points 3 and 4): a source app sees only
the destinations the person set to ask or always, a post reaches exactly those (always,
and the ask ones picked), each copy is one ledgered gate decision with a
`crosspost.created` event whose picture only that destination can fetch, and every
refusal is an RFC 9457 problem."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from accounts_center.domain.errors import CrossPostPairUnavailable
from accounts_center.services.crosspost_routes import set_directions
from accounts_center.services.your_information import build_archive
from accounts_center.store.crosspost_models import CrossPostRow
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.privacy_models import LedgerEntryRow
from tests.image_files import SVG, jpeg_with_gps, png_header_claiming
from tests.oidc.conftest import App
from tests.oidc.crosspost_family import Family, family_of

PROBLEMS = "https://accounts-center.dev/problems/"


def destinations(app: App, user: str, post_type: str = "status"):
    return app.client.get(f"/v1/app/users/{user}/crosspost/destinations",
                          params={"type": post_type}, auth=app.auth)


def post(app: App, user: str, *, picked=(), post_type: str = "status",
         content: bytes | None = None, **fields: str):
    data: dict[str, object] = {"type": post_type, "caption": "Sunset", **fields}
    if picked:
        data["destinations"] = list(picked)
    return app.client.post(f"/v1/app/users/{user}/crossposts", auth=app.auth, data=data,
                           files={"media": ("status.jpg", content or jpeg_with_gps(),
                                            "image/jpeg")})


def sent(hub) -> list[tuple[str, dict]]:
    with hub.unit_of_work() as uow:
        return [(row.app_id, row.payload) for row in uow.session.scalars(
            select(OutboxEventRow).where(OutboxEventRow.type == "crosspost.created")
            .order_by(OutboxEventRow.seq))]


def deleted_events(hub) -> list[tuple[str, dict]]:
    with hub.unit_of_work() as uow:
        return [(row.app_id, row.payload) for row in uow.session.scalars(
            select(OutboxEventRow).where(OutboxEventRow.type == "crosspost.deleted")
            .order_by(OutboxEventRow.seq))]


def fetch(app: App, url: str):
    parts = urlsplit(url)
    return app.client.get(f"{parts.path}?{parts.query}")


def posts(hub) -> int:
    with hub.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(CrossPostRow)) or 0


def ids(apps: Family, *names: str) -> list[str]:
    return [getattr(apps, name).credentials.app.id for name in names]


@pytest.fixture
def family(hub, client, visitor) -> Family:
    return family_of(hub, client, visitor)


@pytest.fixture
def linked(family: Family) -> Family:
    """Ada added Chat, Pics, Social and Notes; Social always, Pics ask each time."""
    family.link_all("chat", "pics", "social", "notes")
    family.choose("chat", "social", "always")
    family.choose("chat", "pics", "ask")
    return family


def test_no_destination_is_offered_before_the_person_chooses(family):
    family.link_all()
    answer = destinations(family.chat, "chat-ada")
    assert answer.status_code == 200 and answer.json() == {"destinations": []}


def test_only_ask_and_always_destinations_are_listed_with_opaque_ids(linked):
    linked.choose("chat", "social", "off")
    listed = destinations(linked.chat, "chat-ada").json()["destinations"]
    assert [(d["app"], d["type"], d["mode"]) for d in listed] == [("Pics", "story", "ask")]
    # Social (off) and Notes (no cross-posting) are not named anywhere in the answer; the
    # id is neither a link id nor an app id.
    text = destinations(linked.chat, "chat-ada").text
    assert "Social" not in text and "Notes" not in text
    assert listed[0]["id"] not in (linked.link_id("pics"), *ids(linked, "pics"))


def test_a_post_reaches_the_always_ones_and_the_picked_ask_ones(hub, linked):
    [pics] = [d for d in destinations(linked.chat, "chat-ada").json()["destinations"]
              if d["mode"] == "ask"]
    expiry = (hub.clock.now() + timedelta(hours=24)).isoformat()
    answer = post(linked.chat, "chat-ada", picked=[pics["id"]], expires_at=expiry)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert {(c["destination"]["app"], c["state"]) for c in made["destinations"]} == {
        ("Pics", "sent"), ("Social", "sent")}
    events = sent(hub)
    assert sorted(app_id for app_id, _ in events) == sorted(ids(linked, "pics", "social"))
    for _, payload in events:
        assert payload["crosspost_id"] == made["id"]
        assert (payload["post_type"], payload["caption"]) == ("story", "Sunset")
        assert payload["expires_at"] == expiry and payload["media_type"] == "image/jpeg"
        assert "audience" not in payload
    by_app = dict(events)
    for name in ("pics", "social"):
        app: App = getattr(linked, name)
        picture = fetch(app, by_app[app.credentials.app.id]["media_url"])
        assert picture.status_code == 200
        assert not Image.open(io.BytesIO(picture.content)).getexif()  # no GPS left
    with hub.unit_of_work() as uow:
        told = [row.body for row in uow.session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.kind == "event")) if row.body["event"] == "crosspost.created"]
    assert len(told) == 2
    assert all((t["category"], t["purpose"], t["allowed"], t["about_app"]) == (
        "activity", "cross_app_features", True, "Chat") for t in told)


def test_an_ask_destination_not_picked_gets_nothing(hub, linked):
    answer = post(linked.chat, "chat-ada")
    assert answer.status_code == 201, answer.text
    assert [app_id for app_id, _ in sent(hub)] == ids(linked, "social")
    assert [c["destination"]["app"] for c in answer.json()["destinations"]] == ["Social"]


def test_a_destination_cannot_fetch_another_destinations_picture(hub, linked):
    pics_id = destinations(linked.chat, "chat-ada").json()["destinations"]
    picked = [d["id"] for d in pics_id if d["app"] == "Pics"]
    post(linked.chat, "chat-ada", picked=picked)
    by_app = dict(sent(hub))
    pics_url = by_app[linked.pics.credentials.app.id]["media_url"]
    parts = urlsplit(pics_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    # Pics' URL is signed for Pics: naming Social's client id breaks the signature.
    forged = {**query, "app": linked.social.client_id}
    assert linked.social.client.get(f"{parts.path}?{urlencode(forged)}").status_code == 403
    # Notes was sent nothing: the picture does not exist for it, by URL or credentials.
    assert linked.notes.client.get(parts.path, auth=linked.notes.auth).status_code == 404
    # A second post only Social receives: Pics cannot fetch that one.
    second = post(linked.chat, "chat-ada", content=jpeg_with_gps(width=320)).json()
    social_url = next(p["media_url"] for _, p in sent(hub)
                      if p["crosspost_id"] == second["id"])
    assert linked.pics.client.get(urlsplit(social_url).path,
                                  auth=linked.pics.auth).status_code == 404
    assert linked.social.client.get(urlsplit(social_url).path,
                                    auth=linked.social.auth).status_code == 200


def test_a_type_the_app_did_not_declare_is_refused_before_any_lookup(linked):
    for answer in (destinations(linked.chat, "chat-ada", "story"),
                   destinations(linked.chat, "nobody", "story"),
                   post(linked.chat, "chat-ada", post_type="story")):
        assert answer.status_code == 403, answer.text
        assert answer.json()["type"] == PROBLEMS + "crosspost/type-not-declared"
    unknown = destinations(linked.chat, "chat-ada", "reel")
    assert unknown.status_code == 422


def test_an_unknown_or_unlinked_user_gets_the_data_apis_404(linked):
    chat = linked.chat
    assert chat.client.delete("/v1/app/links/chat-ada", auth=chat.auth).status_code == 204
    strip = lambda body: {k: v for k, v in body.items() if k != "instance"}  # noqa: E731
    answers = [destinations(chat, "chat-ada"), destinations(chat, "nobody"),
               post(chat, "chat-ada"), post(chat, "nobody")]
    assert {a.status_code for a in answers} == {404}
    assert len({str(strip(a.json())) for a in answers}) == 1
    assert answers[0].json()["type"] == PROBLEMS + "unknown-app-user"


@pytest.mark.parametrize("field, value", [("audience", "contacts"), ("visibility", "all"),
                                          ("Audience", "friends")])
def test_an_unknown_form_field_is_refused_and_nothing_is_kept(hub, linked, field, value):
    answer = post(linked.chat, "chat-ada", **{field: value})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert posts(hub) == 0 and sent(hub) == []


def test_a_destination_not_offered_is_refused(hub, linked):
    linked.choose("chat", "social", "ask")
    social = [d["id"] for d in destinations(linked.chat, "chat-ada").json()["destinations"]
              if d["app"] == "Social"]
    linked.choose("chat", "social", "off")
    for picked in (social, ["made-up"], [linked.link_id("social")]):
        answer = post(linked.chat, "chat-ada", picked=picked)
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"] == PROBLEMS + "crosspost/destination-not-offered"
    assert posts(hub) == 0 and sent(hub) == []


def test_a_post_that_would_reach_no_one_is_refused(hub, linked):
    linked.choose("chat", "social", "ask")
    answer = post(linked.chat, "chat-ada")
    assert answer.status_code == 422
    assert answer.json()["type"] == PROBLEMS + "crosspost/no-destination"
    assert posts(hub) == 0


@pytest.mark.parametrize("content, status, problem", [
    (SVG, 422, "not-an-image"), (b"not an image at all", 422, "not-an-image"),
    (png_header_claiming(40_000, 40_000), 413, "image-too-many-pixels")])
def test_a_bad_image_is_refused_like_a_photo(hub, linked, content, status, problem):
    answer = post(linked.chat, "chat-ada", content=content)
    assert answer.status_code == status, answer.text
    assert answer.json()["type"] == PROBLEMS + problem
    assert posts(hub) == 0


def test_a_file_over_the_media_limit_is_413(hub, linked):
    big = b"\xff\xd8" + b"0" * (hub.settings.media_max_upload_bytes + 10)
    answer = post(linked.chat, "chat-ada", content=big)
    assert answer.status_code == 413, answer.text
    assert posts(hub) == 0


@pytest.mark.parametrize("when", [timedelta(minutes=-1), timedelta(days=31), None])
def test_an_expiry_in_the_past_too_far_or_without_zone_is_refused(hub, linked, when):
    moment = (hub.clock.now() + when).isoformat() if when else "2026-11-26T12:00:00"
    answer = post(linked.chat, "chat-ada", expires_at=moment)
    assert answer.status_code == 422 and answer.json()["field"] == "expires_at"


def test_a_too_long_caption_is_refused(hub, linked):
    answer = post(linked.chat, "chat-ada", caption="x" * 2201)
    assert answer.status_code == 422 and answer.json()["field"] == "caption"


def test_the_destination_reports_its_copy_and_the_source_reads_each_state(hub, linked):
    made = post(linked.chat, "chat-ada").json()
    social = linked.social
    report = social.client.put(f"/v1/app/crossposts/{made['id']}/copy", auth=social.auth,
                               json={"state": "created", "item_id": "story-42"})
    assert report.status_code == 200, report.text
    assert report.json() == {"crosspost_id": made["id"], "type": "story",
                             "state": "created", "item_id": "story-42"}
    read = linked.chat.client.get(f"/v1/app/crossposts/{made['id']}", auth=linked.chat.auth)
    assert read.status_code == 200
    assert [(c["destination"]["app"], c["state"]) for c in read.json()["destinations"]] == [
        ("Social", "created")]
    assert "story-42" not in read.text  # the destination's own id stays with it


def test_a_report_with_unknown_fields_or_states_is_refused(linked):
    made = post(linked.chat, "chat-ada").json()
    social = linked.social
    for body in ({"state": "created", "item_id": "s", "audience": "all"},
                 {"state": "liked"}, {"state": "created"}):
        answer = social.client.put(f"/v1/app/crossposts/{made['id']}/copy",
                                   auth=social.auth, json=body)
        assert answer.status_code == 422, body


def test_another_apps_post_is_not_found(hub, linked):
    made = post(linked.chat, "chat-ada").json()
    # Pics was not sent this one (ask, not picked); Notes is no destination at all.
    for app in (linked.pics, linked.social, linked.notes):
        for answer in (app.client.get(f"/v1/app/crossposts/{made['id']}", auth=app.auth),
                       app.client.delete(f"/v1/app/crossposts/{made['id']}",
                                         auth=app.auth)):
            assert answer.status_code == 404
            assert answer.json()["type"] == PROBLEMS + "crosspost/not-found"
    for app in (linked.pics, linked.notes, linked.chat):
        answer = app.client.put(f"/v1/app/crossposts/{made['id']}/copy", auth=app.auth,
                                json={"state": "failed"})
        assert answer.status_code == 404
    unknown = linked.chat.client.get("/v1/app/crossposts/nope", auth=linked.chat.auth)
    assert unknown.status_code == 404


def test_the_source_deletes_its_post_and_every_copy_hears_it(hub, clock, linked):
    pics = [d["id"] for d in destinations(linked.chat, "chat-ada").json()["destinations"]
            if d["app"] == "Pics"]
    made = post(linked.chat, "chat-ada", picked=pics).json()
    urls = {app_id: payload["media_url"] for app_id, payload in sent(hub)}
    assert all(fetch(getattr(linked, n), urls[i]).status_code == 200
               for n, i in zip(("pics", "social"), ids(linked, "pics", "social"), strict=True))
    clock.advance(seconds=5)
    chat = linked.chat
    gone = chat.client.delete(f"/v1/app/crossposts/{made['id']}", auth=chat.auth)
    assert gone.status_code == 200 and gone.json()["deleted_at"] is not None
    told = deleted_events(hub)
    assert sorted(app_id for app_id, _ in told) == sorted(ids(linked, "pics", "social"))
    assert all(payload["crosspost_id"] == made["id"] for _, payload in told)
    # Their pictures are gone for them: the URLs they were sent no longer open.
    assert fetch(linked.pics, urls[linked.pics.credentials.app.id]).status_code == 404
    assert fetch(linked.social, urls[linked.social.credentials.app.id]).status_code == 404
    again = chat.client.delete(f"/v1/app/crossposts/{made['id']}", auth=chat.auth)
    assert again.json()["deleted_at"] == gone.json()["deleted_at"]
    assert len(deleted_events(hub)) == 2  # once only
    assert chat.client.get(f"/v1/app/crossposts/{made['id']}",
                           auth=chat.auth).json()["deleted_at"] is not None


def test_a_deletion_reaches_only_apps_that_were_sent_a_copy_and_are_still_added(hub, linked):
    made = post(linked.chat, "chat-ada").json()  # Social only: Pics is ask, not picked
    social = linked.social
    assert social.client.delete("/v1/app/links/social-ada", auth=social.auth).status_code == 204
    linked.chat.client.delete(f"/v1/app/crossposts/{made['id']}", auth=linked.chat.auth)
    assert deleted_events(hub) == []
    with hub.unit_of_work() as uow:
        told = [row.body for row in uow.session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.kind == "event")) if row.body["event"] == "crosspost.deleted"]
    assert [(t["app"], t["allowed"], t["reason"]) for t in told] == [
        ("Social", False, "link-not-active")]


def test_a_closed_direction_is_offered_to_no_one_until_the_operator_opens_it(hub, linked):
    # Story → Status (Pics to Chat) is closed by default: no pair, no choice, no list.
    with pytest.raises(CrossPostPairUnavailable):
        linked.choose("pics", "chat", "always", types=("story", "status"))
    assert destinations(linked.pics, "pics-ada", "story").json() == {"destinations": []}
    set_directions(hub, ["story:status"], [])
    assert linked.choose("pics", "chat", "always", types=("story", "status"))
    answer = post(linked.pics, "pics-ada", post_type="story")
    assert answer.status_code == 201, answer.text
    [(app_id, payload)] = sent(hub)
    assert app_id == linked.chat.credentials.app.id and payload["post_type"] == "status"
    # Closed again: the next post reaches no one, and the choice is not offered.
    set_directions(hub, [], ["story:status"])
    assert destinations(linked.pics, "pics-ada", "story").json() == {"destinations": []}
    assert post(linked.pics, "pics-ada", post_type="story").status_code == 422


def test_removing_a_destination_stops_new_posts_to_it_at_once(hub, linked):
    social = linked.social
    assert social.client.delete("/v1/app/links/social-ada", auth=social.auth).status_code == 204
    assert [d["app"] for d in destinations(linked.chat, "chat-ada").json()[
        "destinations"]] == ["Pics"]
    assert post(linked.chat, "chat-ada").status_code == 422  # Pics is ask, not picked
    assert sent(hub) == []


def test_the_persons_archive_holds_their_choices_posts_copies_and_pictures(hub, linked):
    made = post(linked.chat, "chat-ada", caption="Beach").json()
    archive = zipfile.ZipFile(io.BytesIO(build_archive(hub, linked.person)))
    held = json.loads(archive.read("crossposts.json"))
    assert {(c["to_app"], c["choice"]) for c in held["choices"]} == {("Pics", "ask"),
                                                                     ("Social", "always")}
    [kept] = held["crossposts"]
    assert (kept["id"], kept["from_app"], kept["caption"]) == (made["id"], "Chat", "Beach")
    assert [(c["app"], c["type"], c["state"]) for c in kept["copies"]] == [
        ("Social", "story", "sent")]
    picture = Image.open(io.BytesIO(archive.read(kept["file"])))
    assert not picture.getexif()
    assert "crossposts.json" in archive.read("README.txt").decode()
