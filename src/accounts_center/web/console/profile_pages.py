"""The Profile section (issue 13): the person's canonical profile, which apps keep which
field in sync, and the history of every write (losing ones included)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accounts_center.domain.avatar import DEFAULT_AVATAR, PARTS, AvatarSpec, parse_avatar_spec
from accounts_center.domain.errors import AccountsCenterError, InvalidInput
from accounts_center.services import profile_photos
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.services.profiles import (
    edit_profile,
    profile_history,
    read_profile,
    set_profile_avatar,
    set_sync,
    sync_switches,
)
from accounts_center.services.profiles import set_profile_photo as set_photo_digest
from accounts_center.web.console.avatar_pages import AVATAR_SAVE_PATH, editor_context
from accounts_center.web.console.forms import FormText, field_errors
from accounts_center.web.console.guards import person_on, require_person
from accounts_center.web.console.rendering import render
from accounts_center.web.parameters import RowId
from accounts_center.web.request_context import check_csrf, hub_of
from accounts_center.web.uploads import read_upload

router = APIRouter(include_in_schema=False)
Person = Annotated[CurrentSession, Depends(require_person)]
PersonOnProfile = Annotated[CurrentSession, person_on("/profile")]
NOTICES = {"saved": "Your profile is saved.", "sync-on": "Sync turned on.",
           "sync-off": "Sync turned off.", "photo": "Your profile photo is saved.",
           "photo-removed": "Your profile photo is removed.",
           "avatar": "Your avatar is saved."}
PHOTO_UPLOAD_PATH = "/profile/photo"


# Room for the multipart envelope around the file (boundaries, part headers, csrf_token).
MULTIPART_OVERHEAD = 64 * 1024


def profile_page(request: Request, person: CurrentSession, *, status: int = 200,
                 **extra: Any) -> Response:
    hub = hub_of(request)
    held = read_profile(hub, person.identity_id)
    return render(request, "profile.html", {
        "title": "Profile", "profile": held, "avatar_errors": {},
        **editor_context(_saved_avatar(held.avatar), [], save_url=AVATAR_SAVE_PATH),
        "links": sync_switches(hub, person.identity_id),
        "history": profile_history(hub, person.identity_id), "errors": {},
        "photo_errors": {}, **extra},
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


@router.post(PHOTO_UPLOAD_PATH)
async def upload_photo(request: Request, person: PersonOnProfile,
                       photo: Annotated[UploadFile | None, File()] = None,
                       csrf_token: FormText = "") -> Response:
    """The new profile photo: stored as three renditions; the profile's photo value is
    the 256 px rendition's digest (what the console shows and apps are sent)."""
    check_csrf(request, csrf_token)
    hub = hub_of(request)
    limit = hub.settings.media_max_upload_bytes
    try:
        data = await read_upload(photo, limit, "photo")
        stored = await run_in_threadpool(profile_photos.set_profile_photo, hub,
                                         person.identity_id, data)
        await run_in_threadpool(set_photo_digest, hub, person.identity_id, stored.medium)
    except AccountsCenterError as error:
        return profile_page(request, person, status=error.status,
                            photo_errors=field_errors(error))
    return RedirectResponse("/profile?done=photo", status_code=303)


@router.post("/profile/photo/remove")
def remove_photo(request: Request, person: PersonOnProfile,
                 csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    set_photo_digest(hub_of(request), person.identity_id, None)
    return RedirectResponse("/profile?done=photo-removed", status_code=303)


def _saved_avatar(document: Mapping[str, Any] | None) -> AvatarSpec:
    if document is None:
        return DEFAULT_AVATAR
    try:
        return parse_avatar_spec(document)
    except InvalidInput:
        # A spec saved under an older vocabulary: the editor starts from the default.
        return DEFAULT_AVATAR


@router.post(AVATAR_SAVE_PATH)
async def save_avatar(request: Request, person: PersonOnProfile) -> Response:
    """The editor's "Save avatar": every part checked (422 naming the part), then the
    profile's avatar becomes the spec. To htmx, the editor again (it replaces itself)."""
    form = await request.form()
    sent = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    check_csrf(request, sent.get("csrf_token", ""))
    htmx = request.headers.get("hx-request") == "true"
    try:
        spec = parse_avatar_spec({name: sent[name] for name in PARTS if name in sent})
        await run_in_threadpool(set_profile_avatar, hub_of(request), person.identity_id,
                                spec.to_document())
    except AccountsCenterError as error:
        if htmx:
            held = read_profile(hub_of(request), person.identity_id)
            return render(request, "avatar_editor.html", editor_context(
                _saved_avatar(held.avatar), [], save_url=AVATAR_SAVE_PATH,
                status="Not saved: " + error.detail), status=error.status)
        return await run_in_threadpool(partial(
            profile_page, request, person, status=error.status,
            avatar_errors=field_errors(error)))
    if htmx:
        return render(request, "avatar_editor.html", editor_context(
            spec, [], save_url=AVATAR_SAVE_PATH, status="Your avatar is saved."))
    return RedirectResponse("/profile?done=avatar", status_code=303)
