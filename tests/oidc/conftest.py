"""A member app (relying party) talking to the hub in-process, as its backend and its
user's browser would."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from starlette.testclient import TestClient

from accounts_center.services.member_apps import Credentials, register_app
from tests.support import csrf_from

PASSWORD = "correct horse battery"
REDIRECT = "https://chat.example/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@dataclass
class App:
    client: TestClient
    credentials: Credentials
    redirect_uri: str = REDIRECT
    verifier: str = ""
    state: str = ""
    nonce: str = ""
    last: dict = field(default_factory=dict)

    @property
    def client_id(self) -> str:
        return self.credentials.app.client_id

    @property
    def auth(self) -> tuple[str, str]:
        return (self.client_id, self.credentials.client_secret)

    def authorization_params(self, **extra: str) -> dict[str, str]:
        self.verifier, challenge = pkce()
        self.state, self.nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        return {"response_type": "code", "client_id": self.client_id,
                "redirect_uri": self.redirect_uri, "scope": "openid", "state": self.state,
                "nonce": self.nonce, "code_challenge": challenge,
                "code_challenge_method": "S256", **extra}

    def push_link(self, app_user_id: str, handle: str, **extra: str) -> str:
        response = self.client.post("/oauth2/par", auth=self.auth, data=self.authorization_params(
            intent="link", app_user_id=app_user_id, handle=handle, **extra))
        assert response.status_code == 201, response.text
        return response.json()["request_uri"]

    def redeem(self, code: str, **overrides: str) -> httpx.Response:
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.redirect_uri, "code_verifier": self.verifier, **overrides}
        return self.client.post("/oauth2/token", auth=self.auth, data=data)

    def refresh(self, refresh_token: str) -> httpx.Response:
        return self.client.post("/oauth2/token", auth=self.auth, data={
            "grant_type": "refresh_token", "refresh_token": refresh_token})

    def verify_id_token(self, id_token: str) -> dict:
        keys = KeySet.import_key_set(self.client.get("/oauth2/jwks").json())
        token = jwt.decode(id_token, keys, algorithms=["RS256"])
        return dict(token.claims)


class Browser:
    """The person's browser: follows the hub's redirects, stops at the app."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def go(self, url: str) -> httpx.Response:
        response = self.client.get(url)
        while response.status_code in (302, 303) and not response.headers[
                "location"].startswith("https://"):
            response = self.client.get(response.headers["location"])
        return response

    def sign_up(self, login: str = "ada@example.com") -> None:
        page = self.client.get("/signup")
        response = self.client.post("/signup", data={"login": login, "password": PASSWORD,
                                                     "csrf_token": csrf_from(page.text)})
        assert response.status_code == 303

    def decide(self, page: httpx.Response, decision: str) -> httpx.Response:
        action = re.search(r'<form method="post" action="(/oauth2/authorize/continue/[^"]+)"',
                           page.text).group(1)
        return self.client.post(action, data={"decision": decision,
                                              "csrf_token": csrf_from(page.text)})


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def chat(hub, client) -> App:
    credentials = register_app(hub, "Chat", [REDIRECT], "https://chat.example/hooks",
                               {"sends": ["device", "activity"], "receives": ["account_details"]},
                               connect_url="https://chat.example/connect")
    return App(client, credentials)


@pytest.fixture
def pics(hub, client) -> App:
    credentials = register_app(
        hub, "Pics", ["https://pics.example/cb"], "https://pics.example/hooks",
        {"sends": ["age", "account_details", "activity"],
         "receives": ["device", "activity", "age", "account_details"], "ad_use": True})
    return App(client, credentials, redirect_uri="https://pics.example/cb")


@pytest.fixture
def visitor(client) -> Browser:
    return Browser(client)


def link(app: App, browser: Browser, app_user_id: str = "chat-user-1",
         handle: str = "@ada", **extra: str) -> dict:
    """The whole "Add to Accounts Center" story; returns the token response."""
    request_uri = app.push_link(app_user_id, handle, **extra)
    page = browser.go(f"/oauth2/authorize?client_id={app.client_id}&request_uri={request_uri}")
    assert "What is never shared" in page.text, page.text
    done = browser.decide(page, "confirm")
    assert done.status_code == 303
    params = query_of(done.headers["location"])
    assert params["state"] == app.state
    tokens = app.redeem(params["code"])
    assert tokens.status_code == 200, tokens.text
    return tokens.json()


@pytest.fixture
def both_linked(chat: App, pics: App, visitor: Browser) -> tuple[App, App]:
    """A person with a Chat account (chat-ada) and a Pics account (pics-ada) added."""
    visitor.sign_up()
    link(chat, visitor, app_user_id="chat-ada")
    link(pics, visitor, app_user_id="pics-ada")
    return chat, pics
