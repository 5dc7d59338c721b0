"""The person-facing JSON API under /v1/me (cookie session, CSRF header)."""

from starlette.testclient import TestClient

from tests.support import csrf_from
from tests.web.conftest import log_in_through_form, sign_up_through_form


def test_me_needs_a_session_and_answers_with_a_problem(client):
    response = client.get("/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401 and body["type"].endswith("/not-authenticated")


def test_me_describes_the_logged_in_person(person):
    body = person.get("/v1/me").json()
    assert body["email"] == "ada@example.com" and body["phone"] is None
    assert body["two_factor_enabled"] is False


def test_sessions_are_listed_and_one_can_be_ended_with_the_csrf_header(person):
    with TestClient(person.app, follow_redirects=False) as phone:
        log_in_through_form(phone)
        sessions = person.get("/v1/me/sessions").json()
        other = next(s for s in sessions if not s["current"])
        refused = person.delete(f"/v1/me/sessions/{other['id']}")
        assert refused.status_code == 403
        token = csrf_from(person.get("/security").text)
        ended = person.delete(f"/v1/me/sessions/{other['id']}",
                              headers={"x-csrf-token": token})
        assert ended.status_code == 204
        assert phone.get("/v1/me").status_code == 401


def test_a_person_cannot_see_or_end_someone_elses_sessions(client):
    sign_up_through_form(client, "bob@example.com")
    bob_session = client.get("/v1/me/sessions").json()[0]["id"]
    client.cookies.clear()
    sign_up_through_form(client, "ada@example.com")
    assert [s["id"] for s in client.get("/v1/me/sessions").json()] != [bob_session]
    token = csrf_from(client.get("/security").text)
    response = client.delete(f"/v1/me/sessions/{bob_session}", headers={"x-csrf-token": token})
    assert response.status_code == 404


def test_security_events_page_backwards(person):
    for _ in range(3):
        log_in_through_form(person, password="wrong password here")
    first = person.get("/v1/me/security-events?limit=2").json()
    assert [e["kind"] for e in first["items"]] == ["login_failed", "login_failed"]
    rest = person.get(f"/v1/me/security-events?limit=2&before={first['next_before']}").json()
    assert [e["kind"] for e in rest["items"]] == ["login_failed", "signed_up"]
    assert person.get("/v1/me/security-events?limit=1000").status_code == 422
