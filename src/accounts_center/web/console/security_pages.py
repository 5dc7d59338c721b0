"""The "Password and security" section: password, two-factor login, sessions, events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accounts_center.domain.errors import AccountsCenterError
from accounts_center.services.change_password import change_password
from accounts_center.services.hub_sessions import (
    CurrentSession,
    end_session,
    list_sessions,
    log_out_other_sessions,
)
from accounts_center.services.security_log import list_security_events
from accounts_center.services.two_factor import (
    TotpEnrolment,
    begin_totp_enrolment,
    confirm_totp_enrolment,
    disable_two_factor,
    pending_totp_enrolment,
    replace_recovery_codes,
    two_factor_status,
)
from accounts_center.web.console.forms import FormText, field_errors
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render, with_retry_after
from accounts_center.web.request_context import (
    check_csrf,
    hub_of,
    origin_of,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)
Person = Annotated[CurrentSession, Depends(require_person)]

NOTICES = {
    "password": "Your password was changed.",
    "sessions": "Your other sessions were logged out.",
    "two-factor-off": "Two-factor authentication is off.",
    "two-factor-already-on": "Two-factor authentication is already on. If you did not keep "
                             "your recovery codes, make new ones below.",
}
SETUP_PAGE = "/security/two-factor/setup"
PersonOnSetupPage = Annotated[CurrentSession, person_on(SETUP_PAGE)]


def security_page(request: Request, person: CurrentSession, *, status: int = 200,
                  **extra: Any) -> HTMLResponse:
    hub = hub_of(request)
    return render(request, "security.html", {
        "title": "Password and security",
        "two_factor": two_factor_status(hub, person.identity_id),
        "sessions": list_sessions(hub, person),
        "events": list_security_events(hub, person.identity_id, limit=20),
        **extra,
    }, status=status)


@router.get("/security")
def security(request: Request, person: Person, done: str = "") -> Response:
    return security_page(request, person, notice=NOTICES.get(done))


@router.post("/security/password")
def password_submit(request: Request, person: Person, current_password: FormText,
                    new_password: FormText, csrf_token: FormText = "",
                    log_out_others: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        session = change_password(hub_of(request), person, current_password, new_password,
                                  log_out_others=log_out_others == "yes",
                                  origin=origin_of(request))
    except AccountsCenterError as error:
        return with_retry_after(security_page(request, person, status=error.status,
                                              password_errors=field_errors(error)), error)
    response = RedirectResponse("/security?done=password", status_code=303)
    set_session_cookie(request, response, session)
    return response


@router.post("/security/two-factor/start")
def two_factor_start(request: Request, person: Person, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    if two_factor_status(hub_of(request), person.identity_id).enabled:
        return RedirectResponse("/security?done=two-factor-already-on", status_code=303)
    begin_totp_enrolment(hub_of(request), person)
    # A page of its own, so that reloading it shows the same key (it is stored, pending).
    return RedirectResponse(SETUP_PAGE, status_code=303)


@router.get(SETUP_PAGE)
def two_factor_setup(request: Request, person: Person) -> Response:
    pending = pending_totp_enrolment(hub_of(request), person)
    if pending is None:
        return RedirectResponse("/security", status_code=303)
    return _setup_page(request, pending)


def _setup_page(request: Request, enrolment: TotpEnrolment, *, error: str | None = None,
                code: str = "", status: int = 200) -> HTMLResponse:
    return render(request, "two_factor_setup.html", {
        "title": "Set up two-factor authentication", "secret": enrolment.secret,
        "qr_svg": enrolment.qr_svg, "code_errors": [error] if error else [],
        "code": code}, status=status)


@router.post("/security/two-factor/confirm")
def two_factor_confirm(request: Request, person: PersonOnSetupPage, code: FormText,
                       csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    hub = hub_of(request)
    try:
        codes = confirm_totp_enrolment(hub, person, code, origin_of(request))
    except AccountsCenterError as error:
        # The same pending secret again, with the error: a new one would void the scan.
        pending = pending_totp_enrolment(hub, person)
        if pending is not None:
            return _setup_page(request, pending, error=error.detail, code=code,
                               status=error.status)
        if two_factor_status(hub, person.identity_id).enabled:  # a second click
            return RedirectResponse("/security?done=two-factor-already-on", status_code=303)
        return security_page(request, person, status=error.status,
                             two_factor_error=error.detail)
    return _codes_page(request, codes, replaced=False)


@router.post("/security/two-factor/recovery-codes")
def recovery_codes_replace(request: Request, person: Person, password: FormText,
                           csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        codes = replace_recovery_codes(hub_of(request), person, password, origin_of(request))
    except AccountsCenterError as error:
        return with_retry_after(security_page(request, person, status=error.status,
                                              recovery_errors=_messages(error)),
                                error)
    return _codes_page(request, codes, replaced=True)


def _codes_page(request: Request, codes: list[str], *, replaced: bool) -> HTMLResponse:
    return render(request, "recovery_codes.html", {
        "title": "New recovery codes" if replaced else "Recovery codes", "codes": codes,
        "replaced": replaced, "made_on": hub_of(request).clock.now().date().isoformat()})


def _messages(error: AccountsCenterError) -> list[str]:
    """A one-field form's messages, about that field or the whole form (throttled), all
    said next to the field."""
    return [message for messages in field_errors(error).values() for message in messages]


@router.post("/security/two-factor/disable")
def two_factor_disable(request: Request, person: Person, password: FormText,
                       csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        disable_two_factor(hub_of(request), person, password, origin_of(request))
    except AccountsCenterError as error:
        return with_retry_after(security_page(request, person, status=error.status,
                                              disable_errors=_messages(error)),
                                error)
    return RedirectResponse("/security?done=two-factor-off", status_code=303)


@router.post("/security/sessions/end-others")
def end_other_sessions(request: Request, person: Person, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    log_out_other_sessions(hub_of(request), person, origin_of(request))
    return RedirectResponse("/security?done=sessions", status_code=303)


@router.post("/security/sessions/{session_id}/end")
def end_one_session(request: Request, person: Person,
                    session_id: Annotated[str, Path(min_length=1, max_length=36)],
                    csrf_token: FormText = "") -> Response:
    # htmx sends the token as a header; a plain form as a field.
    check_csrf(request, csrf_token or request.headers.get("x-csrf-token", ""))
    end_session(hub_of(request), person, session_id[:64], origin_of(request))
    if request.headers.get("hx-request") == "true":
        return HTMLResponse("")  # the row is swapped out
    return RedirectResponse("/security?done=sessions", status_code=303)
