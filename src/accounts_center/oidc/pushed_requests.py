"""Pushed authorization requests (RFC 9126): the app's backend, authenticated, deposits
the request and gets a short-lived, single-use `request_uri` (SECURITY-CHECKLIST 9, 18)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError

from accounts_center.crypto.tokens import digest, new_token
from accounts_center.domain.age import parse_birth_date
from accounts_center.domain.errors import InvalidInput
from accounts_center.oidc.authorize_flow import REQUEST_URI_PREFIX
from accounts_center.oidc.models import AUTH_METHODS, HubClient
from accounts_center.oidc.parameters import malformed
from accounts_center.oidc.prompts import forbids_pages
from accounts_center.oidc.requests import HubOAuth2Request
from accounts_center.oidc.server import HubAuthorizationServer
from accounts_center.store.oauth_models import AuthorizationRequestRow

REQUEST_URI_SECONDS = 90
MAX_LINK_FIELD = 200
_CREDENTIALS = ("client_secret", "client_assertion", "client_assertion_type")


def push_authorization_request(server: HubAuthorizationServer,
                               request: HubOAuth2Request) -> Any:
    hub = server.hub
    with server.transaction() as uow:
        request.uow = uow
        try:
            refused = malformed(request)
            if refused is not None:
                raise refused
            client = cast(HubClient, server.authenticate_client(request, list(AUTH_METHODS),
                                                                endpoint="par"))
            params = {k: v for k, v in request.form.items() if k not in _CREDENTIALS}
            if params.setdefault("client_id", client.client_id) != client.client_id:
                raise InvalidRequestError("client_id does not match the authenticated client.")
            if "request_uri" in params:
                raise InvalidRequestError("request_uri must not be pushed.")
            _check_link_fields(params)
            check = HubOAuth2Request("GET", server.issuer + "/oauth2/authorize", {},
                                     list(params.items()), [], uow=uow)
            server.get_consent_grant(check, end_user="pushed")
        except OAuth2Error as error:
            error.redirect_uri = None  # answered to the backend, never redirected
            return server.handle_error_response(request, error)
        except ValueError:  # Authlib refuses to echo control characters in an error
            return server.handle_error_response(request, InvalidRequestError(
                "The request contains characters that are not allowed."))
        token = new_token()
        now = hub.clock.now()
        uow.oauth.add_request(AuthorizationRequestRow(
            id=hub.new_id(), request_uri_digest=digest(token), app_id=client.id,
            params=params, created_at=now, expires_at=now + timedelta(
                seconds=REQUEST_URI_SECONDS), browser_digest=None))
        uow.commit()
    return server.handle_response(201, {"request_uri": REQUEST_URI_PREFIX + token,
                                        "expires_in": REQUEST_URI_SECONDS}, [])


def _check_link_fields(params: dict[str, str]) -> None:
    intent = params.get("intent")
    if intent is None:
        if "birth_date" in params:
            raise InvalidRequestError("birth_date is accepted only with intent=link.")
        return
    if intent != "link":
        raise InvalidRequestError("intent must be 'link'.")
    if forbids_pages(params):  # the person's confirmation is a page (CHECKLIST 18)
        raise InvalidRequestError("intent=link needs the person's confirmation at the hub: "
                                  "prompt=none cannot be used.")
    for name in ("app_user_id", "handle"):
        value = params.get(name, "")
        if not value or len(value) > MAX_LINK_FIELD or not value.isprintable():
            raise InvalidRequestError(f"intent=link needs {name} (1 to {MAX_LINK_FIELD} "
                                      "printable characters).")
    if "birth_date" in params:  # the app's idea of its user's birth date, reconciled
        try:
            parse_birth_date(params["birth_date"])
        except InvalidInput:
            raise InvalidRequestError("birth_date must be a date as YYYY-MM-DD.") from None
