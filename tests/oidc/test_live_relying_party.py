"""A real relying party against the real hub, over HTTP (DESIGN §4.1, §4.2).

The hub runs as `accounts-center serve` on a free local port; the member app is registered
with `accounts-center apps add`. The app's backend is Authlib's OAuth 2.0 client
(`authlib.integrations.httpx_client.OAuth2Client`) and finds every endpoint through
discovery. The person's browser is a plain httpx client with cookies that follows only
the hub's own redirects, and stops when it is sent back to the app.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client, OAuthError
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.hub_browser import Browser, csrf_from, query_of
from tests.live_hub import LiveHub, free_port, running_hub

HTTP_TIMEOUT_SECONDS = 10.0


# -- the live hub and the registered app -----------------------------------------------

@dataclass(frozen=True)
class RegisteredApp:
    client_id: str
    client_secret: str
    redirect_uri: str


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """`accounts-center serve` on a free port, its issuer being its real base URL."""
    with running_hub(tmp_path_factory.mktemp("live-rp-hub")) as hub:
        yield hub


@pytest.fixture(scope="module")
def chat_app(live_hub: LiveHub) -> RegisteredApp:
    """Chat, registered with the CLI against the running hub's database."""
    rp = f"http://127.0.0.1:{free_port()}"  # never contacted: the browser stops there
    done = live_hub.cli("apps", "add", "Chat", "--redirect-uri", f"{rp}/callback",
                        "--webhook-url", f"{rp}/hooks", "--connect-url", f"{rp}/connect")
    assert done.returncode == 0, done.stdout + done.stderr
    client_id = re.search(r"^client_id:\s+(\S+)\s*$", done.stdout, re.MULTILINE)
    client_secret = re.search(r"^client_secret:\s+(\S+)\s*$", done.stdout, re.MULTILINE)
    assert client_id and client_secret, done.stdout
    return RegisteredApp(client_id.group(1), client_secret.group(1), f"{rp}/callback")


@pytest.fixture(scope="module")
def metadata(live_hub: LiveHub) -> dict[str, Any]:
    response = httpx.get(f"{live_hub.base_url}/.well-known/openid-configuration",
                         timeout=HTTP_TIMEOUT_SECONDS)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


# -- the relying party (the app's backend) and the person's browser ----------------------

