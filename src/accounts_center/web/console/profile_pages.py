"""The Profile section (issue 13): the person's canonical profile, which apps keep which
field in sync, and the history of every write (losing ones included)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.domain.errors import AccountsCenterError
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.services.profiles import (
    edit_profile,
    profile_history,
    read_profile,
    set_sync,
    sync_switches,
)
from accounts_center.web.console.forms import FormText, field_errors
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, hub_of

router = APIRouter(include_in_schema=False)
Person = Annotated[CurrentSession, Depends(require_person)]
PersonOnProfile = Annotated[CurrentSession, person_on("/profile")]
NOTICES = {"saved": "Your profile is saved.", "sync-on": "Sync turned on.",
           "sync-off": "Sync turned off."}


def profile_page(request: Request, person: CurrentSession, *, status: int = 200,
                 **extra: Any) -> Response:
    hub = hub_of(request)
    return render(request, "profile.html", {
        "title": "Profile", "profile": read_profile(hub, person.identity_id),
        "links": sync_switches(hub, person.identity_id),
        "history": profile_history(hub, person.identity_id), "errors": {}, **extra},
        status=status)


@router.get("/profile")
def profile(request: Request, person: Person, done: str = "") -> Response:
    return profile_page(request, person, notice=NOTICES.get(done))


@router.post("/profile")
def save_profile(request: Request, person: PersonOnProfile, name: FormText = "",
                 handle: FormText = "", bio: FormText = "",
                 csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    held = read_profile(hub_of(request), person.identity_id)
    typed = {"name": name, "handle": handle, "bio": bio}
    # Only what changed is a write (each one is kept in history and ledgered); an empty
    # handle or bio that was never set stays unset.
    changes = {key: value for key, value in typed.items()
               if value.strip() != (getattr(held, key) or "")}
    if not changes:
        return RedirectResponse("/profile?done=saved", status_code=303)
    try:
        edit_profile(hub_of(request), person.identity_id, changes)
    except AccountsCenterError as error:
        return profile_page(request, person, status=error.status,
                            errors=field_errors(error), typed=typed)
    return RedirectResponse("/profile?done=saved", status_code=303)


@router.post("/profile/sync/{link_id}/{field}")
def switch_sync(request: Request, person: PersonOnProfile, link_id: RowId, field: RowId,
                enabled: FormText, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    on = enabled == "on"
    set_sync(hub_of(request), person.identity_id, link_id, field, on)
    if request.headers.get("hx-request"):
        return render(request, "_profile_sync.html", {
            "links": sync_switches(hub_of(request), person.identity_id)})
    return RedirectResponse(f"/profile?done=sync-{'on' if on else 'off'}", status_code=303)
