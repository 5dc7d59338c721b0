"""API conventions: OpenAPI, RFC 9457 problems, size limits, security headers."""

import pytest
from starlette.testclient import TestClient

from accounts_center.hub import build_hub
from accounts_center.web.app import create_app
from tests.support import cheap_settings


def test_the_openapi_document_describes_the_v1_api(client):
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/v1/health", "/v1/me", "/v1/me/sessions"} <= set(document["paths"])
    assert not any(p.startswith("/security") for p in document["paths"])


def test_health_reports_the_database(client):
    assert client.get("/v1/health").json() == {"status": "ok", "database": "ok"}


def test_unknown_api_paths_are_problems(client):
    response = client.get("/v1/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not found"


def test_unknown_pages_are_readable_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "<h1>Not found</h1>" in response.text


@pytest.mark.parametrize("path", ["/v1/me/sessions/x", "/signup"])
def test_oversized_bodies_are_refused_before_they_are_read(client, path):
    response = client.post(path, content=b"x" * 2_000_000,
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_a_streamed_oversized_body_is_refused(client):
    def chunks():
        for _ in range(40):
            yield b"login=" + b"x" * 50_000

    response = client.post("/signup", content=chunks(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/login", "/v1/health", "/v1/me"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script(client):
    page = client.get("/login").text
    assert "<script>" not in page and "onclick" not in page


def test_health_is_a_problem_when_the_database_is_gone(clock):
    hub = build_hub(cheap_settings("sqlite:////nonexistent-dir/hub.db"), clock=clock)
    with TestClient(create_app(hub)) as client:
        response = client.get("/v1/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    hub.close()
