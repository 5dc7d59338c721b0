"""Social's feed: everyone's text posts, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from accounts_center_demo.family.models import User
from accounts_center_demo.family.visits import Family, Visit
from accounts_center_demo.social.models import Post

MAX_POST = 1000


def feed_router(family: Family) -> APIRouter:
    router = APIRouter()

    def feed_page(v: Visit, status: int = 200, error: str | None = None,
                  text: str = "") -> Response:
        posts = v.db.execute(select(Post, User).join(User, User.id == Post.user_id)
                             .order_by(Post.created_at.desc()).limit(50)).all()
        return v.render("feed.html", status=status, posts=posts, error=error, text=text)

    @router.get("/")
    def feed(request: Request) -> Response:
        with family.visit(request) as v:
            if v.user is None:
                return v.to_login()
            return feed_page(v)

    @router.post("/posts")
    def post(request: Request, csrf_token: Annotated[str, Form()] = "",
             text: Annotated[str, Form(max_length=10000)] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            if v.user is None:
                return v.to_login()
            cleaned = text.strip()
            if not cleaned or len(cleaned) > MAX_POST:
                return feed_page(v, 422, f"Write 1 to {MAX_POST} characters.", text)
            v.db.add(Post(user_id=v.user.id, text=cleaned))
            if v.user.hub_linked:
                v.after(family.hub.push_activity, v.user.id, "posted")
            return v.redirect("/")

    return router
