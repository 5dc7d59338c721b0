"""The browser side of the provider: /oauth2/authorize (anonymous calls throttled per
address), continuing after login, and the "Add to Accounts Center" disclosure with its
confirmation (CSRF-protected)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accounts_center.domain.errors import InvalidInput, TooManyRequests
from accounts_center.oidc.authorize_flow import (
    ErrorPage,
    Flow,
    LinkDisclosure,
    NeedsLogin,
    Outcome,
    Pending,
    Redirect,
    SignInRefused,
)
from accounts_center.services.authorize_throttling import count_anonymous_authorize
from accounts_center.services.profiles import syncable_field
from accounts_center.web.console.forms import FormText
from accounts_center.web.console.rendering import render, render_error_page
from accounts_center.web.middleware import policy_with_form_target
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import (
    browser_token,
    check_csrf,
    current_session,
    ensure_presession,
    hub_of,
    origin_of,
)

router = APIRouter(include_in_schema=False)


def flow_of(request: Request) -> Flow:
    flow: Flow = request.app.state.authorize_flow
    return flow


def _continue_path(request_id: str) -> str:
    return f"/oauth2/authorize/continue/{request_id}"


def respond(request: Request, outcome: Outcome) -> Response:
    response: Response
    if isinstance(outcome, Redirect):
        response = RedirectResponse(outcome.location, status_code=303)
    elif isinstance(outcome, Pending):
        response = RedirectResponse(_continue_path(outcome.request_id), status_code=303)
    elif isinstance(outcome, NeedsLogin):
        response = RedirectResponse(
            "/login?next=" + quote(_continue_path(outcome.request_id), safe="/"),
            status_code=303)
    elif isinstance(outcome, LinkDisclosure):
        response = render(request, "link_disclosure.html", {
            "title": f"Add your {outcome.app_name} account", "d": outcome,
            "action": _continue_path(outcome.request_id)})
        response.headers["content-security-policy"] = policy_with_form_target(
            outcome.redirect_uri)
    elif isinstance(outcome, SignInRefused):
        response = render(request, "sign_in_refused.html", {
            "title": f"Continue to {outcome.app_name}", "r": outcome}, status=403)
    else:
        assert isinstance(outcome, ErrorPage)
        response = render_error_page(request, status=outcome.status, title=outcome.title,
                                     detail=outcome.detail)
    ensure_presession(request, response)
    return response


@router.get("/oauth2/authorize")
async def authorize(request: Request) -> Response:
    flow, session, browser = flow_of(request), current_session(request), browser_token(request)
    if session is None or not session.is_full:
        try:
            await run_in_threadpool(count_anonymous_authorize, hub_of(request),
                                    origin_of(request).ip)
        except TooManyRequests as refused:
            response = render_error_page(request, status=refused.status, title=refused.title,
                                         detail=refused.detail)
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
            return response
    outcome = await run_in_threadpool(flow.begin, request.query_params.multi_items(), browser,
                                      session)
    return respond(request, outcome)


@router.get("/oauth2/authorize/continue/{request_id}")
async def continue_authorization(request: Request, request_id: RowId) -> Response:
    flow, session, browser = flow_of(request), current_session(request), browser_token(request)
    outcome = await run_in_threadpool(flow.proceed, request_id, browser, session,
                                      origin_of(request))
    return respond(request, outcome)


@router.post("/oauth2/authorize/continue/{request_id}")
def decide(request: Request, request_id: RowId, decision: FormText,
           csrf_token: FormText = "",
           sync: Annotated[list[str] | None, Form(max_length=16)] = None,
           crosspost: Annotated[list[str] | None, Form(max_length=120)] = None) -> Response:
    check_csrf(request, csrf_token)
    flow, session, browser = flow_of(request), current_session(request), browser_token(request)
    if decision == "cancel":
        return respond(request, flow.cancel(request_id, browser))
    if session is None or not session.is_full:
        return respond(request, NeedsLogin(request_id))
    try:
        chosen = [syncable_field(name).value for name in dict.fromkeys(sync or [])]
    except InvalidInput as error:
        return render_error_page(request, status=error.status, title=error.title,
                                 detail=error.detail)
    return respond(request, flow.confirm_link(request_id, browser, session,
                                              origin_of(request), profile_sync=chosen,
                                              crosspost=crosspost or ()))
