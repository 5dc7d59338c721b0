"""Every refusal of the hub reaches the app as a typed exception carrying the hub's body."""

from __future__ import annotations

import httpx
import pytest

from accounts_center_sdk import (
    AccountsCenter,
    HubError,
    HubUnavailable,
    InvalidClient,
    InvalidRequest,
    NeverShared,
    PolicyDenied,
    UnknownAppUser,
)
from fake_hub import ISSUER, FakeHub, problem

DATA = "/v1/app/users/u%2F1/data/device"


def client(fake: FakeHub) -> AccountsCenter:
    return AccountsCenter(ISSUER, "app_chat", "secret", "https://chat.test/cb",
                          http=httpx.Client(transport=httpx.MockTransport(fake.handle)))


@pytest.mark.parametrize("answer, raised", [
    (problem(403, "policy/receiver-not-declared"), PolicyDenied),
    (problem(404, "unknown-app-user"), UnknownAppUser),
    (problem(422, "never-shared-category", field="fields.last_message"), NeverShared),
    (problem(422, "validation"), InvalidRequest),
    (problem(401, "client-authentication"), InvalidClient),
])
def test_problems_are_raised_by_kind_with_the_whole_body(fake_hub, answer, raised):
    fake_hub.answers[DATA] = answer
    with pytest.raises(raised) as refused:
        client(fake_hub).push("u/1", "device", {"model": "x"})
    assert isinstance(refused.value, HubError)
    assert refused.value.problem == answer.json() and refused.value.status == answer.status_code
    assert refused.value.title == answer.json()["title"]
    if raised is NeverShared:
        assert refused.value.field == "fields.last_message"


def test_the_app_user_id_is_one_path_segment_and_the_body_is_the_push(fake_hub):
    fake_hub.answers[DATA] = httpx.Response(201, json={"status": "stored"})
    client(fake_hub).push("u/1", "device", {"model": "x"}, purpose="security_and_integrity")
    sent = fake_hub.requests[-1]
    assert sent.url.raw_path == DATA.encode()
    assert sent.read() == b'{"purpose": "security_and_integrity", "fields": {"model": "x"}}'


@pytest.mark.parametrize("answer", [httpx.Response(500, text="boom"),
                                    httpx.Response(503, json={"title": "down"})])
def test_a_failing_hub_is_unavailable_not_a_refusal(fake_hub, answer):
    fake_hub.answers["/v1/app/links/u1"] = answer
    with pytest.raises(HubUnavailable) as failed:
        client(fake_hub).unlink("u1")
    assert failed.value.status == answer.status_code


def test_an_unreachable_hub_is_unavailable_and_the_app_starts_without_it():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)
    hub = AccountsCenter(ISSUER, "app_chat", "secret", "https://chat.test/cb",
                         http=httpx.Client(transport=httpx.MockTransport(refuse)))
    with pytest.raises(HubUnavailable, match="cannot be reached"):
        hub.read("u1", "account_details")
