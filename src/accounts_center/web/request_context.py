"""Per-request facts the handlers need: the hub, where the request came from, the cookie
session, the device cookie, and CSRF tokens (SECURITY-CHECKLIST 26, 28, 32)."""

from __future__ import annotations

from fastapi import Request, Response

from accounts_center.crypto import device_cookies
from accounts_center.crypto.tokens import derived_token, new_token, same_token
from accounts_center.domain.errors import CsrfFailed
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import Hub
from accounts_center.services.hub_sessions import CurrentSession, resolve_session

SESSION_COOKIE = "ac_session"
PRESESSION_COOKIE = "ac_csrf"
DEVICE_COOKIE = "ac_device"


def hub_of(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def origin_of(request: Request) -> RequestOrigin:
    return RequestOrigin(ip=request.client.host if request.client else "",
                         user_agent=request.headers.get("user-agent", "")).clipped()


def cookie_name(request: Request, base: str) -> str:
    # The __Host- prefix pins the cookie to this host and path, over https only.
    return f"__Host-{base}" if hub_of(request).settings.cookies_secure else base


def current_session(request: Request) -> CurrentSession | None:
    """The session behind the cookie, resolved once per request."""
    if "current_session" not in request.state._state:
        token = request.cookies.get(cookie_name(request, SESSION_COOKIE), "")
        request.state.current_session = (
            resolve_session(hub_of(request), token, origin_of(request)) if token else None)
    session: CurrentSession | None = request.state.current_session
    return session


def set_session_cookie(request: Request, response: Response, session: CurrentSession) -> None:
    """Also keeps the device cookie a login earned, so no login path can forget it."""
    hub = hub_of(request)
    response.set_cookie(cookie_name(request, SESSION_COOKIE), session.token,
                        max_age=hub.settings.session_absolute_days * 86400, path="/",
                        httponly=True, samesite="lax", secure=hub.settings.cookies_secure)
    if session.device_cookie:
        # It outlives sessions and logout on purpose: it says this browser has logged in
        # to this account before, which is all it is good for (see log_in).
        response.set_cookie(cookie_name(request, DEVICE_COOKIE), session.device_cookie,
                            max_age=int(device_cookies.LIFETIME.total_seconds()), path="/",
                            httponly=True, samesite="lax",
                            secure=hub.settings.cookies_secure)
    request.state.current_session = session


def device_cookie_of(request: Request) -> str:
    return request.cookies.get(cookie_name(request, DEVICE_COOKIE), "")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(cookie_name(request, SESSION_COOKIE), path="/", httponly=True,
                           samesite="lax", secure=hub_of(request).settings.cookies_secure)
    request.state.current_session = None


def csrf_token(request: Request) -> str:
    """The token forms on this page must send back.

    Logged in (or half logged in): derived from the session token. Anonymous: derived from a
    random pre-session cookie (signed double-submit), so login and sign-up forms are
    protected too. The cookie is set by `ensure_presession`."""
    session = current_session(request)
    if session is not None:
        return session.csrf_token
    return derived_token(_presession_value(request), "csrf")


def browser_token(request: Request) -> str:
    """A random value bound to this browser (the pre-session cookie), surviving login;
    pending authorization requests are tied to it. Set by `ensure_presession`."""
    return _presession_value(request)


def _presession_value(request: Request) -> str:
    value = getattr(request.state, "presession", None) or request.cookies.get(
        cookie_name(request, PRESESSION_COOKIE), "")
    if not value or len(value) > 128:
        value = new_token()
        request.state.presession_new = True
    request.state.presession = value
    return value


def ensure_presession(request: Request, response: Response) -> None:
    if getattr(request.state, "presession_new", False):
        response.set_cookie(cookie_name(request, PRESESSION_COOKIE), request.state.presession,
                            path="/", httponly=True, samesite="lax",
                            secure=hub_of(request).settings.cookies_secure)


def check_csrf(request: Request, given: str | None) -> None:
    session = current_session(request)
    if session is not None:
        expected = session.csrf_token
    else:
        cookie = request.cookies.get(cookie_name(request, PRESESSION_COOKIE), "")
        if not cookie:
            raise CsrfFailed()
        expected = derived_token(cookie, "csrf")
    if not given or not same_token(given, expected):
        raise CsrfFailed()
