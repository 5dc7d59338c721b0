"""The hub's ASGI application: API, console, static files, middleware, error mapping."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from accounts_center import __version__
from accounts_center.hub import Hub
from accounts_center.oidc.authorize_flow import Flow
from accounts_center.oidc.server import HubAuthorizationServer
from accounts_center.services.avatar_render import InProcessRenderCache
from accounts_center.web.api import (
    app_creations,
    app_crossposts,
    app_data,
    app_links,
    app_profile,
    health,
    me,
    metrics,
)
from accounts_center.web.api.openapi import install_openapi
from accounts_center.web.console import (
    accounts_pages,
    auth_pages,
    avatar_pages,
    connected_pages,
    creation_pages,
    privacy_pages,
    profile_pages,
    security_pages,
)
from accounts_center.web.console.guards import LoginRequired, answer_login_required
from accounts_center.web.console.profile_pages import MULTIPART_OVERHEAD, PHOTO_UPLOAD_PATH
from accounts_center.web.console.rendering import STATIC
from accounts_center.web.input_guard import refuse_hostile_input
from accounts_center.web.media_routes import SignedMediaFastPath
from accounts_center.web.media_routes import router as media_router
from accounts_center.web.middleware import BodyLimit, SecurityHeaders
from accounts_center.web.oauth import authorize_pages, logout_pages, provider_routes
from accounts_center.web.problems import install_error_handlers

API_DESCRIPTION = """\
The Accounts Center hub API. Errors are RFC 9457 problem details
(`application/problem+json`). Person-facing endpoints under `/v1/me` use the console's
session cookie; state-changing calls also need the `X-CSRF-Token` header.
"""


def create_app(hub: Hub) -> FastAPI:
    app = FastAPI(title="Accounts Center", version=__version__, description=API_DESCRIPTION,
                  docs_url=None, redoc_url=None,  # their CDN scripts break our CSP
                  dependencies=[Depends(refuse_hostile_input)])
    app.state.hub = hub
    app.state.oidc = HubAuthorizationServer(hub)
    app.state.authorize_flow = Flow(app.state.oidc)
    app.state.avatar_renders = InProcessRenderCache()
    install_error_handlers(app)
    install_openapi(app)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, error: LoginRequired) -> Response:
        return await answer_login_required(request, error)

    app.include_router(provider_routes.router)
    app.include_router(authorize_pages.router)
    app.include_router(logout_pages.router)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(me.router)
    app.include_router(app_links.router)
    app.include_router(app_data.router)
    app.include_router(app_profile.router)
    app.include_router(app_creations.router)
    app.include_router(app_crossposts.router)
    app.include_router(auth_pages.router)
    app.include_router(security_pages.router)
    app.include_router(accounts_pages.router)
    app.include_router(privacy_pages.router)
    app.include_router(profile_pages.router)
    app.include_router(creation_pages.router)
    app.include_router(connected_pages.router)
    app.include_router(avatar_pages.router)
    app.include_router(media_router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    # Added first, so innermost: under the body limit and the security headers.
    app.add_middleware(SignedMediaFastPath, hub=hub)
    # Image uploads alone (the photo, a creation in the console or from an app) may carry
    # an image up to the media limit (plus the multipart envelope); the service refuses a
    # file over the media limit itself, readably.
    upload_limit = max(hub.settings.max_body_bytes,
                       hub.settings.media_max_upload_bytes + MULTIPART_OVERHEAD)
    app.add_middleware(BodyLimit, max_bytes=hub.settings.max_body_bytes, per_path={
        PHOTO_UPLOAD_PATH: upload_limit, creation_pages.UPLOAD_PATH: upload_limit},
        per_pattern=[(app_creations.UPLOAD_PATH, upload_limit),
                     (app_crossposts.UPLOAD_PATH, upload_limit)])
    app.add_middleware(SecurityHeaders, hsts=hub.settings.cookies_secure)
    return app
