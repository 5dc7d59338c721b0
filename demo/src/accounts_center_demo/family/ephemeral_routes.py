"""Posts that everyone in the app sees for 24 hours: Chat's Status, the Stories of Pics
and Social. Expired ones are filtered out on every read and pruned on every write.

A post may carry a photo. Where the kind is a cross-posting source (Chat's Status; Pics's
Stories, which reach Chat's Status where the operator opened story → status), the form lists
the destinations Accounts Center offers for the person: a checkbox for each ``ask`` one, the
``always`` ones named. A post with a photo and at least one destination is cross-posted
(``create_crosspost``); deleting it here deletes the cross-post. A refusal or an
unreachable hub never loses the post: it stays here, with a note that it wasn't shared.
A copy another app shared here (``crosspost_copy``) is marked so; deleting it tells the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts_center_demo.family.hub import HUB_FAILURES, describe_failure, report_copy
from accounts_center_demo.family.images import MAX_PHOTO_BYTES, NotAPhoto, checked_photo
from accounts_center_demo.family.models import EPHEMERAL_LIFETIME, User
from accounts_center_demo.family.store import utcnow
from accounts_center_demo.family.visits import Family, Visit
from accounts_center_sdk import CrossPostDestination, CrossPostNotFound, HubUnavailable

MAX_TEXT = 500


@dataclass(frozen=True)
class EphemeralKind:
    model: Any  # a mapped class with the Ephemeral columns
    path: str  # "/stories"
    title: str  # "Stories"
    noun: str  # "story"
    activity: str  # what the hub is told happened: "posted_story"
    crosspost_source: str | None = None  # the cross-post type it is posted as: "status"


def current(db: Session, model: Any) -> list[tuple[Any, User]]:
    since = utcnow() - EPHEMERAL_LIFETIME
    rows = db.execute(select(model, User).join(User, User.id == model.user_id)
                      .where(model.created_at > since).order_by(model.created_at.desc())
                      .limit(100))
    return [(item, author) for item, author in rows]


def prune(db: Session, model: Any) -> None:
    db.execute(delete(model).where(model.created_at <= utcnow() - EPHEMERAL_LIFETIME))


def ephemeral_router(family: Family, kind: EphemeralKind) -> APIRouter:
    router = APIRouter()
    hub = family.hub

    def destinations(v: Visit) -> tuple[list[CrossPostDestination], str | None]:
        """Where the person's post may go, or nothing and why not."""
        if kind.crosspost_source is None or hub.client is None or v.user is None \
                or not v.user.hub_linked:
            return [], None
        try:
            return hub.client.crosspost_destinations(str(v.user.id), kind.crosspost_source), None
        except HUB_FAILURES as failure:
            hub.log.warning("cross-post destinations not listed: %s", type(failure).__name__)
            return [], describe_failure(failure)

    def page(v: Visit, status: int = 200, error: str | None = None, text: str = "",
             notice: str | None = None) -> Response:
        offered, unavailable = destinations(v)
        return v.render("ephemeral.html", status=status, kind=kind,
                        items=current(v.db, kind.model), error=error, text=text,
                        notice=notice,
                        ask=[d for d in offered if d.mode == "ask"],
                        always=[d for d in offered if d.mode == "always"],
                        destinations_unavailable=unavailable)

    @router.get(kind.path)
    def show(request: Request, notice: str = "") -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            return page(v, notice="Your post was deleted." if notice == "deleted" else None)

    @router.post(kind.path)
    def post(request: Request, csrf_token: Annotated[str, Form()] = "",
             text: Annotated[str, Form(max_length=5000)] = "",
             photo: Annotated[UploadFile | None, File()] = None,
             share_to: Annotated[list[str] | None, Form()] = None) -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            cleaned = text.strip()
            if not cleaned or len(cleaned) > MAX_TEXT:
                return page(v, 422, f"Write 1 to {MAX_TEXT} characters.", text)
            data = photo.file.read(MAX_PHOTO_BYTES + 1) if photo is not None else b""
            media_type: str | None = None
            if data:
                try:
                    media_type, data = checked_photo(data)
                except NotAPhoto as refused:
                    return page(v, 422, str(refused), text)
            prune(v.db, kind.model)
            item = kind.model(user_id=v.user.id, text=cleaned, created_at=utcnow(),
                              media_type=media_type, photo=data or None)
            v.db.add(item)
            if v.user.hub_linked:
                v.after(family.hub.push_activity, v.user.id, kind.activity)
            not_shared = (crosspost(v, item, set(share_to or []))
                          if media_type is not None else None)
            if not_shared:
                v.db.flush()
                return page(v, notice=f"Your {kind.noun} is posted on {family.config.identity.name}"
                            f" but wasn't shared: {not_shared}")
            return v.redirect(kind.path)

    def crosspost(v: Visit, item: Any, ticked: set[str]) -> str | None:
        """Cross-posts the item where the person chose; None, or why it wasn't shared."""
        assert v.user is not None
        if kind.crosspost_source is None or hub.client is None or not v.user.hub_linked:
            return None
        offered, unavailable = destinations(v)
        if unavailable:
            return unavailable
        picked = [d.id for d in offered if d.mode == "ask" and d.id in ticked]
        if not picked and not any(d.mode == "always" for d in offered):
            return None  # nowhere to go: the hub is not asked
        try:
            made = hub.client.create_crosspost(
                str(v.user.id), post_type=kind.crosspost_source, media=item.photo,
                media_type=item.media_type, caption=item.text,
                expires_at=item.expires_at.replace(tzinfo=UTC), destinations=picked)
        except HUB_FAILURES as failure:
            hub.log.warning("cross-post refused or failed: %s", type(failure).__name__)
            return describe_failure(failure)
        item.crosspost_id = made.id
        return None

    @router.get(kind.path + "/{item_id}/photo")
    def photo_file(request: Request, item_id: int) -> Response:
        with family.visit(request) as v:
            found = v.db.get(kind.model, item_id) if v.user is not None else None
            if found is None or found.photo is None or found.media_type is None:
                return Response(status_code=404)
            return Response(found.photo, media_type=found.media_type, headers={
                "Cache-Control": "private, max-age=3600",
                "Content-Security-Policy": "default-src 'none'; sandbox",
                "Content-Disposition": "inline"})

    @router.post(kind.path + "/{item_id}/delete")
    def remove(request: Request, item_id: int,
               csrf_token: Annotated[str, Form()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            found = v.db.get(kind.model, item_id)
            if found is None or found.user_id != v.user.id:
                return Response(status_code=404)
            if found.crosspost_id is not None and not found.crosspost_copy \
                    and hub.client is not None:
                try:
                    hub.client.delete_crosspost(found.crosspost_id)
                except CrossPostNotFound:
                    pass  # the hub has no such post any more: nothing else to delete
                except HubUnavailable as failure:
                    # Kept, so the person can try again: the copies elsewhere still show.
                    return page(v, 502, "Not deleted: the copies shared to your other "
                                "apps could not be deleted. " + describe_failure(failure))
                except HUB_FAILURES as failure:
                    hub.log.warning("cross-post not deleted: %s", type(failure).__name__)
            elif found.crosspost_id is not None and hub.client is not None:
                # A copy another app shared here: the hub hears this app deleted it.
                v.after(report_copy, hub, found.crosspost_id, "deleted", str(found.id))
            v.db.delete(found)
            return v.redirect(kind.path + "?notice=deleted")

    return router
