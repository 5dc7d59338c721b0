"""The person's browser as a plain httpx client, for tests that walk the hub's pages over
real HTTP without Chromium: cookies kept, the hub's own redirects followed, and a stop
when the hub sends the browser back to an app."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

PASSWORD = "correct horse battery staple"


@dataclass
class Browser:
    """The person's browser: cookies, the hub's redirects followed, the app's not."""

    hub_url: str
    client: httpx.Client
    visited: list[str] = field(default_factory=list)

    def is_hub(self, url: str) -> bool:
        return urlsplit(url)[:2] == urlsplit(self.hub_url)[:2]

    def go(self, url: str) -> httpx.Response:
        """GET, following redirects within the hub; stops at a page or at the app."""
        self.visited = []
        url = urljoin(self.hub_url, url)
        for _ in range(10):
            assert self.is_hub(url), f"the browser was sent off the hub to {url}"
            self.visited.append(url)
            response = self.client.get(url)
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            target = urljoin(url, response.headers["location"])
            if not self.is_hub(target):
                return response
            url = target
        raise AssertionError(f"too many redirects: {self.visited}")

    def sign_up(self, login: str) -> None:
        page = self.client.get(urljoin(self.hub_url, "/signup"))
        assert page.status_code == 200, page.text
        response = self.client.post(urljoin(self.hub_url, "/signup"), data={
            "login": login, "password": PASSWORD, "csrf_token": csrf_from(page.text)})
        assert response.status_code == 303, response.text

    def submit(self, page: httpx.Response, decision: str,
               **extra: str | list[str]) -> httpx.Response:
        # The page's own form, not the header's log-out form.
        action = re.search(
            r'<form method="post" action="(/oauth2/authorize/continue/[^"]+)"', page.text)
        assert action, page.text
        return self.client.post(urljoin(str(page.request.url), action.group(1)),
                                data={"decision": decision,
                                      "csrf_token": csrf_from(page.text), **extra})


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
