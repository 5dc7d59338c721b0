"""Builds one app of the family: the shared pieces, then the app's own routers."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Table
from starlette.exceptions import HTTPException

from accounts_center_demo.family.accounts import Accounts
from accounts_center_demo.family.auth_routes import auth_router
from accounts_center_demo.family.config import AppConfig
from accounts_center_demo.family.creation_models import creation_tables
from accounts_center_demo.family.creation_routes import creation_router
from accounts_center_demo.family.hub import HubConnection
from accounts_center_demo.family.hub_routes import hub_router
from accounts_center_demo.family.models import family_tables
from accounts_center_demo.family.pages import (
    FAMILY_STATIC,
    SecurityHeaders,
    content_security_policy,
    template_environment,
)
from accounts_center_demo.family.picture_routes import picture_router
from accounts_center_demo.family.sessions import CsrfRejected
from accounts_center_demo.family.store import Store
from accounts_center_demo.family.visits import Family

ERROR_TITLES = {400: "That request can't be used", 404: "There's nothing here",
                405: "That doesn't work here", 413: "That is too large",
                422: "Some of that can't be used", 500: "Something went wrong"}


def read_capabilities(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def create_family_app(config: AppConfig, *, app_dir: Path, app_tables: Sequence[Table],
                      routers: Callable[[Family], list[APIRouter]],
                      ephemeral_models: Mapping[str, Any] | None = None) -> FastAPI:
    """``app_dir`` holds the app's templates/, static/ and capabilities.json;
    ``ephemeral_models``: the app's 24-hour post tables by cross-post type (``{"story":
    Story}``), where copies land of the types it declares as destinations."""
    identity = config.identity
    capabilities = read_capabilities(app_dir / "capabilities.json")
    declares_creations = capabilities.get("creations") is True
    store = Store(config.database_path, [*family_tables(), *creation_tables(), *app_tables])
    hub = HubConnection(config, store)
    pages = template_environment(app_dir / "templates", {
        "app_name": identity.name, "app_slug": identity.slug, "app_colour": identity.colour,
        "tagline": identity.tagline, "nav": identity.nav, "scripts": identity.scripts,
        "login_kind": identity.login_kind,
        "hub_registered": hub.client is not None,
        "your_information": hub.your_information_url,
        "capabilities": capabilities,
        "offers_creations": declares_creations and hub.client is not None})
    accounts = Accounts.with_cost(identity.login_kind, config.argon2_time_cost,
                                  config.argon2_memory_kib, config.argon2_parallelism)
    takes = capabilities.get("crosspost", {}).get("destinations", [])
    family = Family(config, store, accounts, hub, pages, declares_creations,
                    {kind: model for kind, model in (ephemeral_models or {}).items()
                     if kind in takes},
                    tuple((ephemeral_models or {}).values()))
    log = logging.getLogger(f"accounts_center_demo.{identity.slug}")

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        hub.close()
        store.close()

    app = FastAPI(title=identity.name, docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.family = family
    app.mount("/static/family", StaticFiles(directory=FAMILY_STATIC), name="family-static")
    if (app_dir / "static").is_dir():
        app.mount("/static/app", StaticFiles(directory=app_dir / "static"), name="app-static")
    theme = f":root {{ --accent: {identity.colour}; }}\n"

    @app.get("/theme.css", include_in_schema=False)
    def theme_css() -> Response:
        # The app's colour as CSS: the strict CSP allows no inline styles.
        return Response(theme, media_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})

    app.include_router(auth_router(family))
    app.include_router(hub_router(family, list(capabilities.get("receives", []))))
    app.include_router(picture_router(family))
    if declares_creations:
        app.include_router(creation_router(family))
    for router in routers(family):
        app.include_router(router)

    def error_page(status: int, message: str) -> Response:
        page = pages.get_template("error.html").render(
            user=None, title=ERROR_TITLES.get(status, "That didn't work"), message=message)
        return HTMLResponse(page, status_code=status)

    @app.exception_handler(CsrfRejected)
    def csrf_rejected(_request: Request, _error: CsrfRejected) -> Response:
        return error_page(400, "This form has expired or came from another site. Go back, "
                          "reload the page and try again.")

    @app.exception_handler(RequestValidationError)
    def invalid(_request: Request, error: RequestValidationError) -> Response:
        names = sorted({str(e["loc"][-1]) for e in error.errors() if e.get("loc")})
        return error_page(422, "Some of what was sent can't be used"
                          + (f": {', '.join(names)}." if names else "."))

    @app.exception_handler(HTTPException)
    def http_error(_request: Request, error: HTTPException) -> Response:
        return error_page(error.status_code, str(error.detail)
                          if error.status_code != 404 else "There is no page at this address.")

    @app.exception_handler(Exception)
    def unexpected(request: Request, error: Exception) -> Response:
        # The type and route only: never a value that was sent.
        route = getattr(request.scope.get("route"), "path", "?")
        log.error("unhandled %s on %s %s", type(error).__name__, request.method, route)
        return error_page(500, "Something went wrong on our side. Try again.")

    hub_origin = None
    if config.hub:
        parts = urlsplit(config.hub.issuer)
        hub_origin = f"{parts.scheme}://{parts.netloc}"
    app.add_middleware(SecurityHeaders, csp=content_security_policy(hub_origin))
    return app
