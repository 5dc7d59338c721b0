"""The "Connected experiences" page (issue 14, point 2): one row per way a post of the
person's could travel between two of their apps — the operator opened the direction and
both apps offer the types — with their choice: off (until they pick), ask each time, or
always, and what exactly is sent. Recent cross-posts and their states join it later
(issue 14, point 7)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from accounts_center.domain.crosspost import CrossPostMode
from accounts_center.domain.errors import AccountsCenterError
from accounts_center.services.crosspost_routes import crosspost_choices, set_crosspost_choice
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.web.console.forms import FormText
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.request_context import check_csrf, hub_of

router = APIRouter(include_in_schema=False)
PAGE = "/connected-experiences"
Person = Annotated[CurrentSession, Depends(require_person)]
PersonOnPage = Annotated[CurrentSession, person_on(PAGE)]
MODES = [(CrossPostMode.OFF.value, "Off"), (CrossPostMode.ASK.value, "Ask each time"),
         (CrossPostMode.ALWAYS.value, "Always")]
NOTICES = {"saved": "Your choice is saved."}


def connected_page(request: Request, person: CurrentSession, *, status: int = 200,
                   **extra: Any) -> Response:
    return render(request, "connected_experiences.html", {
        "title": "Connected experiences", "modes": MODES,
        "pairs": crosspost_choices(hub_of(request), person.identity_id), **extra},
        status=status)


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
