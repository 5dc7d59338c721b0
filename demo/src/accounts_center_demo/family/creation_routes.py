"""The person's creations in an app that declares them: each kept picture served from
this app's own origin to people signed in here (a sticker sent in Chat is shown to its
recipient), and "Refresh from Accounts Center", which goes back to the page it was on.
``creations_picker`` is what a page with a sticker picker shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accounts_center_demo.family.creation_models import KeptCreation
from accounts_center_demo.family.kept_creations import (
    REFRESH_MESSAGES,
    ever_refreshed,
    kept_creations,
    refresh_creations,
)
from accounts_center_demo.family.visits import Family, Visit


@dataclass(frozen=True)
class Picker:
    creations: list[KeptCreation]
    message: str | None  # what became of the last refresh
    problem: bool  # the message says something went wrong
    asked: bool  # the person just asked for a refresh: the picker is shown open


def creations_picker(family: Family, v: Visit, refresh: str = "") -> Picker:
    """The signed-in person's kept creations; asked of the hub the first time."""
    assert v.user is not None
    asked = refresh in REFRESH_MESSAGES
    if not refresh and v.user.hub_linked and not ever_refreshed(v.db, v.user.id):
        refresh = refresh_creations(family.hub, v.db, v.user, family.hub.log)
    if not refresh and not v.user.hub_linked:
        refresh = "not-added"
    message = REFRESH_MESSAGES.get(refresh)
    return Picker(kept_creations(v.db, v.user.id), message,
                  problem=message is not None and refresh != "done", asked=asked)


def back_to(path: str) -> str:
    """A path of this app only: never another site (an open redirect)."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


def creation_router(family: Family) -> APIRouter:
    router = APIRouter()

    @router.get("/creations/{user_id}/{creation_id}")
    def picture(request: Request, user_id: int, creation_id: str) -> Response:
        with family.visit(request) as visit:
            held = (visit.db.get(KeptCreation, (user_id, creation_id))
                    if visit.user is not None else None)
            if held is None:
                return Response(status_code=404)
            # Asked again each time (a 304 costs little): once the person deletes it in
            # the hub, no browser keeps showing it from its cache.
            return Response(held.data, media_type=held.media_type, headers={
                "Cache-Control": "private, no-cache",
                "ETag": f'"{held.digest}"',
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Content-Disposition": "inline"})

    @router.post("/creations/refresh")
    def refresh(request: Request, csrf_token: Annotated[str, Form()] = "",
                next_path: Annotated[str, Form(alias="next")] = "/") -> Response:
        with family.visit(request) as visit:
            visit.check_csrf(csrf_token)
            if visit.user is None:
                return visit.to_login()
            outcome = refresh_creations(family.hub, visit.db, visit.user, family.hub.log)
            path = back_to(next_path)
            return visit.redirect(path + ("&" if "?" in path else "?") + f"refresh={outcome}")

    return router
