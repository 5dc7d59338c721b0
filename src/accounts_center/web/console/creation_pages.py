"""The Creations page (issue 13, point 5): the person's stickers and images in a grid,
with "Make a sticker" (from their avatar), an image upload, hide/show, and delete after
a confirmation page. Refusals are said next to the form that caused them."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accounts_center.domain.creations import TITLE_MAX, sticker_expressions
from accounts_center.domain.errors import AccountsCenterError, CreationNotFound
from accounts_center.services.creations import (
    Creation,
    delete_creation,
    list_creations,
    make_sticker,
    set_hidden,
    upload_creation,
)
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.services.profiles import read_profile
from accounts_center.web.console.forms import FormText, field_errors
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, hub_of
from accounts_center.web.uploads import read_upload

router = APIRouter(include_in_schema=False)
PAGE = "/profile/creations"
UPLOAD_PATH = "/profile/creations/upload"
Person = Annotated[CurrentSession, Depends(require_person)]
PersonOnPage = Annotated[CurrentSession, person_on(PAGE)]
NOTICES = {"sticker": "Your sticker is made, and your apps that use creations have it.",
           "image": "Your image is added, and your apps that use creations have it.",
           "hidden": "Hidden: your apps no longer have it.",
           "shown": "Shown: your apps have it again.",
           "deleted": "Deleted, for you and for every app."}


def creations_page(request: Request, person: CurrentSession, *, status: int = 200,
                   **extra: Any) -> Response:
    hub = hub_of(request)
    return render(request, "creations.html", {
        "title": "Creations", "creations": list_creations(hub, person.identity_id),
        "has_avatar": read_profile(hub, person.identity_id).avatar is not None,
        "expressions": sticker_expressions(), "title_max": TITLE_MAX,
        "sticker_errors": {}, "upload_errors": {}, **extra}, status=status)


@router.get(PAGE)
def creations(request: Request, person: Person, done: str = "") -> Response:
    return creations_page(request, person, notice=NOTICES.get(done))


@router.post("/profile/creations/sticker")
def new_sticker(request: Request, person: PersonOnPage, expression: FormText = "",
                title: FormText = "", csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    try:
        make_sticker(hub_of(request), person.identity_id, expression, title)
    except AccountsCenterError as error:
        return creations_page(request, person, status=error.status,
                              sticker_errors=field_errors(error))
    return RedirectResponse(f"{PAGE}?done=sticker", status_code=303)


@router.post(UPLOAD_PATH)
async def new_image(request: Request, person: PersonOnPage,
                    file: Annotated[UploadFile | None, File()] = None,
                    title: FormText = "", csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    hub = hub_of(request)
    limit = hub.settings.media_max_upload_bytes
    try:
        data = await read_upload(file, limit, "file")
        await run_in_threadpool(upload_creation, hub, person.identity_id, data, title)
    except AccountsCenterError as error:
        return await run_in_threadpool(partial(
            creations_page, request, person, status=error.status,
            upload_errors=field_errors(error)))
    return RedirectResponse(f"{PAGE}?done=image", status_code=303)


@router.post("/profile/creations/{creation_id}/visibility")
def visibility(request: Request, person: PersonOnPage, creation_id: RowId,
               hidden: FormText = "", csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    hide = hidden == "on"
    set_hidden(hub_of(request), person.identity_id, creation_id, hide)
    return RedirectResponse(f"{PAGE}?done={'hidden' if hide else 'shown'}#c-{creation_id}",
                            status_code=303)


@router.get("/profile/creations/{creation_id}/delete")
def confirm_delete(request: Request, person: Person, creation_id: RowId) -> Response:
    return render(request, "delete_creation.html", {
        "title": "Delete a creation",
        "creation": _one(list_creations(hub_of(request), person.identity_id), creation_id)})


@router.post("/profile/creations/{creation_id}/delete")
def delete(request: Request, person: PersonOnPage, creation_id: RowId,
           csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    delete_creation(hub_of(request), person.identity_id, creation_id)
    return RedirectResponse(f"{PAGE}?done=deleted", status_code=303)


def _one(creations: list[Creation], creation_id: str) -> Creation:
    found = next((c for c in creations if c.id == creation_id), None)
    if found is None:
        raise CreationNotFound()
    return found
