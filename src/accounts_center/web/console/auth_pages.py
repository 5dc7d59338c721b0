"""Sign up, log in (with the second-factor step) and log out."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.domain.errors import AccountsCenterError
from accounts_center.services.hub_sessions import log_out
from accounts_center.services.log_in import log_in
from accounts_center.services.sign_up import sign_up
from accounts_center.services.two_factor import complete_second_factor
from accounts_center.web.console.forms import FormText, field_errors
from accounts_center.web.console.guards import safe_next_path
from accounts_center.web.console.kept_forms import forget_kept_form
from accounts_center.web.console.rendering import render, with_retry_after
from accounts_center.web.oauth.return_policy import may_return_to_app
from accounts_center.web.request_context import (
    browser_token,
    check_csrf,
    clear_session_cookie,
    current_session,
    device_cookie_of,
    hub_of,
    origin_of,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    session = current_session(request)
    return RedirectResponse("/accounts" if session and session.is_full else "/login",
                            status_code=303)


@router.get("/signup")
def signup_page(request: Request, next: str = "") -> Response:
    return may_return_to_app(request, render(request, "signup.html", {
        "title": "Create your login", "next_path": next[:500]}), next[:500])


@router.post("/signup")
def signup_submit(request: Request, login: FormText, password: FormText,
                  csrf_token: FormText = "", next: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        session = sign_up(hub_of(request), login, password, origin_of(request),
                          browser=browser_token(request))
    except AccountsCenterError as error:
        errors = field_errors(error)
        return may_return_to_app(request, with_retry_after(render(request, "signup.html", {
            "title": "Create your login", "errors": errors,
            "error": " ".join(errors.get("", [])), "login": login,
            "next_path": next}, status=error.status), error), next)
    # Back to where the person was going, e.g. an app's "Add to Accounts Center".
    response = RedirectResponse(safe_next_path(next), status_code=303)
    set_session_cookie(request, response, session)
    return response


@router.get("/login")
def login_page(request: Request, next: str = "") -> Response:
    return may_return_to_app(request, render(request, "login.html", {
        "title": "Log in", "next_path": next[:500]}), next[:500])


@router.post("/login")
def login_submit(request: Request, login: FormText, password: FormText, csrf_token: FormText = "",
                 next: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        session = log_in(hub_of(request), login, password, origin_of(request),
                         device_cookie_of(request))
    except AccountsCenterError as error:
        return may_return_to_app(request, with_retry_after(render(request, "login.html", {
            "title": "Log in", "error": error.detail, "login": login, "next_path": next},
            status=error.status), error), next)
    target = (safe_next_path(next) if session.is_full
              else "/login/two-factor?next=" + quote(safe_next_path(next), safe="/"))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, session)
    return response


@router.get("/login/two-factor")
def two_factor_page(request: Request, next: str = "") -> Response:
    session = current_session(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if session.is_full:
        return RedirectResponse(safe_next_path(next), status_code=303)
    return may_return_to_app(request, render(request, "login_two_factor.html", {
        "title": "Enter your code", "next_path": next[:500]}), next[:500])


@router.post("/login/two-factor")
def two_factor_submit(request: Request, code: FormText, csrf_token: FormText = "",
                      next: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    pending = current_session(request)
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    try:
        session = complete_second_factor(hub_of(request), pending, code, origin_of(request))
    except AccountsCenterError as error:
        return may_return_to_app(request, with_retry_after(render(
            request, "login_two_factor.html", {
                "title": "Enter your code", "error": error.detail, "next_path": next},
            status=error.status), error), next)
    response = RedirectResponse(safe_next_path(next), status_code=303)
    set_session_cookie(request, response, session)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    session = current_session(request)
    if session is not None:
        log_out(hub_of(request), session, origin_of(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(request, response)
    forget_kept_form(request, response)  # not for whoever uses this browser next
    return response
