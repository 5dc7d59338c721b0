"""The cross-posting calls against a stand-in hub: the exact requests (the hub's routes,
its multipart fields, never an audience), typed results with each destination's state,
and each of the hub's cross-post problems as its own exception (sync and async)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from accounts_center_sdk import (
    AccountsCenter,
    AsyncAccountsCenter,
    CopyReported,
    CrossPost,
    CrossPostDestination,
    CrossPostDestinationNotOffered,
    CrossPostNoDestination,
    CrossPostNotFound,
    CrossPostPairUnavailable,
    CrossPostTypeNotDeclared,
    HubError,
    HubUnavailable,
    InvalidRequest,
    PolicyDenied,
    UnknownAppUser,
)
from fake_hub import ISSUER, FakeHub, problem, run_on_its_own_loop

USER = "/v1/app/users/u%2F1"
DESTINATIONS = USER + "/crosspost/destinations"
POSTS = USER + "/crossposts"
POST = "/v1/app/crossposts/p%2F1"
PICS = {"id": "ch1", "app": "Pics", "type": "story", "mode": "ask"}
SOCIAL = {"id": "ch2", "app": "Social", "type": "story", "mode": "always"}
DOCUMENT = {"id": "p/1", "type": "status", "caption": "Sunset", "media_type": "image/jpeg",
            "expires_at": "2026-11-28T18:00:00Z", "created_at": "2026-11-27T18:00:00Z",
            "deleted_at": None,
            "destinations": [
                {"destination": PICS, "state": "sent",
                 "updated_at": "2026-11-27T18:00:00Z"},
                {"destination": SOCIAL, "state": "refused",
                 "updated_at": "2026-11-27T18:00:00Z"}]}


def client(fake: FakeHub) -> AccountsCenter:
    return AccountsCenter(ISSUER, "app_chat", "secret", "https://chat.test/cb",
                          http=httpx.Client(transport=httpx.MockTransport(fake.handle)))


def multipart_fields(request: httpx.Request) -> list[tuple[str, bytes]]:
    """Each part's name and content, in order."""
    boundary = request.headers["content-type"].split("boundary=")[1].encode()
    parts = []
    for chunk in request.read().split(b"--" + boundary)[1:-1]:
        head, _, content = chunk.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        parts.append((name, content.removesuffix(b"\r\n")))
    return parts


def test_destinations_are_listed_typed_for_the_type(fake_hub):
    fake_hub.answers[DESTINATIONS] = httpx.Response(200, json={"destinations": [PICS,
                                                                                SOCIAL]})
    found = client(fake_hub).crosspost_destinations("u/1", "status")
    assert found == [CrossPostDestination("ch1", "Pics", "story", "ask"),
                     CrossPostDestination("ch2", "Social", "story", "always")]
    sent = fake_hub.requests[-1]
    assert (sent.method, sent.url.raw_path) == ("GET", (DESTINATIONS + "?type=status").encode())
    assert sent.headers["authorization"].startswith("Basic ")


def test_create_sends_exactly_the_hubs_fields_and_never_an_audience(fake_hub):
    fake_hub.answers[POSTS] = httpx.Response(201, json=DOCUMENT)
    expiry = datetime(2026, 11, 28, 18, tzinfo=UTC)
    made = client(fake_hub).create_crosspost(
        "u/1", post_type="status", media=b"\xff\xd8jpeg", media_type="image/jpeg",
        caption="Sunset", expires_at=expiry, destinations=["ch1", "ch3"])
    sent = fake_hub.requests[-1]
    assert sent.method == "POST" and sent.url.raw_path == POSTS.encode()
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    fields = multipart_fields(sent)
    assert sorted(fields) == sorted([
        ("type", b"status"), ("caption", b"Sunset"),
        ("expires_at", b"2026-11-28T18:00:00+00:00"), ("destinations", b"ch1"),
        ("destinations", b"ch3"), ("media", b"\xff\xd8jpeg")])
    assert b'name="media"; filename="post.jpeg"' in sent.read()
    assert b"Content-Type: image/jpeg" in sent.read()
    assert b"audience" not in sent.read()
    assert isinstance(made, CrossPost)
    assert made.expires_at == datetime(2026, 11, 28, 18, tzinfo=UTC) and made.deleted_at is None
    assert [(c.destination.app, c.state) for c in made.destinations] == [
        ("Pics", "sent"), ("Social", "refused")]


def test_create_sends_only_what_is_given(fake_hub):
    fake_hub.answers[POSTS] = httpx.Response(201, json=DOCUMENT)
    client(fake_hub).create_crosspost("u/1", post_type="status", media=b"png",
                                      media_type="image/png")
    assert [name for name, _ in multipart_fields(fake_hub.requests[-1])] == ["type", "media"]


def test_create_refuses_a_naive_expiry_or_a_lone_id_before_sending(fake_hub):
    hub = client(fake_hub)
    with pytest.raises(ValueError, match="time zone"):
        hub.create_crosspost("u/1", post_type="status", media=b"x", media_type="image/png",
                             expires_at=datetime(2026, 11, 28))
    with pytest.raises(TypeError):
        hub.create_crosspost("u/1", post_type="status", media=b"x", media_type="image/png",
                             destinations="ch1")
    assert fake_hub.requests == []


def test_an_expiry_keeps_its_offset(fake_hub):
    fake_hub.answers[POSTS] = httpx.Response(201, json=DOCUMENT)
    client(fake_hub).create_crosspost(
        "u/1", post_type="status", media=b"x", media_type="image/png",
        expires_at=datetime(2026, 11, 28, 20, tzinfo=timezone(timedelta(hours=2))))
    assert ("expires_at", b"2026-11-28T20:00:00+02:00") in multipart_fields(
        fake_hub.requests[-1])


