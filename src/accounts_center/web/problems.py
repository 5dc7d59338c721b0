"""The one place where errors become responses: RFC 9457 problem details on the API,
a readable page on the console. No error escapes as a bare 500 page or stack trace."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts_center.domain.errors import (
    AccountsCenterError,
    ClientAuthenticationFailed,
    LoginThrottled,
)

PROBLEM_BASE = "https://accounts-center.dev/problems/"
PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("accounts_center.web")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# The avatar preview is an image a page loads, not a page: its refusals are problems too.
PROBLEM_PATHS = frozenset({"/v1", "/openapi.json", "/metrics", "/avatar-preview.svg"})


def is_api_request(request: Request) -> bool:
    path = request.url.path
    # Media are fetched by apps and by <img>: a problem, not a page, when refused.
    return path.startswith(("/v1/", "/media/")) or path in PROBLEM_PATHS


# The provider's machine endpoints answer errors in RFC 6749 JSON, which strict OAuth
# clients parse; its browser pages (authorize, logout) answer with a page.
OAUTH_ENDPOINTS = frozenset({"/oauth2/token", "/oauth2/par", "/oauth2/revoke",
                             "/oauth2/introspect", "/oauth2/userinfo", "/oauth2/jwks",
                             "/.well-known/openid-configuration"})


def oauth_error(status: int, description: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request", "error_description": description},
                        status_code=status)


def printable(value: object, limit: int = 60) -> str:
    """``value`` as short text that any page or JSON encoder can carry: control characters
    and lone surrogates escaped."""
    text = str(value)
    clipped = text[:limit] + ("…" if len(text) > limit else "")
    escaped = clipped.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", escaped)


def problem(status: int, title: str, detail: str, *, code: str | None = None,
            instance: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code if code else "about:blank",
        "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _page(request: Request, status: int, title: str, detail: str) -> Response:
    from accounts_center.web.console.rendering import render_error_page

    return render_error_page(request, status=status, title=title, detail=detail)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AccountsCenterError)
    async def domain_error(request: Request, error: AccountsCenterError) -> Response:
        headers = ({"Retry-After": str(error.retry_after_seconds)}
                   if isinstance(error, LoginThrottled) else
                   {"WWW-Authenticate": 'Basic realm="accounts-center"'}
                   if isinstance(error, ClientAuthenticationFailed) else None)
        detail = printable(error.detail, 1000)  # it may quote what was sent
        response: Response
        if is_api_request(request):
            response = problem(error.status, error.title, detail, code=error.code,
                               instance=request.url.path,
                               field=printable(error.field) if error.field else None)
        else:
            response = _page(request, error.status, error.title, detail)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        # Locations can hold what was sent (a member name, a query parameter's name):
        # shown printable and short, never as given.
        errors = [{"location": ".".join(printable(p) for p in e.get("loc", ())[1:]) or "body",
                   "message": printable(e.get("msg", ""), 200)} for e in error.errors()]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        if is_api_request(request):
            return problem(422, "The request is not valid", detail, code="invalid-request",
                           instance=request.url.path, errors=errors[:20])
        if request.url.path in OAUTH_ENDPOINTS:
            return oauth_error(400, "The request holds characters or values that are not "
                                    "allowed.")
        in_address = all(e.get("loc", ("body",))[0] in ("path", "query") for e in error.errors())
        return _page(request, 422, "This address is not valid" if in_address else
                     "Something in the form is missing or not valid", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}.get(
            error.status_code, "Request failed")
        detail = str(error.detail) if error.detail else title
        if is_api_request(request):
            response: Response = problem(error.status_code, title, detail,
                                         instance=request.url.path)
        elif request.url.path in OAUTH_ENDPOINTS:
            response = oauth_error(error.status_code, title)
        else:
            response = _page(request, error.status_code, title, detail)
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug: logged with its type and the route's template only (a message, a path or
        # a query could hold a secret or a person's data), shown politely.
        route = getattr(request.scope.get("route"), "path", "an unknown route")
        log.error("unhandled %s on %s %s", type(error).__name__, request.method, route)
        if is_api_request(request):
            return problem(500, "Internal error", "The hub hit an unexpected error.",
                           instance=request.url.path)
        return _page(request, 500, "Something went wrong", "The hub hit an unexpected error.")
