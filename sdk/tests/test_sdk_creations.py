"""The creations calls against a stand-in hub: typed `Creation`s, the multipart upload,
and each refusal as its own exception (sync and async)."""

from __future__ import annotations

import json

import httpx
import pytest

from accounts_center_sdk import (
    AccountsCenter,
    AsyncAccountsCenter,
    Creation,
    CreationNotFound,
    CreationsNotDeclared,
    HubUnavailable,
    PolicyDenied,
    UnknownAppUser,
)
from fake_hub import ISSUER, FakeHub, problem, run_on_its_own_loop

LIST = "/v1/app/users/u%2F1/creations"
DOCUMENT = {"id": "c1", "kind": "sticker", "title": "Happy sticker", "expression": "happy",
            "media_type": "image/png", "width": 256, "height": 256,
            "url": f"{ISSUER}/media/abc?app=app_chat&exp=1&sig=x",
            "made_in": "Accounts Center", "created_at": "2026-11-27T18:00:00+00:00"}


def client(fake: FakeHub) -> AccountsCenter:
    return AccountsCenter(ISSUER, "app_chat", "secret", "https://chat.test/cb",
                          http=httpx.Client(transport=httpx.MockTransport(fake.handle)))


def test_list_and_get_give_typed_creations(fake_hub):
    fake_hub.answers[LIST] = httpx.Response(200, json={"creations": [DOCUMENT]})
    fake_hub.answers[LIST + "/c%2F1"] = httpx.Response(200, json=DOCUMENT)
    hub = client(fake_hub)
    [listed] = hub.list_creations("u/1")
    assert isinstance(listed, Creation)
    assert (listed.id, listed.kind, listed.expression, listed.width) == (
        "c1", "sticker", "happy", 256)
    assert hub.get_creation("u/1", "c/1") == listed
    assert fake_hub.requests[-1].url.raw_path == (LIST + "/c%2F1").encode()


def test_add_sends_the_file_and_title_as_multipart(fake_hub):
    image = {**DOCUMENT, "kind": "image", "expression": None, "title": "Beach"}
    fake_hub.answers[LIST] = httpx.Response(201, json=image)
    made = client(fake_hub).add_creation("u/1", b"\xff\xd8jpeg", "image/jpeg", title="Beach")
    assert made.expression is None and made.title == "Beach"
    sent = fake_hub.requests[-1]
    body = sent.read()
    assert sent.method == "POST"
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="creation.jpeg"' in body and b"\xff\xd8jpeg" in body
    assert b'name="title"\r\n\r\nBeach' in body
    assert sent.headers["authorization"].startswith("Basic ")


def test_add_without_a_title_sends_none(fake_hub):
    fake_hub.answers[LIST] = httpx.Response(201, json=DOCUMENT)
    client(fake_hub).add_creation("u/1", b"png", "image/png")
    assert b'name="title"' not in fake_hub.requests[-1].read()


@pytest.mark.parametrize("answer, raised", [
    (problem(403, "creations/not-declared"), CreationsNotDeclared),
    (problem(404, "creations/not-found"), CreationNotFound),
    (problem(404, "unknown-app-user"), UnknownAppUser),
])
def test_refusals_are_typed(fake_hub, answer, raised):
    fake_hub.answers[LIST + "/c1"] = answer
    with pytest.raises(raised) as refused:
        client(fake_hub).get_creation("u/1", "c1")
    assert refused.value.problem == answer.json()


def test_not_declared_is_a_policy_denial():
    assert issubclass(CreationsNotDeclared, PolicyDenied)


def test_a_malformed_answer_is_the_hubs_failure(fake_hub):
    fake_hub.answers[LIST] = httpx.Response(200, content=json.dumps(
        {"creations": [{"id": "c1"}]}).encode(), headers={"content-type": "application/json"})
    with pytest.raises(HubUnavailable, match="not a creation"):
        client(fake_hub).list_creations("u/1")


def test_the_async_client_makes_the_same_calls(fake_hub):
    fake_hub.answers[LIST] = httpx.Response(200, json={"creations": [DOCUMENT]})

    async def run() -> list[Creation]:
        async with AsyncAccountsCenter(
                ISSUER, "app_chat", "secret", "https://chat.test/cb",
                http=httpx.AsyncClient(transport=httpx.MockTransport(fake_hub.handle))) as hub:
            return await hub.list_creations("u/1")

    assert [c.id for c in run_on_its_own_loop(run())] == ["c1"]