@dataclass
class RelyingParty:
    """Authlib's client plus what the app keeps between redirect and callback."""

    oauth: OAuth2Client
    app: RegisteredApp
    metadata: dict[str, Any]
    sent: list[httpx.Request]
    verifier: str = ""
    state: str = ""
    nonce: str = ""

    def authorization_url(self, **extra: str) -> str:
        """A fresh authorization request (PKCE S256, state, nonce) built by Authlib."""
        self.verifier = generate_token(48)
        self.nonce = generate_token(16)
        url, self.state = self.oauth.create_authorization_url(
            self.metadata["authorization_endpoint"], code_verifier=self.verifier,
            nonce=self.nonce, **extra)
        params = query_of(url)
        assert params["code_challenge"] == create_s256_code_challenge(self.verifier)
        assert params["code_challenge_method"] == "S256"
        return url

    def push(self, **extra: str) -> str:
        """RFC 9126: the backend pushes the request, authenticated; returns request_uri."""
        params = query_of(self.authorization_url(**extra))
        if self.oauth.token_endpoint_auth_method == "client_secret_post":
            # That authentication adds client_id itself: each parameter is sent once
            # (RFC 6749 §3.2; the hub refuses a repeated one).
            del params["client_id"]
        response = self.oauth.post(
            self.metadata["pushed_authorization_request_endpoint"], data=params,
            auth=self.oauth.client_auth(self.oauth.token_endpoint_auth_method))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["expires_in"] > 0
        request_uri: str = body["request_uri"]
        assert request_uri.startswith("urn:ietf:params:oauth:request_uri:")
        return request_uri

    def redeem(self, callback: httpx.Response) -> dict[str, Any]:
        """The callback: check state and iss, then exchange the code with the verifier."""
        assert callback.status_code == 303, callback.text
        location = callback.headers["location"]
        assert location.split("?")[0] == self.app.redirect_uri, location
        params = query_of(location)
        assert "error" not in params, params
        assert params["state"] == self.state
        assert params["iss"] == self.metadata["issuer"]
        token: dict[str, Any] = self.oauth.fetch_token(
            self.metadata["token_endpoint"], grant_type="authorization_code",
            code=params["code"], code_verifier=self.verifier,
            redirect_uri=self.app.redirect_uri)
        assert token["token_type"].lower() == "bearer"
        assert token["access_token"] and token["refresh_token"] and token["id_token"]
        return token

    def verify_id_token(self, id_token: str) -> dict[str, Any]:
        jwks = httpx.get(self.metadata["jwks_uri"], timeout=HTTP_TIMEOUT_SECONDS).json()
        decoded = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
        assert decoded.header["alg"] == "RS256"
        assert decoded.header["kid"] in {key["kid"] for key in jwks["keys"]}
        claims = dict(decoded.claims)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.metadata["issuer"]},
            aud={"essential": True, "value": self.app.client_id},
            nonce={"essential": True, "value": self.nonce},
            sub={"essential": True}, exp={"essential": True}).validate(claims)
        assert claims["iss"] == self.metadata["issuer"]
        assert claims["aud"] == self.app.client_id
        assert claims["nonce"] == self.nonce
        assert claims["exp"] > time.time()
        return claims

    def refresh(self, refresh_token: str) -> dict[str, Any]:
        token: dict[str, Any] = self.oauth.refresh_token(self.metadata["token_endpoint"],
                                                         refresh_token=refresh_token)
        return token

    def refresh_error(self, refresh_token: str) -> str:
        with pytest.raises(OAuthError) as refused:
            self.refresh(refresh_token)
        return str(refused.value.error)

    def revoke(self, refresh_token: str) -> httpx.Response:
        response: httpx.Response = self.oauth.revoke_token(
            self.metadata["revocation_endpoint"], token=refresh_token,
            token_type_hint="refresh_token")
        return response

    def userinfo(self, token: dict[str, Any]) -> httpx.Response:
        self.oauth.token = token
        response: httpx.Response = self.oauth.get(self.metadata["userinfo_endpoint"])
        return response

    def sent_to(self, endpoint: str) -> list[httpx.Request]:
        url = self.metadata[endpoint]
        return [r for r in self.sent if str(r.url) == url]


@pytest.fixture
def relying_party(chat_app: RegisteredApp,
                  metadata: dict[str, Any]) -> Iterator[Callable[[str], RelyingParty]]:
    """A factory: `relying_party("client_secret_post")`, closed at the end of the test."""
    opened: list[OAuth2Client] = []

    def make(auth_method: str) -> RelyingParty:
        sent: list[httpx.Request] = []
        oauth = OAuth2Client(
            client_id=chat_app.client_id, client_secret=chat_app.client_secret,
            token_endpoint_auth_method=auth_method,
            revocation_endpoint_auth_method=auth_method, scope="openid",
            redirect_uri=chat_app.redirect_uri, code_challenge_method="S256",
            timeout=HTTP_TIMEOUT_SECONDS, event_hooks={"request": [sent.append]})
        opened.append(oauth)
        return RelyingParty(oauth, chat_app, metadata, sent)

    yield make
    for oauth in opened:
        oauth.close()


@pytest.fixture
def person(live_hub: LiveHub) -> Iterator[Browser]:
    with httpx.Client(follow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS) as client:
        yield Browser(live_hub.base_url, client)


def new_email() -> str:
    return f"rp-{uuid.uuid4().hex[:12]}@example.com"


