"""`GET /media/{digest}`: a blob of the media store, for its owner (console session), for
an app the person's decision allowed (HTTP Basic client credentials), or through a URL
signed for one app (`?app=&exp=&sig=`). Errors are RFC 9457 problems; whoever may not
see a blob gets the same 404 whether it exists or not.

`SignedMediaFastPath` answers the signed URLs apps fetch (every synced photo and avatar)
before FastAPI's routing and parameter handling, which cost three times the check itself
(docs/benchmarks.md, "Avatars"): the same service, the same checks and the same answer.
Whatever it does not answer with the blob goes on to the route below."""

from __future__ import annotations

import re
from functools import partial
from typing import Annotated
from urllib.parse import parse_qsl

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Path, Query, Request, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accounts_center.domain.errors import AccountsCenterError, MediaLinkRefused, NotFound
from accounts_center.hub import Hub
from accounts_center.services.media import (
    NO_SUCH_MEDIA,
    MediaBlob,
    media_by_signed_url,
    media_for_app,
    media_for_owner,
)
from accounts_center.web.api.app_links import member_app
from accounts_center.web.request_context import current_session, hub_of

router = APIRouter(tags=["media"], include_in_schema=False)
A_YEAR = 365 * 24 * 3600
EXPIRY = re.compile("[0-9]{1,12}")  # ASCII digits only: int() would take "²" or "٣" too
Param = Annotated[str | None, Query(max_length=200)]


@router.get("/media/{digest}")
def media(request: Request, digest: Annotated[str, Path(max_length=200)],
          app: Param = None, exp: Param = None, sig: Param = None) -> Response:
    hub = hub_of(request)
    max_age = A_YEAR
    if app is not None or exp is not None or sig is not None:
        if app is None or sig is None or exp is None or not EXPIRY.fullmatch(exp):
            raise MediaLinkRefused("This media link is incomplete or damaged.")
        blob, max_age = media_by_signed_url(hub, digest, app, int(exp), sig)
    elif "authorization" in request.headers:
        blob = media_for_app(hub, member_app(request), digest)
    else:
        session = current_session(request)
        if session is None or not session.is_full:
            raise NotFound(NO_SUCH_MEDIA)
        blob = media_for_owner(hub, session.identity_id, digest)
    return _answer(request.headers.get("if-none-match", ""), blob, max_age)


def _answer(if_none_match: str, blob: MediaBlob, max_age: int) -> Response:
    # A digest names its content forever: the ETag is the digest and the response is
    # immutable; private, since it is one person's and answered only after a check.
    headers = {
        "ETag": f'"{blob.digest}"',
        "Cache-Control": f"private, max-age={max_age}, immutable",
        "X-Content-Type-Options": "nosniff",
        # Opened directly, an image runs nothing and loads nothing.
        "Content-Security-Policy": "default-src 'none'",
    }
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    if headers["ETag"] in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(blob.content, media_type=blob.media_type, headers=headers)


PREFIX = "/media/"
_DIGEST = re.compile("[0-9a-f]{64}")
_SIGNED = frozenset({"app", "exp", "sig"})


class SignedMediaFastPath:
    """Pure ASGI, inside the security headers: a well-formed `GET /media/{digest}` with
    exactly ``app``, ``exp`` and ``sig`` whose service call succeeds is answered here.
    Anything else (another route, a malformed, refused or expired link, a blob not
    granted) goes on unchanged to the application, whose route answers it (the problem
    document, the same 404)."""

    def __init__(self, app: ASGIApp, *, hub: Hub) -> None:
        self.app = app
        self.hub = hub
        # SQLite transactions of this process run one at a time anyway, and this one is a
        # read of a tenth of a millisecond: the hop to the thread pool would cost more.
        self.inline = hub.engine.dialect.name == "sqlite"
        # PostgreSQL: no more checks at once than the pool keeps connections. Beyond that
        # the pool opens a connection for the request and closes it after (a server
        # process forked each time): at 16 concurrent fetches, 140 connections a second
        # and half the throughput (docs/benchmarks.md, "Avatars").
        pooled = getattr(hub.engine.pool, "size", lambda: 5)()
        self.limiter = CapacityLimiter(max(1, pooled))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" \
                and scope["path"].startswith(PREFIX):
            response = await self._signed(scope)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _signed(self, scope: Scope) -> Response | None:
        digest = scope["path"][len(PREFIX):]
        try:
            pairs = parse_qsl(scope["query_string"].decode("ascii"), keep_blank_values=True,
                              strict_parsing=True, errors="strict", max_num_fields=3)
        except ValueError:  # not ASCII, not percent-decodable UTF-8, or too many fields
            return None
        query = dict(pairs)
        if not _DIGEST.fullmatch(digest) or len(pairs) != 3 or query.keys() != _SIGNED \
                or not EXPIRY.fullmatch(query["exp"]) \
                or max(len(query["app"]), len(query["sig"])) > 200:
            return None
        check = partial(media_by_signed_url, self.hub, digest, query["app"],
                        int(query["exp"]), query["sig"])
        try:
            blob, max_age = check() if self.inline else await to_thread.run_sync(
                check, limiter=self.limiter)
        except AccountsCenterError:
            return None  # the route answers it, with the problem it raises there
        if_none_match = next((value.decode("latin-1") for name, value in scope["headers"]
                              if name == b"if-none-match"), "")
        return _answer(if_none_match, blob, max_age)
