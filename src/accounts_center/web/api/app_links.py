"""Member apps' own API (client-authenticated with HTTP Basic): removing a link from the
app's side. The answer is the same whether or not the user had a link (CHECKLIST 24)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from accounts_center.domain.errors import ClientAuthenticationFailed
from accounts_center.services.links import unlink_by_app
from accounts_center.services.member_apps import MemberApp, authenticate_client
from accounts_center.web.api.schemas import Problem
from accounts_center.web.request_context import hub_of, origin_of

router = APIRouter(prefix="/v1/app", tags=["member apps"],
                   responses={401: {"model": Problem, "description": "Bad client credentials"}})


def member_app(request: Request) -> MemberApp:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 512:
        raise ClientAuthenticationFailed()
    try:
        client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ClientAuthenticationFailed() from None
    app = authenticate_client(hub_of(request), client_id, secret)
    if app is None:
        raise ClientAuthenticationFailed()
    return app


App = Annotated[MemberApp, Depends(member_app)]


@router.delete("/links/{app_user_id}", status_code=204)
def remove_link(request: Request, app: App,
                app_user_id: Annotated[str, Path(min_length=1, max_length=200)]) -> Response:
    """Remove the link of this app's user, if there is one. Always 204."""
    unlink_by_app(hub_of(request), app.id, app_user_id, origin_of(request))
    return Response(status_code=204)
