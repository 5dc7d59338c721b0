"""Console forms with characters no one types (NUL, other control characters, bytes that
are not UTF-8, UTF-8 of a lone surrogate) get a readable page, never a 500, and change
nothing; a user agent with them is kept without them (CHECKLIST 37)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from accounts_center.store.models import IdentityRow
from tests.support import csrf_from
from tests.web.conftest import PASSWORD

FORMS = {
    "/signup": {"login": "eve@example.com", "password": PASSWORD},
    "/login": {"login": "ada@example.com", "password": PASSWORD},
    "/security/password": {"current_password": PASSWORD, "new_password": "a new long phrase"},
    "/your-information/age": {"birth_date": "2001-02-03"},
    "/security/two-factor/disable": {"password": PASSWORD},
}
RAW = {"NUL": "%00", "NUL inside": "a%00b", "control character": "%01",
       "escape": "%1B%5B31m", "byte that is not UTF-8": "%FF",
       "UTF-8 of a lone surrogate": "%ED%A0%80", "over-long": "x" * 5000}


def post_raw(client: TestClient, path: str, fields: dict[str, str]) -> object:
    token = csrf_from(client.get("/security").text)
    body = "&".join([*(f"{name}={value}" for name, value in fields.items()),
                     f"csrf_token={token}"])
    return client.post(path, content=body,
                       headers={"content-type": "application/x-www-form-urlencoded"})


@pytest.mark.parametrize("path", FORMS)
def test_hostile_form_fields_get_a_readable_page(hub, person, path):
    for label, raw in RAW.items():
        for name in FORMS[path]:
            response = post_raw(person, path, {**FORMS[path], name: raw})
            what = f"{path} {name} with {label}"
            assert 400 <= response.status_code < 500, what
            assert response.headers["content-type"].startswith("text/html"), what
            assert "<h1>" in response.text, what
    with hub.unit_of_work() as uow:  # the one person who signed up, nobody else
        assert uow.session.query(IdentityRow).count() == 1
    assert person.get("/security").status_code == 200  # still logged in, same password


def test_a_control_character_in_a_form_is_named_on_the_page(person):
    page = post_raw(person, "/your-information/age", {"birth_date": "2001-02-03%00"})
    assert page.status_code == 422
    assert "birth_date" in page.text and "control characters" in page.text


def test_a_user_agent_with_control_characters_is_kept_without_them(hub, client):
    # Servers refuse NUL in a header; the hub does not count on it (PostgreSQL text).
    client.post("/signup", headers={"user-agent": b"Agent\x00 \x01Zero"}, data={
        "login": "ada@example.com", "password": PASSWORD,
        "csrf_token": csrf_from(client.get("/signup").text)})
    sessions = client.get("/v1/me/sessions", headers={"user-agent": b"Agent\x00 \x01Zero"})
    assert sessions.status_code == 200
    assert sessions.json()[0]["user_agent"] == "Agent Zero"
