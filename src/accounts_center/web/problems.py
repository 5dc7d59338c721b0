"""The one place where errors become responses: RFC 9457 problem details on the API,
a readable page on the console. No error escapes as a bare 500 page or stack trace."""

from __future__ import annotations

import logging
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


def is_api_request(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/v1/") or path == "/v1" or path == "/openapi.json"


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
        if is_api_request(request):
            response = problem(error.status, error.title, error.detail, code=error.code,
                               instance=request.url.path, field=error.field)
        else:
            response = _page(request, error.status, error.title, error.detail)
        if headers:
            response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        errors = [{"location": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body",
                   "message": str(e.get("msg", ""))} for e in error.errors()]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        if is_api_request(request):
            return problem(422, "The request is not valid", detail, code="invalid-request",
                           instance=request.url.path, errors=errors[:20])
        return _page(request, 422, "Something in the form is missing or not valid", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}.get(
            error.status_code, "Request failed")
        detail = str(error.detail) if error.detail else title
        if is_api_request(request):
            response: Response = problem(error.status_code, title, detail,
                                         instance=request.url.path)
        else:
            response = _page(request, error.status_code, title, detail)
        if error.headers:
            response.headers.update(error.headers)
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug: logged with its type only (a message could hold a secret), shown politely.
        log.error("unhandled %s on %s %s", type(error).__name__, request.method,
                  request.url.path)
        if is_api_request(request):
            return problem(500, "Internal error", "The hub hit an unexpected error.",
                           instance=request.url.path)
        return _page(request, 500, "Something went wrong", "The hub hit an unexpected error.")
