"""What console pages require before they run: a logged-in person, a valid CSRF token."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.web.request_context import current_session


class LoginRequired(Exception):
    """Raised by pages that need a full session; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def require_person(request: Request) -> CurrentSession:
    session = current_session(request)
    if session is None or not session.is_full:
        raise LoginRequired(request.url.path)
    return session


def safe_next_path(value: str | None) -> str:
    """Only a local path may follow login: never another site (SECURITY-CHECKLIST 34)."""
    if (not value or not value.startswith("/") or value.startswith("//")
            or "\\" in value or any(ord(c) < 0x20 for c in value) or len(value) > 500):
        return "/accounts"
    return value


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse("/login?next=" + quote(safe_next_path(next_path), safe="/"),
                            status_code=303)
