"""Pics and the person's creations library: post one of their stickers as a photo (a
copy: a post stays when the sticker is later deleted in the hub, like any photo), and save
a photo they posted to their Accounts Center creations (``add_creation``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import undefer

from accounts_center_demo.family.creation_models import KeptCreation
from accounts_center_demo.family.creation_routes import creations_picker
from accounts_center_demo.family.hub import HUB_FAILURES, PictureUnavailable, describe_failure
from accounts_center_demo.family.kept_creations import fetch_creation_picture, keep_creation
from accounts_center_demo.family.visits import Family, Visit
from accounts_center_demo.pics.models import Photo
from accounts_center_sdk import CreationsNotDeclared

MAX_CAPTION = 500
FeedPage = Callable[..., Response]


def sticker_router(family: Family, feed_page: FeedPage) -> APIRouter:
    router = APIRouter()
    hub = family.hub

    def stickers_page(v: Visit, status: int = 200, error: str | None = None,
                      caption: str = "", refresh: str = "") -> Response:
        return v.render("stickers.html", status=status, error=error, caption=caption,
                        picker=creations_picker(family, v, refresh),
                        hub_creations=f"{hub.profile_url}/creations" if hub.profile_url
                        else None)

    @router.get("/stickers")
    def stickers(request: Request, refresh: str = "") -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            return stickers_page(v, refresh=refresh)

    @router.post("/photos/sticker")
    def post_sticker(request: Request, csrf_token: Annotated[str, Form()] = "",
                     creation_id: Annotated[str, Form(max_length=64)] = "",
                     caption: Annotated[str, Form(max_length=5000)] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            cleaned = caption.strip()
            if len(cleaned) > MAX_CAPTION:
                return stickers_page(v, 422, f"A caption has at most {MAX_CAPTION} "
                                     "characters.", caption)
            sticker = v.db.get(KeptCreation, (v.user.id, creation_id),
                               options=[undefer(KeptCreation.data)])
            if sticker is None:
                return stickers_page(v, 404, "That sticker is no longer in your creations. "
                                     "Pick another one.", caption)
            v.db.add(Photo(user_id=v.user.id, caption=cleaned, media_type=sticker.media_type,
                           data=sticker.data))
            if v.user.hub_linked:
                v.after(hub.push_activity, v.user.id, "posted_photo")
            return v.redirect("/")

    @router.post("/photos/{photo_id}/save-to-creations")
    def save_to_creations(request: Request, photo_id: int,
                          csrf_token: Annotated[str, Form()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            photo = v.db.get(Photo, photo_id)
            if photo is None or photo.user_id != v.user.id:
                return feed_page(v, 404, "You can save only photos you posted.")
            if hub.client is None or not v.user.hub_linked:
                return feed_page(v, 409, "Add your Pics account to Accounts Center (in "
                                 "Settings) to save photos to your creations.")
            try:
                made = hub.client.add_creation(str(v.user.id), photo.data, photo.media_type,
                                               title=photo.caption[:60] or None)
            except CreationsNotDeclared:
                return feed_page(v, 403, "Accounts Center refused: Pics has not declared "
                                 "that it uses your creations.")
            except HUB_FAILURES as failure:
                return feed_page(v, 502, describe_failure(failure))
            try:  # the hub tells the person's other apps, not the one that added it
                keep_creation(v.db, v.user.id, made, fetch_creation_picture(hub, made))
            except PictureUnavailable as failed:
                hub.log.warning("the creation just added was not fetched: %s", failed)
            return feed_page(v, notice=f"Saved to your Accounts Center creations as "
                             f"“{made.title}”.")

    return router
