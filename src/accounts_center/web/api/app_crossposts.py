"""Member apps' cross-posting API (client-authenticated, issue 14 points 3 and 4).

A source app lists where its user's post may go, posts it (multipart), reads each
destination's state and deletes it; a destination reports its copy. A type the app did
not declare → 403 `…/problems/crosspost/type-not-declared`; an unknown or unlinked user →
the same 404 as the data API; a post that is not the app's → 404
`…/problems/crosspost/not-found`; an unknown form field (there is no audience field) or a
destination not offered → 422; an image refused like a profile photo → 413 or 422."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from accounts_center.domain.errors import InvalidInput
from accounts_center.services import crossposts
from accounts_center.web.api.app_links import App
from accounts_center.web.api.crosspost_schemas import (
    CopyReport,
    CopyReported,
    CrossPost,
    CrossPostCopy,
    CrossPostDestination,
    CrossPostDestinations,
)
from accounts_center.web.api.schemas import Problem
from accounts_center.web.request_context import hub_of
from accounts_center.web.uploads import read_upload

router = APIRouter(prefix="/v1/app", tags=["member apps"], responses={
    401: {"model": Problem, "description": "Bad client credentials"},
    404: {"model": Problem, "description": "No linked account with that user id, or no "
                                           "such cross-post of this app"},
})

AppUserId = Annotated[str, Path(min_length=1, max_length=200)]
CrossPostId = Annotated[str, Path(min_length=1, max_length=64)]
PostType = Annotated[str, Query(min_length=1, max_length=16)]
# The upload route, for the body limit (`web/app.py`): an image up to the media limit.
UPLOAD_PATH = re.compile(r"^/v1/app/users/[^/]+/crossposts$")
# Everything a post may carry. The source's audience is not among it: it never leaves
# the source app (DESIGN §4.4), so a field that would carry it is refused, not ignored.
FORM_FIELDS = frozenset({"media", "caption", "type", "expires_at", "destinations"})
NOT_DECLARED: dict[int | str, dict[str, Any]] = {403: {
    "model": Problem, "description": "The app did not declare this type as a cross-post source"}}


@router.get("/users/{app_user_id}/crosspost/destinations",
            response_model=CrossPostDestinations, responses=NOT_DECLARED)
def list_destinations(request: Request, app: App, app_user_id: AppUserId,
                      type: PostType) -> CrossPostDestinations:
    """Where a post of `type` may go: the person's `ask` and `always` destinations."""
    found = crossposts.destinations_for_app(hub_of(request), app, app_user_id, type)
    return CrossPostDestinations(destinations=[
        CrossPostDestination(id=d.id, app=d.app, type=d.type, mode=d.mode) for d in found])


@router.post("/users/{app_user_id}/crossposts", response_model=CrossPost, status_code=201,
             responses={**NOT_DECLARED,
                        413: {"model": Problem, "description": "Too large a file, or "
                                                              "too many pixels"},
                        422: {"model": Problem, "description": "Not an image, an unknown "
                                                              "field, or a destination not "
                                                              "offered"}})
async def create(request: Request, app: App, app_user_id: AppUserId,
                 type: Annotated[str, Form(min_length=1, max_length=16)],
                 media: Annotated[UploadFile | None, File()] = None,
                 caption: Annotated[str | None, Form(max_length=4000)] = None,
                 expires_at: Annotated[str | None, Form(max_length=64)] = None,
                 destinations: Annotated[list[str] | None, Form()] = None) -> CrossPost:
    """A post of the app's user to cross-post (multipart: `media`, `type`, optional
    `caption`, `expires_at` and `destinations` — the ids of the `ask` destinations the
    person picked; `always` ones are added by the hub)."""
    form = await request.form()
    unknown = sorted(set(form.keys()) - FORM_FIELDS)
    if unknown:
        raise InvalidInput(f"{unknown[0]}: unknown field (known fields: "
                           f"{', '.join(sorted(FORM_FIELDS))})", field=unknown[0])
    hub = hub_of(request)
    data = await read_upload(media, hub.settings.media_max_upload_bytes, "media",
                             InvalidInput("Send the image as the multipart field `media`.",
                                          field="media"))
    picked = [d for d in destinations or [] if d]
    if any(len(d) > 64 for d in picked):
        raise InvalidInput("destinations: not a destination id", field="destinations")
    post: crossposts.CrossPost = await run_in_threadpool(
        crossposts.create_crosspost, hub, app, app_user_id, type, data, caption,
        expires_at, picked)
    return _document(post)


@router.get("/crossposts/{crosspost_id}", response_model=CrossPost)
def read(request: Request, app: App, crosspost_id: CrossPostId) -> CrossPost:
    """The app's own post, with each destination's state."""
    return _document(crossposts.crosspost_for_source(hub_of(request), app, crosspost_id))


@router.delete("/crossposts/{crosspost_id}", response_model=CrossPost)
def delete(request: Request, app: App, crosspost_id: CrossPostId) -> CrossPost:
    """The app's user deleted the item at the source."""
    return _document(crossposts.delete_crosspost(hub_of(request), app, crosspost_id))


@router.put("/crossposts/{crosspost_id}/copy", response_model=CopyReported,
            responses={422: {"model": Problem, "description": "Unknown fields or invalid "
                                                              "values"}})
def report(request: Request, app: App, crosspost_id: CrossPostId,
           body: CopyReport) -> CopyReported:
    """A destination app says what became of the copy it was sent."""
    done = crossposts.report_copy(hub_of(request), app, crosspost_id, body.state,
                                  body.item_id, body.type)
    return CopyReported(crosspost_id=done.crosspost_id, type=done.type, state=done.state,
                        item_id=done.item_id)


def _document(post: crossposts.CrossPost) -> CrossPost:
    return CrossPost(
        id=post.id, type=post.type, caption=post.caption, media_type=post.media_type,
        expires_at=post.expires_at, created_at=post.created_at, deleted_at=post.deleted_at,
        expired_at=post.expired_at,
        destinations=[CrossPostCopy(
            destination=CrossPostDestination(id=c.destination.id, app=c.destination.app,
                                             type=c.destination.type,
                                             mode=c.destination.mode),
            state=c.state, updated_at=c.updated_at) for c in post.destinations])
