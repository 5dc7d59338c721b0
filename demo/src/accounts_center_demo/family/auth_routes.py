"""Sign-up, password sign-in and sign-out: the app's own accounts, hub or no hub."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accounts_center_demo.family.accounts import SignUpRefused
from accounts_center_demo.family.visits import Family


def safe_next(target: str) -> str:
    """Only a path of this app: never another site (an open redirect)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        return target
    return "/"


def auth_router(family: Family) -> APIRouter:
    router = APIRouter()
    hub = family.hub

    @router.get("/signup")
    def signup_form(request: Request) -> Response:
        with family.visit(request) as v:
            if v.user is not None:
                return v.redirect("/")
            return v.render("signup.html", errors={}, login="", display_name="")

    @router.post("/signup")
    def signup(request: Request, csrf_token: Annotated[str, Form()] = "",
               login: Annotated[str, Form(max_length=100)] = "",
               display_name: Annotated[str, Form(max_length=200)] = "",
               password: Annotated[str, Form(max_length=1024)] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            try:
                user = family.accounts.sign_up(v.db, login, password, display_name)
            except SignUpRefused as refused:
                return v.render("signup.html", status=422, errors=refused.errors,
                                login=login, display_name=display_name)
            v.sign_in(user)
            return v.redirect("/")

    @router.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        with family.visit(request) as v:
            if v.user is not None:
                return v.redirect(safe_next(next))
            return v.render("login.html", error=None, login="", next_path=safe_next(next))

    @router.post("/login")
    def login(request: Request, csrf_token: Annotated[str, Form()] = "",
              login: Annotated[str, Form(max_length=100)] = "",
              password: Annotated[str, Form(max_length=1024)] = "",
              next: Annotated[str, Form(max_length=500)] = "/") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            user = family.accounts.authenticate(v.db, login, password)
            if user is None:
                kind = family.config.identity.login_kind.label.lower()
                return v.render("login.html", status=401, login=login, next_path=next,
                                error=f"That {kind} and password don't match an account.")
            v.sign_in(user)
            if user.hub_linked:
                v.after(hub.push_device, user.id, request.headers.get("user-agent", ""),
                        "password")
            return v.redirect(safe_next(next))

    @router.post("/logout")
    def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
        with family.visit(request) as v:
            v.check_csrf(csrf_token)
            v.sign_out()
            return v.redirect("/login")

    return router
