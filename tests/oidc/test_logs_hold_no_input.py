"""No log line holds what was sent (CHECKLIST 49): not hostile input the edge refuses,
not a form or JSON value a service refuses, not a path or a message of an unexpected
error, not the data of a failed download."""

from __future__ import annotations

import logging
import traceback

import pytest
from starlette.testclient import TestClient

from accounts_center.services import archives
from accounts_center.web.app import create_app
from accounts_center.web.console import privacy_pages
from tests.oidc.conftest import link
from tests.support import csrf_from

MARK = "Marked7f3a"  # what was sent; it must appear in no log record


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        if record.name.startswith("httpx"):  # the test's own HTTP client, not the hub
            continue
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append("".join(traceback.format_exception(*record.exc_info)))
    return "\n".join(lines)


def test_nothing_that_was_sent_reaches_a_log(hub, chat, visitor, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    browser = visitor.client
    token = csrf_from(browser.get("/security").text)
    browser.get(f"/your-information/download/{MARK}%00")
    browser.get(f"/login?next=/{MARK}%0A")
    browser.get(f"/v1/me/security-events?before={MARK}")
    browser.post("/your-information/age", data={"birth_date": MARK + "\x00",
                                                "csrf_token": token})
    browser.post("/security/password", data={"current_password": MARK,
                                             "new_password": MARK, "csrf_token": token})
    for fields in [f'{{"{MARK}": "\\ud800"}}', f'{{"model": "{MARK}", "model": NaN}}',
                   f'{{"model": "{MARK}"}}']:
        chat.client.post("/v1/app/users/chat-ada/data/device", auth=chat.auth,
                         headers={"content-type": "application/json"},
                         content=f'{{"purpose": "advertising", "fields": {fields}}}')

    # A bug on a route whose path holds an id: the log names the route, not the path.
    def failing(*_: object) -> None:
        raise RuntimeError(f"details of {MARK}")

    monkeypatch.setattr(privacy_pages, "archive_job", failing)
    with TestClient(create_app(hub), raise_server_exceptions=False) as other:
        other.cookies.update(browser.cookies)
        assert other.get(f"/your-information/download/{MARK}").status_code == 500

    # A download that fails while it is built: its error's type only.
    monkeypatch.setattr(archives, "build_archive", failing)
    with hub.unit_of_work() as uow:
        person = uow.links.active_for_app_user(chat.credentials.app.id, "chat-ada")
        identity_id = person.identity_id
    archives.start_archive(hub, identity_id, wait=True)

    logged = everything_logged(caplog)
    assert MARK not in logged
    assert "unhandled RuntimeError on GET /your-information/download/{job_id}" in logged
    assert "failed: RuntimeError" in logged
