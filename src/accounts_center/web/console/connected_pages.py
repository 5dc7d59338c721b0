"""The "Connected experiences" page (issue 14, points 2 and 5 to 7): one row per way a
post of the person's could travel between two of their apps — the operator opened the
direction and both apps offer the types — with their choice: off (until they pick), ask
each time, or always, and what exactly is sent; their recent cross-posts with what
became of each copy, and "delete everywhere" after a confirmation page; and the copies
that apps they removed still hold, each of which they may ask that app to delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.domain.crosspost import CrossPostMode
from accounts_center.domain.errors import AccountsCenterError, CrossPostNotFound
from accounts_center.services.crosspost_history import (
    crosspost_of_person,
    delete_everywhere,
    delete_kept_copy,
    kept_copies,
    recent_crossposts,
)
from accounts_center.services.crosspost_routes import crosspost_choices, set_crosspost_choice
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.web.console.forms import FormText
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, hub_of

router = APIRouter(include_in_schema=False)
PAGE = "/connected-experiences"
POST = PAGE + "/posts/{crosspost_id}/delete"
KEPT = PAGE + "/posts/{crosspost_id}/kept/{choice_id}/delete"
Person = Annotated[CurrentSession, Depends(require_person)]
PersonOnPage = Annotated[CurrentSession, person_on(PAGE)]
MODES = [(CrossPostMode.OFF.value, "Off"), (CrossPostMode.ASK.value, "Ask each time"),
         (CrossPostMode.ALWAYS.value, "Always")]
NOTICES = {"saved": "Your choice is saved.",
           "deleted": "Deleted. The apps that hold it were asked to delete it.",
           "asked": "Asked. The app was told to delete its copy."}
# What became of one copy, in the person's words ({app}: the destination's name).
COPY_STATES = {"not-sent": "not sent: Accounts Center held it back",
               "sent": "sent, waiting for {app} to post it",
               "delivered": "delivered",
               "failed": "failed: {app} could not post it",
               "deleted-by-app": "{app} deleted its copy",
               "deleted": "deleted there too",
               "expired": "expired there too",
               "kept": "kept by {app}: you removed that account"}


def connected_page(request: Request, person: CurrentSession, *, status: int = 200,
                   **extra: Any) -> Response:
    hub = hub_of(request)
    return render(request, "connected_experiences.html", {
        "title": "Connected experiences", "modes": MODES, "copy_states": COPY_STATES,
        "pairs": crosspost_choices(hub, person.identity_id),
        "posts": recent_crossposts(hub, person.identity_id),
        "kept": kept_copies(hub, person.identity_id), **extra}, status=status)


@router.get(PAGE)
def connected(request: Request, person: Person, done: str = "") -> Response:
    return connected_page(request, person, notice=NOTICES.get(done))


@router.post(f"{PAGE}/choice")
def choose(request: Request, person: PersonOnPage, source_link_id: FormText,
           destination_link_id: FormText, source_type: FormText, destination_type: FormText,
           mode: FormText, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        set_crosspost_choice(hub_of(request), person.identity_id, source_link_id,
                             destination_link_id, source_type, destination_type, mode)
    except AccountsCenterError as error:
        return connected_page(request, person, status=error.status, refused=error.detail)
    return RedirectResponse(f"{PAGE}?done=saved", status_code=303)


@router.get(POST)
def confirm_delete(request: Request, person: Person, crosspost_id: RowId) -> Response:
    post = crosspost_of_person(hub_of(request), person.identity_id, crosspost_id)
    return render(request, "delete_crosspost.html", {
        "title": "Delete a post everywhere", "post": post,
        "apps": sorted({c.app for c in post.copies
                        if c.state in ("sent", "delivered", "failed", "kept")}),
        "removed": sorted({c.app for c in post.copies if c.state == "kept"})})


@router.post(POST)
def delete(request: Request, person: PersonOnPage, crosspost_id: RowId,
           csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    delete_everywhere(hub_of(request), person.identity_id, crosspost_id)
    return RedirectResponse(f"{PAGE}?done=deleted#recent-heading", status_code=303)


@router.get(KEPT)
def confirm_kept(request: Request, person: Person, crosspost_id: RowId,
                 choice_id: RowId) -> Response:
    kept = next((k for k in kept_copies(hub_of(request), person.identity_id)
                 if (k.crosspost_id, k.choice_id) == (crosspost_id, choice_id)), None)
    if kept is None:
        raise CrossPostNotFound("No copy of this post is kept by an app you removed.")
    return render(request, "delete_kept_copy.html", {
        "title": f"Ask {kept.app} to delete its copy", "kept": kept})


@router.post(KEPT)
def delete_kept(request: Request, person: PersonOnPage, crosspost_id: RowId,
                choice_id: RowId, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    delete_kept_copy(hub_of(request), person.identity_id, crosspost_id, choice_id)
    return RedirectResponse(f"{PAGE}?done=asked#kept-heading", status_code=303)
