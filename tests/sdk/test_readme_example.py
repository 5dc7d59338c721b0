"""The SDK README's integration example is real (issue 12, point 1): it is at most 15
lines of app code, and run as written it links a user and signs a person in with the
real hub."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from tests.hub_browser import Browser
from tests.live_hub import LiveHub, free_port, running_hub

README = Path(__file__).parents[2] / "sdk" / "README.md"
MAX_APP_LINES = 15


def example() -> str:
    text = README.read_text()
    found = re.search(r"<!-- integration-example -->\n```python\n(.*?)```", text, re.DOTALL)
    assert found, "the SDK README lost its integration example"
    return found.group(1)


def app_lines(code: str) -> list[str]:
    """Lines of app code: not blank, not a comment, not an import."""
    return [line for line in code.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
            and not re.match(r"(from \S+ )?import ", line)]


def test_the_example_is_at_most_15_lines_of_app_code():
    lines = app_lines(example())
    assert len(lines) <= MAX_APP_LINES, "\n".join(lines)
    assert any("start_link" in line for line in lines)
    assert any("start_sign_in" in line for line in lines)
    assert f"{len(lines)} lines of app code" in README.read_text()


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with running_hub(tmp_path_factory.mktemp("readme-hub")) as hub:
        yield hub


def test_the_example_links_and_signs_in_against_the_real_hub(live_hub: LiveHub):
    app_url = f"http://127.0.0.1:{free_port()}"
    done = live_hub.cli("apps", "add", "Chat", "--redirect-uri",
                        f"{app_url}/accounts-center/callback", "--webhook-url",
                        f"{app_url}/hooks", "--json")
    assert done.returncode == 0, done.stderr
    credentials = json.loads(done.stdout)
    scope = {"HUB_URL": live_hub.base_url, "APP_URL": app_url, "HTTPS": False,
             "CLIENT_ID": credentials["client_id"], "SESSION_KEY": "k" * 32,
             "CLIENT_SECRET": credentials["client_secret"]}
    exec(compile(example(), str(README), "exec"), scope)  # noqa: S102 - our own README
    app = scope["app"]

    @app.get("/me")  # what the app's own login and home page would do
    def me(request: Request, login: str = "") -> dict[str, str | None]:
        if login:
            request.session.update(user_id=login, handle=f"@{login}")
        return {"user_id": request.session.get("user_id")}

    with httpx.Client(follow_redirects=False, timeout=10) as hub_client, \
            TestClient(app, base_url=app_url, follow_redirects=False) as chat:
        person = Browser(live_hub.base_url, hub_client)
        person.sign_up(f"readme-{uuid.uuid4().hex[:10]}@example.com")

        def round_trip(action: str, confirm: bool) -> httpx.Response:
            to_hub = chat.post(f"/accounts-center/{action}")
            assert to_hub.status_code == 303, to_hub.text
            page = person.go(to_hub.headers["location"])
            if confirm:
                page = person.submit(page, "confirm")
            back = page.headers["location"]
            assert back.startswith(f"{app_url}/accounts-center/callback?"), back
            return chat.get(urlsplit(back).path + "?" + urlsplit(back).query)

        chat.get("/me", params={"login": "ada"})
        assert round_trip("add", confirm=True).status_code == 303
        chat.cookies.clear()  # logged out of the app
        assert chat.get("/me").json() == {"user_id": None}
        assert round_trip("continue", confirm=False).headers["location"] == "/"
        assert chat.get("/me").json() == {"user_id": "ada"}
