"""The member apps' creations API (issue 13, point 5): list, fetch and add, one ledgered
gate decision per answer, signed URLs that work for the asking app alone, events to the
other declaring apps, and an RFC 9457 problem for each refusal."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from accounts_center.domain.avatar import DEFAULT_AVATAR
from accounts_center.services.creations import delete_creation, make_sticker, set_hidden
from accounts_center.services.member_apps import register_app
from accounts_center.services.profiles import set_profile_avatar
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.privacy_models import LedgerEntryRow
from tests.image_files import SVG, encoded, jpeg_with_gps, png_header_claiming
from tests.oidc.conftest import App, link
from tests.oidc.test_app_profile_api import person_of

PROBLEMS = "https://accounts-center.dev/problems/"


def declaring_app(hub, client, name: str) -> App:
    host = f"https://{name.lower()}.example"
    credentials = register_app(hub, name, [f"{host}/cb"], f"{host}/hooks",
                               {"receives": ["account_details"], "creations": True})
    return App(client, credentials, redirect_uri=f"{host}/cb")


@pytest.fixture
def album(hub, client) -> App:
    return declaring_app(hub, client, "Album")


@pytest.fixture
def board(hub, client) -> App:
    return declaring_app(hub, client, "Board")


@pytest.fixture
def linked(album, board, chat, visitor):
    """Ada added her Album, Board and Chat accounts; Chat does not declare creations."""
    visitor.sign_up()
    link(album, visitor, app_user_id="album-ada")
    link(board, visitor, app_user_id="board-ada")
    link(chat, visitor, app_user_id="chat-ada")


def add(app: App, user: str, content: bytes, title: str | None = None,
        media_type: str = "image/jpeg"):
    return app.client.post(f"/v1/app/users/{user}/creations", auth=app.auth,
                           files={"file": ("made.jpg", content, media_type)},
                           data={"title": title} if title is not None else {})


def fetch(app: App, url: str):
    parts = urlsplit(url)
    return app.client.get(f"{parts.path}?{parts.query}")


def outbox(hub, kind: str) -> list[tuple[str, dict]]:
    with hub.unit_of_work() as uow:
        return [(row.app_id, row.payload) for row in uow.session.scalars(
            select(OutboxEventRow).where(OutboxEventRow.type == kind)
            .order_by(OutboxEventRow.seq))]


def decisions(hub, app: App) -> list[dict]:
    with hub.unit_of_work() as uow:
        return [row.body for row in uow.session.scalars(select(LedgerEntryRow).where(
            LedgerEntryRow.kind == "decision").order_by(LedgerEntryRow.seq))
            if row.body["app_id"] == app.credentials.app.id]


def test_an_app_adds_an_image_and_lists_and_fetches_it(hub, album, linked):
    answer = add(album, "album-ada", jpeg_with_gps(), title="Sunset")
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert set(made) == {"id", "kind", "title", "expression", "media_type", "width",
                         "height", "url", "made_in", "created_at"}
    assert (made["kind"], made["title"], made["expression"], made["made_in"]) == (
        "image", "Sunset", None, "Album")
    assert (made["media_type"], made["width"], made["height"]) == ("image/jpeg", 300, 200)
    picture = fetch(album, made["url"])
    assert picture.status_code == 200
    assert not Image.open(io.BytesIO(picture.content)).getexif()  # no GPS left
    listed = album.client.get("/v1/app/users/album-ada/creations", auth=album.auth)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["creations"]] == [made["id"]]
    one = album.client.get(f"/v1/app/users/album-ada/creations/{made['id']}",
                           auth=album.auth)
    assert one.status_code == 200 and one.json()["title"] == "Sunset"
    ledgered = decisions(hub, album)
    assert len(ledgered) == 3
    assert all((d["category"], d["purpose"], d["allowed"]) == (
        "creations", "cross_app_features", True) for d in ledgered)


def test_the_list_is_newest_first_without_hidden_ones(hub, clock, album, linked):
    person = person_of(hub)
    set_profile_avatar(hub, person, DEFAULT_AVATAR.to_document())
    first = make_sticker(hub, person, "happy")
    clock.advance(seconds=1)
    second = make_sticker(hub, person, "sad")
    clock.advance(seconds=1)
    hidden = make_sticker(hub, person, "wink")
    set_hidden(hub, person, hidden.id, True)
    listed = album.client.get("/v1/app/users/album-ada/creations", auth=album.auth).json()
    assert [(c["id"], c["kind"], c["expression"]) for c in listed["creations"]] == [
        (second.id, "sticker", "sad"), (first.id, "sticker", "happy")]
    gone = album.client.get(f"/v1/app/users/album-ada/creations/{hidden.id}",
                            auth=album.auth)
    assert gone.status_code == 404 and gone.json()["type"] == PROBLEMS + "creations/not-found"


def test_an_added_creation_reaches_the_other_declaring_apps_only(hub, album, board, chat,
                                                                  linked):
    made = add(album, "album-ada", jpeg_with_gps()).json()
    added = outbox(hub, "creation.added")
    assert [app_id for app_id, _ in added] == [board.credentials.app.id]
    payload = added[0][1]
    assert payload["app_user_id"] == "board-ada"
    creation = payload["creation"]
    assert creation["id"] == made["id"] and creation["made_in"] == "Album"
    assert fetch(board, creation["url"]).status_code == 200
    # A URL is the app's own: Board's does not open for Album's client id, nor Chat's.
    assert "app=" + board.client_id in creation["url"]
    assert chat.client.get(urlsplit(creation["url"]).path, auth=chat.auth).status_code == 404


def test_deleting_tells_every_declaring_app_and_kills_their_urls(hub, album, board, linked):
    made = add(album, "album-ada", jpeg_with_gps()).json()
    board_url = outbox(hub, "creation.added")[0][1]["creation"]["url"]
    assert fetch(board, board_url).status_code == 200
    delete_creation(hub, person_of(hub), made["id"])
    deleted = outbox(hub, "creation.deleted")
    assert sorted(app_id for app_id, _ in deleted) == sorted(
        [album.credentials.app.id, board.credentials.app.id])
    assert all(p["creation_id"] == made["id"] for _, p in deleted)
    assert fetch(board, board_url).status_code == 404
    assert fetch(album, made["url"]).status_code == 404
    again = album.client.get(f"/v1/app/users/album-ada/creations/{made['id']}",
                             auth=album.auth)
    assert again.status_code == 404


def test_an_app_that_did_not_declare_creations_is_refused_with_403(hub, chat, linked):
    for answer in (chat.client.get("/v1/app/users/chat-ada/creations", auth=chat.auth),
                   chat.client.get("/v1/app/users/chat-ada/creations/x", auth=chat.auth),
                   add(chat, "chat-ada", jpeg_with_gps())):
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == PROBLEMS + "creations/not-declared"


def test_an_unlinked_or_unknown_user_gets_the_data_apis_404(hub, album, linked):
    album.client.delete("/v1/app/links/album-ada", auth=album.auth)
    for user in ("album-ada", "nobody"):
        for answer in (album.client.get(f"/v1/app/users/{user}/creations", auth=album.auth),
                       add(album, user, jpeg_with_gps())):
            assert answer.status_code == 404, answer.text
            assert answer.json()["type"] == PROBLEMS + "unknown-app-user"
    # The removed link's request is still decided and ledgered, refused.
    assert [d["allowed"] for d in decisions(hub, album)][-2:] == [False, False]


def test_another_persons_creation_is_not_found(hub, album, visitor, linked):
    made = add(album, "album-ada", jpeg_with_gps()).json()
    visitor.client.cookies.clear()
    visitor.sign_up("eve@example.com")
    link(album, visitor, app_user_id="album-eve")
    answer = album.client.get(f"/v1/app/users/album-eve/creations/{made['id']}",
                              auth=album.auth)
    assert answer.status_code == 404
    assert answer.json()["type"] == PROBLEMS + "creations/not-found"
    listed = album.client.get("/v1/app/users/album-eve/creations", auth=album.auth)
    assert listed.json() == {"creations": []}


@pytest.mark.parametrize(("content", "status", "code"), [
    (SVG, 422, "not-an-image"),
    (b"hello", 422, "not-an-image"),
    (b"", 422, "invalid-input"),
    (png_header_claiming(20_000, 20_000), 413, "image-too-many-pixels"),
])
def test_a_refused_upload_is_a_problem_naming_the_file(hub, album, linked, content, status,
                                                       code):
    answer = add(album, "album-ada", content)
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["type"] == PROBLEMS + code and body["field"] == "file"
    assert outbox(hub, "creation.added") == []


def test_a_file_over_the_media_limit_is_413_and_nothing_is_kept(hub, album, linked):
    limit = hub.settings.media_max_upload_bytes
    answer = add(album, "album-ada", b"\xff\xd8" + b"0" * limit)
    assert answer.status_code == 413, answer.text
    assert answer.json()["type"] == PROBLEMS + "image-too-large"
    assert album.client.get("/v1/app/users/album-ada/creations",
                            auth=album.auth).json() == {"creations": []}


def test_a_title_too_long_is_422(hub, album, linked):
    answer = add(album, "album-ada", encoded("PNG"), title="x" * 81)
    assert answer.status_code == 422 and answer.json()["field"] == "title"


def test_bad_client_credentials_are_401(album, linked):
    answer = album.client.get("/v1/app/users/album-ada/creations",
                              auth=(album.client_id, "wrong"))
    assert answer.status_code == 401
