from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from accounts_center.domain.login_names import parse_login_name
from accounts_center.services.data_flows import push_data
from accounts_center.services.member_apps import register_app, show_app
from tests.support import csrf_from, link_now

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


@pytest.fixture
def aged_person(hub, person: TestClient) -> TestClient:
    """``person``, whose Pics account told the hub a birth date: the age form shows."""
    register_app(hub, "Pics", ["https://pics.example/cb"], "https://pics.example/hooks",
                 {"sends": ["age"], "receives": ["age"]})
    app = show_app(hub, "Pics")
    with hub.unit_of_work() as uow:
        identity = uow.identities.by_login_name(parse_login_name("ada@example.com"))
        assert identity is not None
        link_now(uow, hub, identity.id, uow.member_apps.by_id(app.id), "pics-ada")
        uow.commit()
    push_data(hub, app, "pics-ada", "age", "cross_app_features", {"birth_date": "2000-01-01"})
    return person


def person_id(hub, login: str = "ada@example.com") -> str:
    with hub.unit_of_work() as uow:
        identity = uow.identities.by_login_name(parse_login_name(login))
        assert identity is not None
        return identity.id