def test_get_and_delete_use_the_posts_route(fake_hub):
    deleted = {**DOCUMENT, "deleted_at": "2026-11-27T19:00:00+00:00"}
    hub = client(fake_hub)
    fake_hub.answers[POST] = httpx.Response(200, json=DOCUMENT)
    assert hub.get_crosspost("p/1").id == "p/1"
    assert fake_hub.requests[-1].method == "GET"
    fake_hub.answers[POST] = httpx.Response(200, json=deleted)
    gone = hub.delete_crosspost("p/1")
    assert fake_hub.requests[-1].method == "DELETE"
    assert fake_hub.requests[-1].url.raw_path == POST.encode()
    assert gone.deleted_at == datetime(2026, 11, 27, 19, tzinfo=UTC)
    assert gone.expired_at is None  # an older hub's answer has no expired_at: None
    fake_hub.answers[POST] = httpx.Response(200, json={
        **DOCUMENT, "expired_at": "2026-11-28T18:00:03+00:00"})
    assert hub.get_crosspost("p/1").expired_at == datetime(2026, 11, 28, 18, 0, 3, tzinfo=UTC)


def test_report_puts_only_the_fields_given(fake_hub):
    fake_hub.answers[POST + "/copy"] = httpx.Response(200, json={
        "crosspost_id": "p/1", "type": "story", "state": "created", "item_id": "s9"})
    hub = client(fake_hub)
    done = hub.report_crosspost_copy("p/1", state="created", item_id="s9")
    assert done == CopyReported("p/1", "story", "created", "s9")
    sent = fake_hub.requests[-1]
    assert (sent.method, sent.headers["content-type"]) == ("PUT", "application/json")
    assert json.loads(sent.read()) == {"state": "created", "item_id": "s9"}
    hub.report_crosspost_copy("p/1", state="failed", post_type="story")
    assert json.loads(fake_hub.requests[-1].read()) == {"state": "failed", "type": "story"}


@pytest.mark.parametrize("answer, raised, also", [
    (problem(403, "crosspost/type-not-declared"), CrossPostTypeNotDeclared, PolicyDenied),
    (problem(422, "crosspost/destination-not-offered", field="destinations"),
     CrossPostDestinationNotOffered, InvalidRequest),
    (problem(422, "crosspost/no-destination"), CrossPostNoDestination, InvalidRequest),
    (problem(409, "crosspost/pair-unavailable"), CrossPostPairUnavailable, HubError),
    (problem(404, "unknown-app-user"), UnknownAppUser, HubError),
    (problem(422, "invalid-input", field="audience"), InvalidRequest, HubError),
])
def test_create_refusals_are_typed(fake_hub, answer, raised, also):
    fake_hub.answers[POSTS] = answer
    with pytest.raises(raised) as refused:
        client(fake_hub).create_crosspost("u/1", post_type="status", media=b"x",
                                          media_type="image/png")
    assert isinstance(refused.value, also) and refused.value.problem == answer.json()


def test_a_post_not_the_apps_is_not_found_everywhere(fake_hub):
    fake_hub.answers[POST] = problem(404, "crosspost/not-found")
    fake_hub.answers[POST + "/copy"] = problem(404, "crosspost/not-found")
    hub = client(fake_hub)
    for call in (lambda: hub.get_crosspost("p/1"), lambda: hub.delete_crosspost("p/1"),
                 lambda: hub.report_crosspost_copy("p/1", state="deleted")):
        with pytest.raises(CrossPostNotFound):
            call()


def test_a_malformed_answer_is_the_hubs_failure(fake_hub):
    fake_hub.answers[POST] = httpx.Response(200, json={**DOCUMENT, "destinations": [{}]})
    fake_hub.answers[DESTINATIONS] = httpx.Response(200, json={"destinations": ["x"]})
    with pytest.raises(HubUnavailable, match="not a cross-post"):
        client(fake_hub).get_crosspost("p/1")
    with pytest.raises(HubUnavailable):
        client(fake_hub).crosspost_destinations("u/1", "status")


def test_the_async_client_makes_the_same_calls(fake_hub):
    fake_hub.answers[DESTINATIONS] = httpx.Response(200, json={"destinations": [PICS]})
    fake_hub.answers[POSTS] = httpx.Response(201, json=DOCUMENT)
    fake_hub.answers[POST] = httpx.Response(200, json=DOCUMENT)
    fake_hub.answers[POST + "/copy"] = httpx.Response(200, json={
        "crosspost_id": "p/1", "type": "story", "state": "deleted", "item_id": None})

    async def run() -> tuple[object, ...]:
        async with AsyncAccountsCenter(
                ISSUER, "app_chat", "secret", "https://chat.test/cb",
                http=httpx.AsyncClient(transport=httpx.MockTransport(fake_hub.handle))) as hub:
            [pics] = await hub.crosspost_destinations("u/1", "status")
            made = await hub.create_crosspost("u/1", post_type="status", media=b"x",
                                              media_type="image/png", destinations=[pics.id])
            return (made, await hub.get_crosspost("p/1"), await hub.delete_crosspost("p/1"),
                    await hub.report_crosspost_copy("p/1", state="deleted"))

    made, read, deleted, reported = run_on_its_own_loop(run())
    assert made == read == deleted and isinstance(made, CrossPost)
    assert reported == CopyReported("p/1", "story", "deleted", None)
    assert ("destinations", b"ch1") in multipart_fields(fake_hub.requests[1])
