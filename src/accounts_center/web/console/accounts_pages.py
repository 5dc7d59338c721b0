"""The console's "Accounts" section: added app accounts, the sign-in toggle, removal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.services.links import list_links, set_sign_in, unlink_account
from accounts_center.services.member_apps import list_apps
from accounts_center.web.console.forms import FormText
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, hub_of, origin_of

router = APIRouter(include_in_schema=False)
Person = Annotated[CurrentSession, Depends(require_person)]
PersonOnRemovalPage = Annotated[CurrentSession, person_on("/accounts/{link_id}/remove")]

NOTICES = {"removed": "The account was removed. Nothing new is shared from it.",
           "sign-in-on": "Logging in with Accounts Center is on for that app.",
           "sign-in-off": "Logging in with Accounts Center is off for that app."}


@router.get("/accounts")
def accounts(request: Request, person: Person, done: str = "") -> Response:
    hub = hub_of(request)
    linked = list_links(hub, person.identity_id)
    held = {link.app_client_id for link in linked}
    addable = [app for app in list_apps(hub) if app.connect_url and app.client_id not in held]
    return render(request, "accounts.html", {"title": "Accounts", "links": linked,
                                             "addable": addable, "notice": NOTICES.get(done)})


@router.get("/accounts/{link_id}/remove")
def confirm_removal(request: Request, person: Person, link_id: RowId) -> Response:
    link = next((lk for lk in list_links(hub_of(request), person.identity_id)
                 if lk.id == link_id), None)
    if link is None:
        return render(request, "error.html", {"title": "Not found",
                                              "detail": "There is no such added account."},
                      status=404)
    return render(request, "remove_account.html", {"title": "Remove account", "link": link})


@router.post("/accounts/{link_id}/remove")
def remove(request: Request, person: PersonOnRemovalPage, link_id: RowId,
           csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    unlink_account(hub_of(request), person.identity_id, link_id, origin_of(request))
    return RedirectResponse("/accounts?done=removed", status_code=303)


@router.post("/accounts/{link_id}/sign-in")
def toggle_sign_in(request: Request, person: Person, link_id: RowId, enabled: FormText,
                   csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    set_sign_in(hub_of(request), person.identity_id, link_id, enabled == "on")
    return RedirectResponse(f"/accounts?done=sign-in-{'on' if enabled == 'on' else 'off'}",
                            status_code=303)
