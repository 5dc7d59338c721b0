"""The access log never holds a token or a request_uri from a query string (issue 10,
point 7; CHECKLIST 49): checked on the log records of real requests, in-process and from
`accounts-center serve`."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import uvicorn

from accounts_center.web.access_log import access_log_config, redact_query
from accounts_center.web.app import create_app
from tests.live_hub import free_port, running_hub

HINT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl"
PUSHED = "urn:ietf:params:oauth:request_uri:pushed-secret-value"
QUERIES = [
    f"/oauth2/logout?id_token_hint={HINT}&client_id=app_chat&state=s1",
    f"/oauth2/authorize?client_id=app_chat&request_uri={PUSHED}",
    "/not-a-route?code=the-code-value&logout_token=the-logout-token&login_hint=ada%40example.com",
]
SECRETS = [HINT, "pushed-secret-value", "the-code-value", "the-logout-token", "ada%40example.com"]


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_only_the_secret_parameters_are_replaced():
    assert redact_query("/oauth2/logout?id_token_hint=abc&state=s1&client_id=x") == (
        "/oauth2/logout?id_token_hint=REDACTED&state=s1&client_id=x")
    assert redact_query("/x?ID_TOKEN_HINT=abc&id%5Ftoken%5Fhint=def&code") == (
        "/x?ID_TOKEN_HINT=REDACTED&id%5Ftoken%5Fhint=REDACTED&code")
    assert redact_query("/accounts") == "/accounts"


def test_access_log_records_of_real_requests_hold_no_secret(hub):
    port = free_port()
    config = uvicorn.Config(create_app(hub), host="127.0.0.1", port=port,
                            log_config=access_log_config(), log_level="info")
    server = uvicorn.Server(config)
    captured = Captured()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(captured)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        for query in QUERIES:
            httpx.get(f"http://127.0.0.1:{port}{query}")
    finally:
        server.should_exit = True
        thread.join(10)
        access.removeHandler(captured)
    assert len(captured.lines) == len(QUERIES)
    logged = "\n".join(captured.lines)
    assert not [secret for secret in SECRETS if secret in logged], logged
    assert logged.count("REDACTED") == 5 and "state=s1" in logged


def test_serve_writes_no_secret_to_its_access_log(tmp_path):
    with running_hub(tmp_path, log_level="info") as live:
        for query in QUERIES:
            httpx.get(live.base_url + query)
    output = (tmp_path / "server.log").read_text()
    assert "/oauth2/logout?id_token_hint=REDACTED&client_id=app_chat&state=s1" in output
    assert not [secret for secret in SECRETS if secret in output], output
