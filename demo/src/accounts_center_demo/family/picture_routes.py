"""People's pictures from Accounts Center, served from this app's own origin: the photo
or avatar a person keeps in sync, to anyone signed in here (it is shown next to what they
post), as the type its bytes were checked to be."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from accounts_center_demo.family.models import SyncedField
from accounts_center_demo.family.visits import Family


def picture_router(family: Family) -> APIRouter:
    router = APIRouter()

    @router.get("/people/{user_id}/{field}")
    def picture(request: Request, user_id: int, field: Literal["photo", "avatar"],
                v: str = "") -> Response:
        with family.visit(request) as visit:
            held = (visit.db.get(SyncedField, (user_id, field))
                    if visit.user is not None else None)
            if held is None or held.data is None or held.media_type is None:
                return Response(status_code=404)
            # The page's URL names the digest: a new picture is a new URL, so an answer
            # to the URL of the current one may be kept.
            current = bool(v) and held.digest is not None and held.digest.startswith(v)
            return Response(held.data, media_type=held.media_type, headers={
                "Cache-Control": "private, max-age=86400" if current else "no-cache",
                "ETag": f'"{held.digest}"',
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Content-Disposition": "inline"})

    return router
