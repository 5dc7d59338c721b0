"""What console pages require before they run: a logged-in person, a valid CSRF token.

Without a full session a page sends the browser to log in and back. Back means the page
the person was on: for a form that is the page holding it (its handler's URL answers
POST only: "Method not allowed"), and for an htmx request it is the whole page, not the
fragment htmx asked for (else the login page lands inside a table).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.crypto.tokens import derived_token, same_token
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.web.console.kept_forms import KeptForm, keep_form, keepable_fields
from accounts_center.web.request_context import SESSION_COOKIE, cookie_name, current_session


class LoginRequired(Exception):
    """Raised by pages that need a full session; answered with a redirect to /login."""

    def __init__(self, next_path: str, request: Request | None = None) -> None:
        self.next_path = next_path
        self.request = request


def require_person(request: Request) -> CurrentSession:
    """A page's dependency; a form's handler sends the person back to its section's page
    (`/security/password` → `/security`), unless it names its page with `person_on`."""
    if request.method in ("GET", "HEAD"):
        return _person(request, request.url.path + (
            f"?{request.url.query}" if request.url.query else ""))
    return _person(request, "/" + request.url.path.strip("/").split("/")[0])


def person_on(page: str) -> Any:
    """``Depends`` for a form's handler whose form is on ``page`` (a path whose
    ``{name}`` parts are the handler's path parameters)."""
    def require(request: Request) -> CurrentSession:
        values = {name: quote(str(value), safe="")
                  for name, value in request.path_params.items()}
        return _person(request, page.format_map(values))
    return Depends(require)


def _person(request: Request, page: str) -> CurrentSession:
    session = current_session(request)
    if session is None or not session.is_full:
        raise LoginRequired(page, request)
    return session


def safe_next_path(value: str | None) -> str:
    """Only a local path may follow login: never another site (SECURITY-CHECKLIST 34)."""
    if (not value or not value.startswith("/") or value.startswith("//")
            or "\\" in value or any(ord(c) < 0x20 for c in value) or len(value) > 500):
        return "/accounts"
    return value


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(login_url(next_path), status_code=303)


def login_url(next_path: str) -> str:
    return "/login?next=" + quote(safe_next_path(next_path), safe="/")


async def answer_login_required(request: Request, error: LoginRequired) -> Response:
    asked = error.request or request
    page = _page_behind_htmx(asked) or error.next_path
    response: Response
    if asked.headers.get("hx-request") == "true":
        # htmx would swap a followed redirect's page into its target; this header makes
        # it load the login page as the whole page instead.
        response = Response(status_code=204, headers={"HX-Redirect": login_url(page)})
    else:
        response = login_redirect(page)
    if asked.method not in ("GET", "HEAD"):
        sent = await _form_of(asked)
        fields = keepable_fields(sent) if _sent_from_our_page(asked, sent) else {}
        keep_form(asked, response, KeptForm(safe_next_path(page), fields))
    return response


def _page_behind_htmx(request: Request) -> str | None:
    """The page an htmx request came from (htmx sends its URL), if it is one of ours."""
    if request.headers.get("hx-request") != "true":
        return None
    current = urlsplit(request.headers.get("hx-current-url", ""))
    if current.netloc != request.url.netloc or not current.path.startswith("/"):
        return None
    return current.path + (f"?{current.query}" if current.query else "")


async def _form_of(request: Request) -> dict[str, str]:
    # FastAPI parsed the form before the dependency raised; this reads that copy.
    try:
        form = await request.form()
    except Exception:  # an unreadable body keeps nothing
        return {}
    return {name: value for name, value in form.items() if isinstance(value, str)}


def _sent_from_our_page(request: Request, sent: dict[str, str]) -> bool:
    """Whether one of our pages sent the form (never a form another site made): the
    browser says so, or the CSRF token matches the ended session's cookie."""
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    old_session = request.cookies.get(cookie_name(request, SESSION_COOKIE), "")
    given = sent.get("csrf_token") or request.headers.get("x-csrf-token", "")
    return bool(old_session and given
                and same_token(given, derived_token(old_session, "csrf")))

