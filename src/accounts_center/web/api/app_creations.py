"""Member apps' creations API (client-authenticated, issue 13 point 5): list a linked
person's creations, fetch one, and add an image their user made in the app.

An app that did not declare `creations` → 403 `…/problems/creations/not-declared`; an
unknown or unlinked user → the same 404 as the data API; an unknown, hidden, deleted or
another person's creation → 404 `…/problems/creations/not-found`; an upload refused like
a profile photo → 413 (too large, too many pixels) or 422 (not an image)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from accounts_center.domain.errors import InvalidInput
from accounts_center.services.app_creations import (
    add_creation_from_app,
    creation_for_app,
    creations_for_app,
)
from accounts_center.web.api.app_links import App
from accounts_center.web.api.schemas import Creation, CreationList, Problem
from accounts_center.web.request_context import hub_of
from accounts_center.web.uploads import read_upload

router = APIRouter(prefix="/v1/app/users", tags=["member apps"], responses={
    401: {"model": Problem, "description": "Bad client credentials"},
    403: {"model": Problem, "description": "The app did not declare creations "
                                           "(`…/problems/creations/not-declared`)"},
    404: {"model": Problem, "description": "No linked account with that user id"},
})

AppUserId = Annotated[str, Path(min_length=1, max_length=200)]
CreationId = Annotated[str, Path(min_length=1, max_length=64)]
# The upload route, for the body limit (`web/app.py`): an image up to the media limit.
UPLOAD_PATH = re.compile(r"^/v1/app/users/[^/]+/creations$")


@router.get("/{app_user_id}/creations", response_model=CreationList)
def list_creations(request: Request, app: App, app_user_id: AppUserId) -> CreationList:
    """The person's creations, newest first."""
    found = creations_for_app(hub_of(request), app, app_user_id)
    return CreationList(creations=[Creation(**document) for document in found])


@router.get("/{app_user_id}/creations/{creation_id}", response_model=Creation)
def get_creation(request: Request, app: App, app_user_id: AppUserId,
                 creation_id: CreationId) -> Creation:
    return Creation(**creation_for_app(hub_of(request), app, app_user_id, creation_id))


@router.post("/{app_user_id}/creations", response_model=Creation, status_code=201,
             responses={413: {"model": Problem, "description": "Too large a file, or "
                                                              "too many pixels"},
                        422: {"model": Problem, "description": "Not a JPEG, PNG, WebP "
                                                              "or HEIC image"}})
async def add_creation(request: Request, app: App, app_user_id: AppUserId,
                       file: Annotated[UploadFile | None, File()] = None,
                       title: Annotated[str | None, Form(max_length=200)] = None) -> Creation:
    """An image the app's user made in the app (multipart: `file`, optional `title`)."""
    hub = hub_of(request)
    limit = hub.settings.media_max_upload_bytes
    data = await read_upload(file, limit, "file", InvalidInput(
        "Send the image as the multipart field `file`.", field="file"))
    document: dict[str, Any] = await run_in_threadpool(
        add_creation_from_app, hub, app, app_user_id, data, title)
    return Creation(**document)
