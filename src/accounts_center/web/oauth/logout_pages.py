"""/oauth2/logout: the app's request (GET or POST), the person's confirmation, log out of
the hub, go back to the app if it registered where."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.oidc.end_session import (
    client_of_hint,
    end_app_session,
    post_logout_location,
)
from accounts_center.services.hub_sessions import log_out
from accounts_center.web.console.forms import LongFormText
from accounts_center.web.console.rendering import render
from accounts_center.web.middleware import policy_with_form_target
from accounts_center.web.request_context import (
    check_csrf,
    clear_session_cookie,
    current_session,
    hub_of,
    origin_of,
)

router = APIRouter(include_in_schema=False)


@router.get("/oauth2/logout")
def confirm_logout(request: Request, id_token_hint: str = "", client_id: str = "",
                   post_logout_redirect_uri: str = "", state: str = "") -> Response:
    # GET never changes state: the person confirms with a CSRF-protected form.
    response = render(request, "logout.html", {
        "title": "Log out", "id_token_hint": id_token_hint[:8192],
        "client_id": client_id[:100], "post_logout_redirect_uri": post_logout_redirect_uri[:2000],
        "state": state[:500]})
    target = post_logout_location(hub_of(request), client_id[:100] or None,
                                  id_token_hint[:8192], post_logout_redirect_uri[:2000], "")
    if target:  # the confirmation ends at the app's registered page
        response.headers["content-security-policy"] = policy_with_form_target(target)
    return response


@router.post("/oauth2/logout")
def logout(request: Request, csrf_token: LongFormText = "", id_token_hint: LongFormText = "",
           client_id: LongFormText = "", post_logout_redirect_uri: LongFormText = "",
           state: LongFormText = "") -> Response:
    if not csrf_token:
        # The app's own logout request, as a form POST (RP-Initiated Logout 1.0 §2 allows
        # GET and POST): the same confirmation as GET. Sent there, not shown here: a POST
        # from the app's site carries no SameSite=Lax session cookie, the GET it is
        # redirected to does, and the confirmation's CSRF token must be the session's.
        asked = {"id_token_hint": id_token_hint, "client_id": client_id,
                 "post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
        query = urlencode({name: value for name, value in asked.items() if value})
        return RedirectResponse("/oauth2/logout" + (f"?{query}" if query else ""),
                                status_code=303)
    check_csrf(request, csrf_token)
    hub = hub_of(request)
    session = current_session(request)
    if session is not None:
        hinted = client_of_hint(hub, id_token_hint) if id_token_hint else None
        if hinted:
            end_app_session(hub, session.identity_id, hinted)
        log_out(hub, session, origin_of(request))
    target = post_logout_location(hub, client_id or None, id_token_hint,
                                  post_logout_redirect_uri, state)
    response: Response = (RedirectResponse(target, status_code=303) if target else
                          render(request, "logged_out.html", {"title": "Logged out"}))
    clear_session_cookie(request, response)
    return response
