"""Posts that everyone in the app sees for 24 hours: Chat's Status, the Stories of Pics
and Social. Expired ones are filtered out on every read and pruned on every write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts_center_demo.family.models import EPHEMERAL_LIFETIME, User
from accounts_center_demo.family.store import utcnow
from accounts_center_demo.family.visits import Family

MAX_TEXT = 500


@dataclass(frozen=True)
class EphemeralKind:
    model: Any  # a mapped class with the Ephemeral columns
    path: str  # "/stories"
    title: str  # "Stories"
    noun: str  # "story"
    activity: str  # what the hub is told happened: "posted_story"


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

    @router.get(kind.path)
    def show(request: Request) -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            return v.render("ephemeral.html", kind=kind, items=current(v.db, kind.model),
                            error=None, text="")

    @router.post(kind.path)
    def post(request: Request, csrf_token: Annotated[str, Form()] = "",
             text: Annotated[str, Form(max_length=5000)] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            cleaned = text.strip()
            if not cleaned or len(cleaned) > MAX_TEXT:
                return v.render("ephemeral.html", status=422, kind=kind, text=text,
                                items=current(v.db, kind.model),
                                error=f"Write 1 to {MAX_TEXT} characters.")
            prune(v.db, kind.model)
            v.db.add(kind.model(user_id=v.user.id, text=cleaned))
            if v.user.hub_linked:
                v.after(family.hub.push_activity, v.user.id, kind.activity)
            return v.redirect(kind.path)

    return router
