from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support import csrf_from

PASSWORD = "correct horse battery"


def form_token(client: TestClient, path: str = "/login") -> str:
    return csrf_from(client.get(path).text)


def sign_up_through_form(client: TestClient, login: str = "ada@example.com",
                         password: str = PASSWORD) -> None:
    response = client.post("/signup", data={"login": login, "password": password,
                                            "csrf_token": form_token(client, "/signup")})
    assert response.status_code == 303, response.text


def log_in_through_form(client: TestClient, login: str = "ada@example.com",
                        password: str = PASSWORD):
    return client.post("/login", data={"login": login, "password": password,
                                       "csrf_token": form_token(client)})


def start_two_factor(client: TestClient):
    """Set up from /security; returns the set-up page and the key it shows."""
    started = client.post("/security/two-factor/start",
                          data={"csrf_token": csrf_from(client.get("/security").text)})
    assert started.status_code == 303, started.text
    page = client.get(started.headers["location"])
    assert page.status_code == 200, page.text
    return page, page.text.split('id="totp-secret">')[1].split("<")[0]


@pytest.fixture
def person(client: TestClient) -> TestClient:
    """A client logged in as a freshly signed-up person."""
    sign_up_through_form(client)
    return client

