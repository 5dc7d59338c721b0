"""Pics's feed: upload a photo with a caption, see everyone's, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from accounts_center_demo.family.images import MAX_PHOTO_BYTES, NotAPhoto, checked_photo
from accounts_center_demo.family.models import User
from accounts_center_demo.family.visits import Family, Visit
from accounts_center_demo.pics.models import Photo
from accounts_center_demo.pics.sticker_routes import sticker_router

MAX_CAPTION = 500


def photo_router(family: Family) -> APIRouter:
    router = APIRouter()

    def feed_page(v: Visit, status: int = 200, error: str | None = None,
                  caption: str = "", notice: str | None = None) -> Response:
        photos = v.db.execute(select(Photo, User).join(User, User.id == Photo.user_id)
                              .order_by(Photo.created_at.desc()).limit(30)).all()
        return v.render("feed.html", status=status, photos=photos, error=error,
                        caption=caption, notice=notice)

    if family.declares_creations:
        router.include_router(sticker_router(family, feed_page))

    @router.get("/")
    def feed(request: Request) -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            return feed_page(v)

    @router.post("/photos")
    def upload(request: Request, csrf_token: Annotated[str, Form()] = "",
               caption: Annotated[str, Form(max_length=5000)] = "",
               photo: Annotated[UploadFile | None, File()] = None) -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            data = photo.file.read(MAX_PHOTO_BYTES + 1) if photo is not None else b""
            cleaned = caption.strip()
            try:
                media_type, data = checked_photo(data)
                if len(cleaned) > MAX_CAPTION:
                    raise NotAPhoto(f"A caption has at most {MAX_CAPTION} characters.")
            except NotAPhoto as refused:
                return feed_page(v, 422, str(refused), caption)
            v.db.add(Photo(user_id=v.user.id, caption=cleaned, media_type=media_type,
                           data=data))
            if v.user.hub_linked:
                v.after(family.hub.push_activity, v.user.id, "posted_photo")
            return v.redirect("/")

    @router.get("/photos/{photo_id}")
    def photo_file(request: Request, photo_id: int) -> Response:
        with family.visit(request) as v:
            found = v.db.get(Photo, photo_id) if v.user is not None else None
            if found is None:
                return Response(status_code=404)
            # Served as the type its bytes showed, never sniffed or run by the browser.
            return Response(found.data, media_type=found.media_type, headers={
                "Cache-Control": "private, max-age=3600",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Content-Disposition": "inline"})

    return router