def add_to_accounts_center(rp: RelyingParty, person: Browser, app_user_id: str,
                           handle: str) -> dict[str, Any]:
    """The "Add to Accounts Center" story from a logged-out browser: pushed request,
    sign-up, disclosure, confirmation, callback, code exchange. Returns the tokens."""
    request_uri = rp.push(intent="link", app_user_id=app_user_id, handle=handle)
    authorize = httpx.URL(rp.metadata["authorization_endpoint"], params={
        "client_id": rp.app.client_id, "request_uri": request_uri})
    login_page = person.go(str(authorize))
    assert login_page.status_code == 200, login_page.text
    assert urlsplit(str(login_page.request.url)).path == "/login"
    continue_path = query_of(str(login_page.request.url))["next"]
    assert continue_path.startswith("/oauth2/authorize/continue/")

    person.sign_up(new_email())  # no login yet: create one instead
    disclosure = person.go(continue_path)
    assert disclosure.status_code == 200, disclosure.text
    assert "What is never shared" in disclosure.text
    assert handle in disclosure.text and "Chat" in disclosure.text
    return rp.redeem(person.submit(disclosure, "confirm"))


# -- the tests -----------------------------------------------------------------------------

def test_discovery_publishes_the_live_issuer_and_endpoints_under_it(
        live_hub: LiveHub, metadata: dict[str, Any]) -> None:
    assert metadata["issuer"] == live_hub.base_url
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                     "jwks_uri", "revocation_endpoint",
                     "pushed_authorization_request_endpoint"):
        assert metadata[endpoint].startswith(live_hub.base_url + "/"), endpoint
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        metadata["token_endpoint_auth_methods_supported"])
    assert metadata["authorization_response_iss_parameter_supported"] is True
    jwks = httpx.get(metadata["jwks_uri"], timeout=HTTP_TIMEOUT_SECONDS).json()
    assert jwks["keys"] and all(key["kty"] == "RSA" and "d" not in key for key in jwks["keys"])


def test_a_standard_client_links_signs_in_refreshes_and_revokes_over_http(
        relying_party: Callable[[str], RelyingParty], person: Browser) -> None:
    rp: RelyingParty = relying_party("client_secret_basic")

    # Link: pushed request, sign-up at the hub, disclosure, confirmation, code exchange.
    linked = add_to_accounts_center(rp, person, "chat-user-1", "@ada")
    claims = rp.verify_id_token(linked["id_token"])
    assert claims["app_user_id"] == "chat-user-1"
    sub = claims["sub"]

    # Single sign-on: a plain front-channel request comes straight back with a code.
    callback = person.go(rp.authorization_url())
    assert callback.status_code == 303, callback.text
    # Answered by /authorize itself: no login page, no disclosure, no extra hop.
    paths = [urlsplit(url).path for url in person.visited]
    assert paths == ["/oauth2/authorize"], paths
    signed_in = rp.redeem(callback)
    sso_claims = rp.verify_id_token(signed_in["id_token"])
    assert sso_claims["sub"] == sub and sso_claims["app_user_id"] == "chat-user-1"

    # Userinfo: what the access token says about the person, to this app.
    userinfo = rp.userinfo(signed_in)
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json() == {"sub": sub, "app_user_id": "chat-user-1"}

    # Refresh rotates; replaying the old refresh token revokes the whole family.
    rotated = rp.refresh(linked["refresh_token"])
    assert rotated["access_token"] != linked["access_token"]
    assert rotated["refresh_token"] != linked["refresh_token"]
    assert rp.userinfo(rotated).json()["sub"] == sub
    assert rp.refresh_error(linked["refresh_token"]) == "invalid_grant"
    assert rp.refresh_error(rotated["refresh_token"]) == "invalid_grant"  # family revoked
    assert rp.userinfo(rotated).status_code == 401

    # Revocation (RFC 7009) of the sign-in's refresh token ends that grant too.
    revoked = rp.revoke(signed_in["refresh_token"])
    assert revoked.status_code == 200, revoked.text
    assert rp.refresh_error(signed_in["refresh_token"]) == "invalid_grant"
    assert rp.userinfo(signed_in).status_code == 401

    # Every back-channel call authenticated with HTTP Basic, never with a body secret.
    for endpoint in ("pushed_authorization_request_endpoint", "token_endpoint",
                     "revocation_endpoint"):
        requests = rp.sent_to(endpoint)
        assert requests, endpoint
        for request in requests:
            assert request.headers["authorization"].startswith("Basic "), endpoint
            assert b"client_secret" not in request.content, endpoint


