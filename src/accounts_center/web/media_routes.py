"""`GET /media/{digest}`: a blob of the media store, for its owner (console session), for
an app the person's decision allowed (HTTP Basic client credentials), or through a URL
signed for one app (`?app=&exp=&sig=`). Errors are RFC 9457 problems; whoever may not
see a blob gets the same 404 whether it exists or not."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from accounts_center.domain.errors import MediaLinkRefused, NotFound
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
    return _answer(request, blob, max_age)


def _answer(request: Request, blob: MediaBlob, max_age: int) -> Response:
    # A digest names its content forever: the ETag is the digest and the response is
    # immutable; private, since it is one person's and answered only after a check.
    headers = {
        "ETag": f'"{blob.digest}"',
        "Cache-Control": f"private, max-age={max_age}, immutable",
        "X-Content-Type-Options": "nosniff",
        # Opened directly, an image runs nothing and loads nothing.
        "Content-Security-Policy": "default-src 'none'",
    }
    wanted = {tag.strip().removeprefix("W/")
              for tag in request.headers.get("if-none-match", "").split(",")}
    if headers["ETag"] in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(blob.content, media_type=blob.media_type, headers=headers)
