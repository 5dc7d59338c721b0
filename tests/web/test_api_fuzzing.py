"""Schemathesis over /openapi.json: no input, however malformed, gives a 500
(SECURITY-CHECKLIST 37), and answers match the documented schemas."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from starlette.testclient import TestClient

from accounts_center.hub import build_hub
from accounts_center.store import migrate
from accounts_center.web.app import create_app
from tests.support import cheap_settings

_folder = Path(tempfile.mkdtemp(prefix="ac-fuzz-"))
_url = f"sqlite:///{_folder / 'hub.db'}"
migrate.upgrade(_url)
app = create_app(build_hub(cheap_settings(_url)))


def _logged_in_headers() -> dict[str, str]:
    """A real session, so the fuzzer reaches past authentication."""
    with TestClient(app, follow_redirects=False) as browser:
        page = browser.get("/signup").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
        browser.post("/signup", data={"login": "fuzz@example.com",
                                      "password": "correct horse battery",
                                      "csrf_token": token})
        session = browser.cookies["ac_session"]
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"',
                         browser.get("/security").text).group(1)
    return {"cookie": f"ac_session={session}", "x-csrf-token": csrf}


HEADERS = _logged_in_headers()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case):
    response = case.call(headers=HEADERS)
    case.validate_response(response, checks=[
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.response_schema_conformance,
        schemathesis.checks.content_type_conformance,
    ])


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_anonymous_request_makes_the_api_fail(case):
    case.validate_response(case.call(), checks=[schemathesis.checks.not_a_server_error])
