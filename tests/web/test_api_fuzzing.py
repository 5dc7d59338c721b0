"""Schemathesis over /openapi.json: no input, however malformed, gives a 500
(SECURITY-CHECKLIST 37), and answers match the documented schemas. The cases are sent to
the `client` fixture's hub: on SQLite and, when ACCOUNTS_CENTER_TEST_POSTGRES_URL is set,
on PostgreSQL, where some faults only show (NUL in text, 4-byte integer columns)."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from starlette.testclient import TestClient

from accounts_center.hub import build_hub
from accounts_center.services.member_apps import register_app
from accounts_center.store import migrate
from accounts_center.web.app import create_app
from tests.support import cheap_settings, csrf_from

# Only for the OpenAPI document, which depends on no database.
_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='ac-fuzz-')) / 'hub.db'}"
migrate.upgrade(_url)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(build_hub(
    cheap_settings(_url))))


@pytest.fixture
def signed_in(hub, client: TestClient) -> dict[str, str]:
    """A real session and a member app's credentials, so the fuzzer reaches past
    authentication on `/v1/me` and `/v1/app`."""
    client.post("/signup", data={"login": "fuzz@example.com",
                                 "password": "correct horse battery",
                                 "csrf_token": csrf_from(client.get("/signup").text)})
    session = client.cookies["ac_session"]
    csrf = csrf_from(client.get("/security").text)
    app = register_app(hub, "Fuzz", ["https://fuzz.example/cb"], "https://fuzz.example/hooks",
                       {"sends": ["device"], "receives": ["device"]})
    basic = base64.b64encode(
        f"{app.app.client_id}:{app.client_secret}".encode()).decode()
    client.cookies.clear()
    return {"cookie": f"ac_session={session}", "x-csrf-token": csrf,
            "authorization": f"Basic {basic}"}


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case, client, signed_in):
    response = case.call(app=client.app, headers=signed_in)
    case.validate_response(response, checks=[
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.response_schema_conformance,
        schemathesis.checks.content_type_conformance,
    ])


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_anonymous_request_makes_the_api_fail(case, client):
    case.validate_response(case.call(app=client.app),
                           checks=[schemathesis.checks.not_a_server_error])
