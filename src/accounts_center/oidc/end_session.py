"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): an app sends the person
here to log out of the hub; they may go back only to a URI that app registered."""

from __future__ import annotations

from typing import cast

from authlib.common.urls import add_params_to_uri
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization

from accounts_center.hub import Hub
from accounts_center.services.signing_keys import published_jwks


def client_of_hint(hub: Hub, id_token_hint: str) -> str | None:
    """The audience of an ID token we signed (expired ones are fine here, per the spec)."""
    if not id_token_hint or len(id_token_hint) > 8192:
        return None
    try:
        keys = KeySet.import_key_set(cast(KeySetSerialization, published_jwks(hub)))
        token = jwt.decode(id_token_hint, keys,
                           algorithms=["RS256"])
    except (JoseError, ValueError):
        return None
    audience = token.claims.get("aud")
    return audience[0] if isinstance(audience, list) and audience else (
        audience if isinstance(audience, str) else None)


def end_app_session(hub: Hub, identity_id: str, client_id: str) -> int:
    """The app asked to log the person out: its tokens for them stop at once
    (SECURITY-CHECKLIST 11)."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        app = uow.member_apps.by_client_id(client_id)
        if app is None:
            return 0
        ended = sum(uow.oauth.revoke_where(now, link_id=link.id)
                    for link in uow.links.active_of_identity(identity_id, app.id))
        uow.commit()
        return ended


def post_logout_location(hub: Hub, client_id: str | None, id_token_hint: str,
                         redirect_uri: str, state: str) -> str | None:
    """Where to send the person after logout, or None to show the hub's own page."""
    hinted = client_of_hint(hub, id_token_hint) if id_token_hint else None
    if hinted and client_id and hinted != client_id:
        return None
    chosen = hinted or client_id
    if not chosen or not redirect_uri:
        return None
    with hub.unit_of_work() as uow:
        app = uow.member_apps.by_client_id(chosen)
        allowed = list(app.post_logout_redirect_uris or []) if app else []
    if redirect_uri not in allowed:
        return None
    return add_params_to_uri(redirect_uri, [("state", state)]) if state else redirect_uri
