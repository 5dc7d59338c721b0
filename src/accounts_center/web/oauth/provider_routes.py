"""The OpenID provider's machine endpoints: discovery, JWKS, token, PAR, revocation,
userinfo. Bodies are read here; Authlib (synchronous) runs in the thread pool."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import InvalidRequestError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from accounts_center.oidc.discovery import provider_metadata
from accounts_center.oidc.pushed_requests import push_authorization_request
from accounts_center.oidc.requests import HubOAuth2Request
from accounts_center.oidc.server import HubAuthorizationServer
from accounts_center.oidc.userinfo import userinfo_response
from accounts_center.services.signing_keys import (
    JWKS_MAX_AGE_SECONDS,
    active_signing_key,
    published_jwks,
)

router = APIRouter(include_in_schema=False)
MAX_FORM_FIELDS = 50


def server_of(request: Request) -> HubAuthorizationServer:
    server: HubAuthorizationServer = request.app.state.oidc
    return server


async def form_fields(request: Request) -> list[tuple[str, str]]:
    """The POSTed form; a malformed body reads as empty (the grant reports what's
    missing). RFC 6749 bodies are urlencoded, parsed here directly; anything else goes
    through Starlette's form parser."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    try:
        if content_type == "application/x-www-form-urlencoded":
            return parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True,
                             max_num_fields=MAX_FORM_FIELDS, errors="strict")
        data = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
        return [(k, v) for k, v in data.multi_items() if isinstance(v, str)]
    except HTTPException:
        raise  # a body over the size limit is a 413, not an empty form
    except Exception:
        return []


async def oauth_request(request: Request) -> HubOAuth2Request:
    form = await form_fields(request) if request.method == "POST" else []
    # The issuer's URL, not the one seen here: behind a TLS proxy the hub sees http.
    uri = server_of(request).issuer + request.url.path
    return HubOAuth2Request(request.method, uri, request.headers,
                            request.query_params.multi_items(), form)


@router.get("/.well-known/openid-configuration")
def discovery(request: Request) -> JSONResponse:
    return JSONResponse(provider_metadata(server_of(request).issuer))


@router.get("/oauth2/jwks")
def jwks(request: Request) -> JSONResponse:
    # New keys are published this long, and more, before they sign (key_schedule.py).
    return JSONResponse(published_jwks(server_of(request).hub),
                        headers={"cache-control": f"public, max-age={JWKS_MAX_AGE_SECONDS}"})


def _with_transaction(server: HubAuthorizationServer, request: HubOAuth2Request,
                      endpoint: str) -> Any:
    # Loaded (and cached) before the transaction: signing must not open a second one.
    active_signing_key(server.hub)
    # Committed whatever the outcome: a refused replay still revokes what it must.
    with server.transaction() as uow:
        request.uow = uow
        try:
            if endpoint == "token":
                response = server.create_token_response(request)
            else:
                response = server.create_endpoint_response(endpoint, request)
        except ValueError:  # Authlib refuses to echo control characters in an error
            return server.handle_error_response(request, InvalidRequestError(
                "The request contains characters that are not allowed."))
        uow.commit()
        return response


async def token(request: Request) -> Response:
    server = server_of(request)
    oauth = await oauth_request(request)
    if server.hub.engine.dialect.name == "sqlite":
        # SQLite transactions of this process run one at a time anyway, and these take
        # about a millisecond: the hop to the thread pool would cost a fifth of that.
        return cast(Response, _with_transaction(server, oauth, "token"))
    return await run_in_threadpool(_with_transaction, server, oauth, "token")


# A plain Starlette route: the busiest endpoint skips FastAPI's dependency machinery.
router.add_route("/oauth2/token", token, methods=["POST"], include_in_schema=False)


@router.post("/oauth2/revoke")
async def revoke(request: Request) -> Response:
    server = server_of(request)
    return await run_in_threadpool(_with_transaction, server, await oauth_request(request),
                                   "revocation")


@router.post("/oauth2/introspect")
async def introspect(request: Request) -> Response:
    server = server_of(request)
    return await run_in_threadpool(_with_transaction, server, await oauth_request(request),
                                   "introspection")


@router.post("/oauth2/par")
async def pushed_authorization_request(request: Request) -> Response:
    server = server_of(request)
    response: Response = await run_in_threadpool(push_authorization_request, server,
                                                 await oauth_request(request))
    return response


@router.api_route("/oauth2/userinfo", methods=["GET", "POST"])
def userinfo(request: Request) -> Response:
    return userinfo_response(server_of(request).hub, request.headers.get("authorization", ""))
