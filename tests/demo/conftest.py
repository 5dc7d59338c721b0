"""The demo apps in-process (Starlette's TestClient), without a hub unless a test gives
one: each app must work fully on its own."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from accounts_center_demo.apps import family_apps
from accounts_center_demo.family.config import AppConfig, HubCredentials
from accounts_center_demo.family.models import User
from tests.demo.hub_standin import HUB, MediaServer

APP_PASSWORD = "app password 42"

MakeClient = Callable[..., TestClient]


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def make(slug: str, hub: HubCredentials | None = None) -> TestClient:
        config = AppConfig(family_apps()[slug].identity, "http://testserver", tmp_path / slug,
                           hub, argon2_time_cost=1, argon2_memory_kib=1024,
                           argon2_parallelism=1)
        client = TestClient(family_apps()[slug].create(config))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def sign_up(client: TestClient, login: str, name: str = "Ada") -> str:
    """Signs up and returns the signed-in session's CSRF token."""
    token = csrf_of(client.get("/signup").text)
    answer = client.post("/signup", data={"csrf_token": token, "login": login,
                                          "display_name": name, "password": APP_PASSWORD})
    assert answer.status_code == 200 and "Sign out" in answer.text, answer.text
    return csrf_of(answer.text)


def linked(client: TestClient, user_id: int = 1) -> None:
    """Marks the user as added to Accounts Center, as the app knows it."""
    store = client.app.state.family.store  # type: ignore[attr-defined]
    with store.session() as db:
        user = db.get(User, user_id)
        assert user is not None
        user.hub_linked = True


def linked_app(make: MakeClient, media: MediaServer, slug: str, login: str) -> TestClient:
    """The app with the hub stand-in, one person signed up, signed in and added."""
    client = make(slug, hub=HUB)
    media.attach(client)
    sign_up(client, login, "Ada")
    linked(client)
    return client


@pytest.fixture
def media() -> MediaServer:
    return MediaServer()


@pytest.fixture
def pics(make_client: MakeClient, media: MediaServer) -> TestClient:
    return linked_app(make_client, media, "pics", "ada")


@pytest.fixture
def chat(make_client: MakeClient, media: MediaServer) -> TestClient:
    return linked_app(make_client, media, "chat", "+15550100")
