"""The userinfo endpoint: what a valid access token says about the person, to its app."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from accounts_center.crypto.tokens import digest
from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.domain.policy import own_account_claims
from accounts_center.hub import Hub
from accounts_center.oidc.models import REALM
from accounts_center.store.links import ACTIVE

_CHALLENGE = f'Bearer realm="{REALM}"'
_INVALID = (f'{_CHALLENGE}, error="invalid_token", '
            'error_description="The access token is not valid"')


def userinfo_response(hub: Hub, authorization: str) -> Response:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return _unauthorized(_CHALLENGE)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        row = uow.oauth.token_by_access(digest(token.strip()))
        if row is None or row.revoked_at is not None or row.access_expires_at <= now:
            return _unauthorized(_INVALID)
        link = uow.links.get(row.link_id)
        app = uow.member_apps.by_id(row.app_id)
        if link is None or link.status != ACTIVE or app is None:
            return _unauthorized(_INVALID)
        return JSONResponse(own_account_claims(
            pairwise_subject(app.subject_salt, link.identity_id), link.app_user_id),
                            headers={"cache-control": "no-store"})


def _unauthorized(challenge: str) -> Response:
    return JSONResponse({"error": "invalid_token",
                         "error_description": "The access token is not valid."},
                        status_code=401, headers={"www-authenticate": challenge})
