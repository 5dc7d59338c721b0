"""One request's view of the app: the database transaction, the browser's session, the
signed-in user, and the ways to answer (a page, a redirect), so handlers stay short:

    with family.visit(request) as v:
        if v.user is None:
            return v.to_login()
        return v.render("feed.html", posts=...)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment
from sqlalchemy.orm import Session
from starlette.background import BackgroundTasks

from accounts_center_demo.family.accounts import Accounts
from accounts_center_demo.family.config import AppConfig
from accounts_center_demo.family.hub import HubConnection
from accounts_center_demo.family.models import User, WebSession
from accounts_center_demo.family.sessions import (
    check_csrf,
    end_session,
    load_session,
    set_session_cookie,
    start_signed_in,
)
from accounts_center_demo.family.store import Store


@dataclass
class Family:
    """Everything one app's handlers share, built once by the app factory."""

    config: AppConfig
    store: Store
    accounts: Accounts
    hub: HubConnection
    pages: Environment
    # The app declares "creations": it offers the person's stickers from Accounts Center.
    declares_creations: bool = False
    # The types the app takes as a cross-posting destination (its ``crosspost.destinations``)
    # and the table a copy of each lands in: Pics's and Social's Stories, Chat's Status.
    crosspost_copies: dict[str, Any] = field(default_factory=dict)
    # Every 24-hour post table of the app (its own posts, cross-posted or not, and copies).
    post_models: tuple[Any, ...] = ()

    @contextmanager
    def visit(self, request: Request) -> Iterator[Visit]:
        with self.store.session() as db:
            session = load_session(db, request, self.config.cookie_name)
            user = db.get(User, session.user_id) if session.user_id is not None else None
            yield Visit(self, request, db, session, user)


@dataclass
class Visit:
    family: Family
    request: Request
    db: Session
    session: WebSession
    user: User | None
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        page = self.family.pages.get_template(template).render(
            user=self.user, csrf_token=self.session.csrf_token, path=self.request.url.path,
            **context)
        return self._finish(HTMLResponse(page, status_code=status))

    def redirect(self, location: str) -> Response:
        return self._finish(RedirectResponse(location, status_code=303))

    def json(self, content: Any, status: int = 200) -> Response:
        return self._finish(JSONResponse(content, status_code=status))

    def to_login(self) -> Response:
        return self.redirect("/login?next=" + quote(self.request.url.path, safe="/"))

    def check_csrf(self, sent: str) -> None:
        """Raises CsrfRejected (a readable 400 page) unless ``sent`` is this session's."""
        check_csrf(self.session, sent)

    def sign_in(self, user: User) -> None:
        self.session = start_signed_in(self.db, self.request, self.session, user)
        self.user = user

    def sign_out(self) -> None:
        self.session = end_session(self.db, self.request, self.session)
        self.user = None

    def after(self, task: Callable[..., Any], *args: Any) -> None:
        """Runs ``task`` after the answer is sent (pushes to the hub: never in the way)."""
        self.tasks.add_task(task, *args)

    def _finish(self, response: Response) -> Response:
        token = getattr(self.request.state, "new_session_token", None)
        if token:
            set_session_cookie(response, self.family.config.cookie_name, token,
                               secure=self.family.config.base_url.startswith("https://"))
        if self.tasks.tasks:
            response.background = self.tasks
        response.headers["Cache-Control"] = "no-store"
        return response