def test_a_client_using_client_secret_post_links_refreshes_and_revokes_over_http(
        relying_party: Callable[[str], RelyingParty], person: Browser) -> None:
    rp: RelyingParty = relying_party("client_secret_post")
    app_user_id = f"chat-user-{uuid.uuid4().hex[:8]}"

    linked = add_to_accounts_center(rp, person, app_user_id, "@grace")
    claims = rp.verify_id_token(linked["id_token"])
    assert claims["app_user_id"] == app_user_id

    rotated = rp.refresh(linked["refresh_token"])
    assert rotated["refresh_token"] != linked["refresh_token"]
    assert rp.userinfo(rotated).json() == {"sub": claims["sub"], "app_user_id": app_user_id}

    revoked = rp.revoke(rotated["refresh_token"])
    assert revoked.status_code == 200, revoked.text
    assert rp.refresh_error(rotated["refresh_token"]) == "invalid_grant"
    assert rp.userinfo(rotated).status_code == 401

    # The secret travelled in the form body, with no Authorization header.
    for endpoint in ("pushed_authorization_request_endpoint", "token_endpoint",
                     "revocation_endpoint"):
        requests = rp.sent_to(endpoint)
        assert requests, endpoint
        for request in requests:
            assert "authorization" not in request.headers, endpoint
            assert parse_qs(request.content.decode())["client_secret"] == [
                rp.app.client_secret], endpoint


# -- strict conformance (issue 11) ---------------------------------------------------------

def error_back_at_the_app(rp: RelyingParty, person: Browser,
                          callback: httpx.Response) -> dict[str, str]:
    """An authorization error sent straight back to the app: no page was shown."""
    assert callback.status_code == 303, callback.text
    assert [urlsplit(url).path for url in person.visited] == ["/oauth2/authorize"]
    location = callback.headers["location"]
    assert location.split("?")[0] == rp.app.redirect_uri, location
    params = query_of(location)
    assert "code" not in params
    assert params["state"] == rp.state and params["iss"] == rp.metadata["issuer"]
    return params


def turn_sign_in_off(person: Browser) -> None:
    page = person.client.get(urljoin(person.hub_url, "/accounts"))
    link_id = re.search(r'href="/accounts/([0-9a-f-]{36})/remove"', page.text)
    assert link_id, page.text
    done = person.client.post(urljoin(person.hub_url, f"/accounts/{link_id.group(1)}/sign-in"),
                              data={"enabled": "off", "csrf_token": csrf_from(page.text)})
    assert done.status_code in (200, 303), done.text


def test_prompt_none_never_shows_a_page_to_a_standard_client(
        relying_party: Callable[[str], RelyingParty], person: Browser,
        live_hub: LiveHub) -> None:
    rp: RelyingParty = relying_party("client_secret_basic")
    app_user_id = f"chat-user-{uuid.uuid4().hex[:8]}"
    add_to_accounts_center(rp, person, app_user_id, "@silent")

    # Linked and logged in: a code at once.
    silent = rp.redeem(person.go(rp.authorization_url(prompt="none")))
    assert rp.verify_id_token(silent["id_token"])["app_user_id"] == app_user_id

    # A login older than max_age: login_required, not the login page.
    time.sleep(1.1)
    refused = person.go(rp.authorization_url(prompt="none", max_age="0"))
    assert error_back_at_the_app(rp, person, refused)["error"] == "login_required"

    # Sign-in turned off, and another person with no Chat account: one answer for both.
    turn_sign_in_off(person)
    refused = person.go(rp.authorization_url(prompt="none"))
    assert error_back_at_the_app(rp, person, refused)["error"] == "interaction_required"
    with httpx.Client(follow_redirects=False, timeout=HTTP_TIMEOUT_SECONDS) as client:
        stranger = Browser(live_hub.base_url, client)
        stranger.sign_up(new_email())
        refused = stranger.go(rp.authorization_url(prompt="none"))
        assert error_back_at_the_app(rp, stranger, refused)["error"] == "interaction_required"

    # Linking needs the person: it cannot be pushed with prompt=none.
    params = query_of(rp.authorization_url(intent="link", app_user_id="x", handle="@x",
                                           prompt="none"))
    pushed = rp.oauth.post(rp.metadata["pushed_authorization_request_endpoint"], data=params,
                           auth=rp.oauth.client_auth(rp.oauth.token_endpoint_auth_method))
    assert pushed.status_code == 400 and pushed.json()["error"] == "invalid_request"


