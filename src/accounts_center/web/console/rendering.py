"""Rendering console pages: one Jinja2 environment (autoescaping on), one layout."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from accounts_center.domain.devices import describe_device
from accounts_center.domain.errors import AccountsCenterError, LoginThrottled
from accounts_center.web.console.kept_forms import forget_kept_form, kept_form
from accounts_center.web.request_context import csrf_token, current_session, ensure_presession

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

NAVIGATION = [
    ("/accounts", "Accounts"),
    ("/profile", "Profile"),
    ("/profile/creations", "Creations"),
    ("/connected-experiences", "Connected experiences"),
    ("/your-information", "Your information"),
    ("/ad-preferences", "Ad preferences"),
    ("/security", "Password and security"),
]

templates = Jinja2Templates(directory=str(TEMPLATES))


def _when(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else ""


templates.env.filters["when"] = _when
templates.env.filters["device"] = describe_device


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> HTMLResponse:
    session = current_session(request)
    logged_in = bool(session and session.is_full)
    waiting = kept_form(request)
    # A form sent after the session ended: its page, once the person is back, says that
    # nothing was changed and holds what they typed (`kept_forms.py`).
    resumed = (waiting is not None and logged_in and request.method == "GET"
               and not request.headers.get("hx-request") and waiting.is_for(request.url.path))
    values = {
        "request": request,
        "csrf_token": csrf_token(request),
        "logged_in": logged_in,
        "navigation": NAVIGATION,
        "path": request.url.path,
        "resumed": resumed,
        "kept": waiting.fields if waiting is not None and resumed else {},
        "kept_waiting": waiting is not None and not logged_in,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, values, status_code=status)
    ensure_presession(request, response)
    if resumed:
        forget_kept_form(request, response)
    return response


def with_retry_after(response: HTMLResponse, error: AccountsCenterError) -> HTMLResponse:
    """A form shown again after a throttled attempt says when to retry (RFC 9110 §10.2.3),
    as `web/problems.py` does for every other answer."""
    if isinstance(error, LoginThrottled):
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def render_error_page(request: Request, *, status: int, title: str, detail: str) -> HTMLResponse:
    try:
        return render(request, "error.html", {"title": title, "detail": detail}, status=status)
    except Exception:  # the error page must never fail: fall back to plain escaped HTML
        from html import escape

        return HTMLResponse(f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}"
                            f"</h1><p>{escape(detail)}</p>", status_code=status)
