"""In a real browser: the hub's forms that end at a member app get there. Browsers hold
every redirect after a form submission to the page's form-action policy, and the app's
site is another site than the hub's (issue 11, point 2)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect
from tests.browser.conftest import Console
from tests.live_hub import LiveHub, free_port, running_hub

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class ChatApp:
    site: str  # localhost, not the hub's 127.0.0.1: another site
    client_id: str
    client_secret: str


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with running_hub(tmp_path_factory.mktemp("back-to-the-app")) as hub:
        yield hub


@pytest.fixture(scope="module")
def chat(live: LiveHub) -> ChatApp:
    site = f"http://localhost:{free_port()}"  # served by request interception only
    done = live.cli("apps", "add", "Chat", "--redirect-uri", f"{site}/callback",
                    "--webhook-url", f"{site}/hooks", "--post-logout-redirect-uri",
                    f"{site}/bye")
    client_id = re.search(r"^client_id:\s+(\S+)", done.stdout, re.MULTILINE)
    secret = re.search(r"^client_secret:\s+(\S+)", done.stdout, re.MULTILINE)
    assert client_id and secret, done.stdout + done.stderr
    return ChatApp(site, client_id.group(1), secret.group(1))


def serve_chat(page: Page, live: LiveHub, chat: ChatApp) -> None:
    """Chat's pages: a logout form posting to the hub, and the pages the hub sends to."""
    logout_form = f"""<!doctype html><title>Chat</title>
<form method="post" action="{live.base_url}/oauth2/logout">
  <input type="hidden" name="client_id" value="{chat.client_id}">
  <input type="hidden" name="post_logout_redirect_uri" value="{chat.site}/bye">
  <input type="hidden" name="state" value="chat-state-7">
  <button type="submit">Log out of Chat and Accounts Center</button>
</form>"""

    def answer(route: Route) -> None:
        path = urlsplit(route.request.url).path
        body = logout_form if path == "/logout" else f"<h1>Chat {path}</h1>"
        route.fulfill(content_type="text/html", body=f"<!doctype html>{body}")

    page.route(f"{chat.site}/**", answer)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def push_link(live: LiveHub, chat: ChatApp, state: str, app_user_id: str) -> tuple[str, str]:
    """Chat's backend starts "Add to Accounts Center": (PKCE verifier, request_uri)."""
    verifier, challenge = pkce()
    pushed = httpx.post(f"{live.base_url}/oauth2/par", auth=(chat.client_id,
                                                             chat.client_secret), data={
        "response_type": "code", "client_id": chat.client_id,
        "redirect_uri": f"{chat.site}/callback", "scope": "openid", "state": state,
        "nonce": f"n-{state}", "code_challenge": challenge, "code_challenge_method": "S256",
        "intent": "link", "app_user_id": app_user_id, "handle": "@ada"}, timeout=10)
    assert pushed.status_code == 201, pushed.text
    return verifier, pushed.json()["request_uri"]


def redeem(live: LiveHub, chat: ChatApp, code: str, verifier: str) -> httpx.Response:
    return httpx.post(f"{live.base_url}/oauth2/token", auth=(chat.client_id,
                                                             chat.client_secret), data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": f"{chat.site}/callback", "code_verifier": verifier}, timeout=10)


def test_an_apps_logout_form_post_asks_the_person_then_returns_to_the_app(
        page: Page, live: LiveHub, chat: ChatApp) -> None:
    Console(live.base_url).sign_up(page)
    serve_chat(page, live, chat)

    page.goto(f"{chat.site}/logout")
    page.get_by_role("button", name="Log out of Chat and Accounts Center").click()

    # The hub asks first, as it does for a GET (the POST came without the hub's cookie).
    expect(page.get_by_role("heading", name="Log out of Accounts Center?")).to_be_visible()
    page.locator("main").get_by_role("button", name="Log out").click()

    # Back at the app's registered page, with its state, and logged out of the hub.
    expect(page.get_by_role("heading", name="Chat /bye")).to_be_visible()
    assert page.url == f"{chat.site}/bye?state=chat-state-7"
    page.goto(live.base_url + "/accounts")
    expect(page).to_have_url(re.compile(re.escape(live.base_url) + "/login"))


def test_adding_an_account_in_a_browser_returns_to_the_app_with_a_code(
        page: Page, live: LiveHub, chat: ChatApp) -> None:
    Console(live.base_url).sign_up(page)
    serve_chat(page, live, chat)
    verifier, request_uri = push_link(live, chat, "s-link", "chat-ada")

    page.goto(f"{live.base_url}/oauth2/authorize?" + urlencode({
        "client_id": chat.client_id, "request_uri": request_uri}))
    expect(page.get_by_role("heading", name="Add your Chat account to Accounts Center?")
           ).to_be_visible()
    page.get_by_role("button", name="Add account").click()

    expect(page.get_by_role("heading", name="Chat /callback")).to_be_visible()
    back = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert back["state"] == "s-link" and back["iss"] == live.base_url
    redeemed = redeem(live, chat, back["code"], verifier)
    assert redeemed.status_code == 200, redeemed.text


def test_signing_in_from_a_logged_out_browser_ends_at_the_app(
        page: Page, live: LiveHub, chat: ChatApp) -> None:
    """The login form's redirects go on to the app's callback (single sign-on)."""
    console = Console(live.base_url)
    person = console.sign_up(page)
    serve_chat(page, live, chat)
    verifier, request_uri = push_link(live, chat, "s-add", f"chat-{person.email}")
    page.goto(f"{live.base_url}/oauth2/authorize?" + urlencode({
        "client_id": chat.client_id, "request_uri": request_uri}))
    page.get_by_role("button", name="Add account").click()
    expect(page.get_by_role("heading", name="Chat /callback")).to_be_visible()
    code = parse_qs(urlsplit(page.url).query)["code"][0]
    assert redeem(live, chat, code, verifier).status_code == 200
    page.goto(live.base_url + "/accounts")
    console.log_out(page)

    _, sso_challenge = pkce()
    page.goto(f"{live.base_url}/oauth2/authorize?" + urlencode({
        "response_type": "code", "client_id": chat.client_id,
        "redirect_uri": f"{chat.site}/callback", "scope": "openid", "state": "s-sso",
        "code_challenge": sso_challenge, "code_challenge_method": "S256"}))
    # The hub's login page, on the way (not Console's, which starts from /login afresh).
    expect(page).to_have_url(re.compile(r".*/login\?next=/oauth2/authorize/continue/"))
    page.get_by_label("Email address or phone number").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Chat /callback")).to_be_visible()
    back = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
    assert back["state"] == "s-sso" and back["iss"] == live.base_url and back["code"]