def test_a_standard_client_logs_the_person_out_with_a_form_post(
        relying_party: Callable[[str], RelyingParty], person: Browser) -> None:
    rp: RelyingParty = relying_party("client_secret_basic")
    linked = add_to_accounts_center(rp, person, f"chat-user-{uuid.uuid4().hex[:8]}", "@bye")
    end_session = rp.metadata["end_session_endpoint"]

    # The app's page posts the logout request (RP-Initiated Logout 1.0 §2).
    asked = person.client.post(end_session, data={
        "id_token_hint": linked["id_token"], "client_id": rp.app.client_id,
        "state": "bye-state"})
    assert asked.status_code == 303, asked.text
    confirmation = person.go(urljoin(end_session, asked.headers["location"]))
    assert confirmation.status_code == 200 and "Log out of Accounts Center?" in (
        confirmation.text)
    assert person.client.get(urljoin(person.hub_url, "/accounts")).status_code == 200

    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', confirmation.text))
    assert fields["id_token_hint"] == linked["id_token"] and fields["state"] == "bye-state"
    done = person.client.post(end_session, data=fields)
    assert done.status_code == 200 and "You are logged out" in done.text
    assert person.client.get(urljoin(person.hub_url, "/accounts")).status_code == 303
    assert rp.refresh_error(linked["refresh_token"]) == "invalid_grant"  # the app's too


def test_back_channel_errors_are_what_a_standard_client_expects(
        relying_party: Callable[[str], RelyingParty], person: Browser,
        chat_app: RegisteredApp, metadata: dict[str, Any]) -> None:
    rp: RelyingParty = relying_party("client_secret_post")
    linked = add_to_accounts_center(rp, person, f"chat-user-{uuid.uuid4().hex[:8]}", "@err")

    # An unknown token_type_hint is ignored (RFC 7009 §2.1, RFC 7662 §2.1).
    introspected = rp.oauth.introspect_token(
        metadata["introspection_endpoint"], token=linked["refresh_token"],
        token_type_hint="urn:example:unknown")
    assert introspected.status_code == 200, introspected.text
    assert introspected.json()["active"] is True
    assert introspected.json()["token_type"] == "N_A"  # a registered type (RFC 8693)
    revoked = rp.oauth.revoke_token(metadata["revocation_endpoint"],
                                    token=linked["refresh_token"], token_type_hint="id_token")
    assert revoked.status_code == 200, revoked.text
    assert rp.refresh_error(linked["refresh_token"]) == "invalid_grant"

    # A wrong secret: invalid_client, the only 401, with a Basic challenge and its realm.
    answers: list[httpx.Response] = []
    wrong = OAuth2Client(client_id=chat_app.client_id, client_secret="wrong",
                         token_endpoint_auth_method="client_secret_basic",
                         timeout=HTTP_TIMEOUT_SECONDS, event_hooks={"response": [answers.append]})
    with wrong, pytest.raises(OAuthError) as refused:
        wrong.refresh_token(metadata["token_endpoint"], refresh_token="whatever")
    assert refused.value.error == "invalid_client"
    assert answers[-1].status_code == 401
    assert answers[-1].headers["www-authenticate"] == 'Basic realm="accounts-center"'

    # No grant_type, or a parameter twice: invalid_request (RFC 6749 §5.2).
    credentials = {"client_id": chat_app.client_id, "client_secret": chat_app.client_secret}
    missing = httpx.post(metadata["token_endpoint"], data={"code": "x", **credentials},
                         timeout=HTTP_TIMEOUT_SECONDS)
    twice = httpx.post(metadata["token_endpoint"], timeout=HTTP_TIMEOUT_SECONDS,
                       content="grant_type=refresh_token&refresh_token=a&refresh_token=b&"
                               + urlencode(credentials),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    for response in (missing, twice):
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"
        assert "www-authenticate" not in response.headers
