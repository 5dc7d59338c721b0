"""Every call an app makes to the hub, written once for the sync and the async client.

Each operation is a generator: it yields the HTTP requests it needs (discovery, keys, the
call itself), is sent each response, and returns its result. ``AccountsCenter`` drives it
with ``httpx.Client``, ``AsyncAccountsCenter`` with ``httpx.AsyncClient``.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from accounts_center_sdk.creations import Creation
from accounts_center_sdk.crossposts import CopyReported, CrossPost, CrossPostDestination
from accounts_center_sdk.errors import (
    AuthorizationFailed,
    CallbackRejected,
    HubUnavailable,
    error_from_response,
)
from accounts_center_sdk.flows import Authorization, Pending, SignedIn, Tokens
from accounts_center_sdk.provider import (
    ProviderMetadata,
    SigningKeys,
    unverified_kid,
    verify_id_token,
)

T = TypeVar("T")
Operation = Generator[httpx.Request, httpx.Response, T]
DATA_CATEGORIES_PATH = "/v1/app/users/{user}/data/{category}"
LINKS_PATH = "/v1/app/links/{user}"
PROFILE_PATH = "/v1/app/users/{user}/profile"
CREATIONS_PATH = "/v1/app/users/{user}/creations"
CREATION_PATH = "/v1/app/users/{user}/creations/{category}"
CROSSPOST_DESTINATIONS_PATH = "/v1/app/users/{user}/crosspost/destinations"
CROSSPOSTS_PATH = "/v1/app/users/{user}/crossposts"
CROSSPOST_PATH = "/v1/app/crossposts/{user}"
CROSSPOST_COPY_PATH = "/v1/app/crossposts/{user}/copy"


class Operations:
    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 clock: Callable[[], float] = time.time) -> None:
        if not issuer or not client_id or not client_secret or not redirect_uri:
            raise ValueError("issuer, client_id, client_secret and redirect_uri are needed")
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        # client_secret_basic (RFC 6749 §2.3.1), the header built once by httpx.
        self._authorization = next(httpx.BasicAuth(client_id, client_secret).auth_flow(
            httpx.Request("GET", self.issuer))).headers["authorization"]
        self._clock = clock
        self._metadata: ProviderMetadata | None = None
        self._keys = SigningKeys()

    # -- the hub's metadata and keys (fetched lazily: an app starts while the hub is down)
    def metadata(self) -> Operation[ProviderMetadata]:
        if self._metadata is None:
            response = yield httpx.Request(
                "GET", f"{self.issuer}/.well-known/openid-configuration")
            try:
                self._metadata = ProviderMetadata.from_document(
                    _success(response, 200), self.issuer)
            except ValueError as error:
                raise HubUnavailable(f"the hub's discovery document is unusable: {error}") \
                    from error
        return self._metadata

    def _verified_claims(self, id_token: str, nonce: str | None) -> Operation[dict[str, Any]]:
        metadata = yield from self.metadata()
        now = self._clock()
        if self._keys.needs_fetch(unverified_kid(id_token), now):
            response = yield httpx.Request("GET", metadata.jwks_uri)
            try:
                self._keys.replace(_success(response, 200), now)
            except ValueError as error:
                raise HubUnavailable(str(error)) from error
        return verify_id_token(id_token, self._keys.key_set, metadata.issuer, self.client_id,
                               nonce, now)

    # -- "Add to Accounts Center" and "Continue with Accounts Center"
    def start_link(self, app_user_id: str, handle: str,
                   birth_date: str | None = None) -> Operation[Authorization]:
        """Push the linking request (PAR, RFC 9126) from the backend: the app's user id and
        handle never travel through the browser."""
        metadata = yield from self.metadata()
        pending = Pending.new("link", self._clock(), app_user_id)
        form = {**self._authorization_params(pending), "intent": "link",
                "app_user_id": app_user_id, "handle": handle}
        if birth_date is not None:
            form["birth_date"] = birth_date
        response = yield self._form(metadata.pushed_authorization_request_endpoint, form)
        request_uri = _success(response, 201).get("request_uri")
        if not isinstance(request_uri, str):
            raise HubUnavailable("the hub's PAR answer has no request_uri")
        query = urlencode({"client_id": self.client_id, "request_uri": request_uri})
        return Authorization(f"{metadata.authorization_endpoint}?{query}", pending)

    def start_sign_in(self, prompt: str | None = None,
                      max_age: int | None = None) -> Operation[Authorization]:
        metadata = yield from self.metadata()
        pending = Pending.new("sign_in", self._clock())
        params = self._authorization_params(pending)
        if prompt is not None:
            params["prompt"] = prompt
        if max_age is not None:
            params["max_age"] = str(max_age)
        return Authorization(f"{metadata.authorization_endpoint}?{urlencode(params)}",
                             pending)

    def finish(self, pending: Pending, callback: Mapping[str, str]) -> Operation[SignedIn]:
        """Check the callback belongs to ``pending`` (state, RFC 9207 `iss`), redeem the
        code with the PKCE verifier and verify the ID token. For "link", redeeming is what
        activates the link at the hub."""
        metadata = yield from self.metadata()
        _check_callback(pending, callback, metadata, self._clock())
        response = yield self._form(metadata.token_endpoint, {
            "grant_type": "authorization_code", "code": callback["code"],
            "redirect_uri": self.redirect_uri, "code_verifier": pending.code_verifier})
        tokens = Tokens.from_response(_success(response, 200), self._clock())
        if tokens.id_token is None:
            raise HubUnavailable("the hub's token answer has no ID token")
        claims = yield from self._verified_claims(tokens.id_token, pending.nonce)
        app_user_id = claims.get("app_user_id")
        if not isinstance(app_user_id, str) or not app_user_id:
            raise CallbackRejected("the ID token names no app_user_id")
        if pending.intent == "link" and app_user_id != pending.app_user_id:
            raise CallbackRejected("the hub linked another user than the one who started")
        return SignedIn(pending.intent, str(claims["sub"]), app_user_id, tokens, claims)

    def refresh(self, refresh_token: str) -> Operation[Tokens]:
        """A new access token; the hub rotates the refresh token on every use."""
        metadata = yield from self.metadata()
        response = yield self._form(metadata.token_endpoint, {
            "grant_type": "refresh_token", "refresh_token": refresh_token})
        tokens = Tokens.from_response(_success(response, 200), self._clock())
        if tokens.id_token is not None:
            yield from self._verified_claims(tokens.id_token, None)
        return tokens

    def revoke(self, token: str) -> Operation[None]:
        metadata = yield from self.metadata()
        if metadata.revocation_endpoint is None:
            raise HubUnavailable("the hub publishes no revocation endpoint")
        response = yield self._form(metadata.revocation_endpoint, {"token": token})
        _success(response, 200)

    # -- the data API and links
    def unlink(self, app_user_id: str) -> Operation[None]:
        response = yield httpx.Request("DELETE", self._api(LINKS_PATH, app_user_id),
                                       headers=self._basic())
        _success(response, 204)

    def push(self, app_user_id: str, category: str, fields: Mapping[str, Any],
             purpose: str) -> Operation[None]:
        body = json.dumps({"purpose": purpose, "fields": dict(fields)}).encode()
        response = yield httpx.Request(
            "POST", self._api(DATA_CATEGORIES_PATH, app_user_id, category), content=body,
            headers={**self._basic(), "content-type": "application/json"})
        _success(response, 201)

    def read(self, app_user_id: str, category: str,
             purpose: str) -> Operation[list[dict[str, Any]]]:
        response = yield httpx.Request(
            "GET", self._api(DATA_CATEGORIES_PATH, app_user_id, category),
            params={"purpose": purpose}, headers=self._basic())
        items = _success(response, 200).get("items")
        if not isinstance(items, list):
            raise HubUnavailable("the hub's data answer has no items")
        return items

    def read_profile(self, app_user_id: str) -> Operation[dict[str, Any]]:
        """``{"profile": {synced field: value}, "withheld": {field: reason},
        "updated_at"}``."""
        response = yield httpx.Request("GET", self._api(PROFILE_PATH, app_user_id),
                                       headers=self._basic())
        body = _success(response, 200)
        if not isinstance(body.get("profile"), dict):
            raise HubUnavailable("the hub's profile answer has no profile")
        return dict(body)

    def update_profile(self, app_user_id: str,
                       fields: Mapping[str, Any]) -> Operation[dict[str, bool]]:
        """Each field sent → whether it won (false: a later write is held)."""
        response = yield httpx.Request(
            "PUT", self._api(PROFILE_PATH, app_user_id), content=json.dumps(
                dict(fields)).encode(),
            headers={**self._basic(), "content-type": "application/json"})
        won = _success(response, 200).get("won")
        if not isinstance(won, dict):
            raise HubUnavailable("the hub's profile answer says nothing of what won")
        return {str(name): bool(value) for name, value in won.items()}

    # -- the creations library (the app declares "creations": true)
    def list_creations(self, app_user_id: str) -> Operation[list[Creation]]:
        response = yield httpx.Request("GET", self._api(CREATIONS_PATH, app_user_id),
                                       headers=self._basic())
        found = _success(response, 200).get("creations")
        if not isinstance(found, list):
            raise HubUnavailable("the hub's creations answer has no creations")
        return [_creation(document) for document in found]

    def get_creation(self, app_user_id: str, creation_id: str) -> Operation[Creation]:
        response = yield httpx.Request(
            "GET", self._api(CREATION_PATH, app_user_id, creation_id), headers=self._basic())
        return _creation(_success(response, 200))

    def add_creation(self, app_user_id: str, content: bytes, media_type: str,
                     title: str | None = None) -> Operation[Creation]:
        extension = media_type.rpartition("/")[2] or "bin"
        response = yield httpx.Request(
            "POST", self._api(CREATIONS_PATH, app_user_id), headers=self._basic(),
            files={"file": (f"creation.{extension}", content, media_type)},
            data={"title": title} if title is not None else None)
        return _creation(_success(response, 201))

    # -- cross-posting (the app declares `crosspost.sources` / `crosspost.destinations`)
    def crosspost_destinations(self, app_user_id: str,
                               post_type: str) -> Operation[list[CrossPostDestination]]:
        response = yield httpx.Request(
            "GET", self._api(CROSSPOST_DESTINATIONS_PATH, app_user_id),
            params={"type": post_type}, headers=self._basic())
        found = _success(response, 200).get("destinations")
        if not isinstance(found, list):
            raise HubUnavailable("the hub's destinations answer has no destinations")
        try:
            return [CrossPostDestination.from_document(_object(d)) for d in found]
        except ValueError as error:
            raise HubUnavailable(f"the hub's answer is {error}") from None

    def create_crosspost(self, app_user_id: str, post_type: str, media: bytes,
                         media_type: str, caption: str | None, expires_at: datetime | None,
                         destinations: Sequence[str]) -> Operation[CrossPost]:
        """Exactly the hub's form fields: ``media``, ``type``, ``caption``, ``expires_at``,
        ``destinations`` (repeated). There is no audience field, by design."""
        if expires_at is not None and expires_at.tzinfo is None:
            raise ValueError("expires_at needs a time zone")
        if isinstance(destinations, str):
            raise TypeError("destinations is a sequence of destination ids, not one id")
        form: dict[str, str | list[str]] = {"type": post_type}
        if caption is not None:
            form["caption"] = caption
        if expires_at is not None:
            form["expires_at"] = expires_at.isoformat()
        if destinations:
            form["destinations"] = list(destinations)
        extension = media_type.rpartition("/")[2] or "bin"
        response = yield httpx.Request(
            "POST", self._api(CROSSPOSTS_PATH, app_user_id), headers=self._basic(),
            files={"media": (f"post.{extension}", media, media_type)}, data=form)
        return _crosspost(_success(response, 201))

    def get_crosspost(self, crosspost_id: str) -> Operation[CrossPost]:
        response = yield httpx.Request("GET", self._api(CROSSPOST_PATH, crosspost_id),
                                       headers=self._basic())
        return _crosspost(_success(response, 200))

    def delete_crosspost(self, crosspost_id: str) -> Operation[CrossPost]:
        response = yield httpx.Request("DELETE", self._api(CROSSPOST_PATH, crosspost_id),
                                       headers=self._basic())
        return _crosspost(_success(response, 200))

    def report_crosspost_copy(self, crosspost_id: str, state: str, item_id: str | None,
                              post_type: str | None) -> Operation[CopyReported]:
        body: dict[str, str] = {"state": state}
        if item_id is not None:
            body["item_id"] = item_id
        if post_type is not None:
            body["type"] = post_type
        response = yield httpx.Request(
            "PUT", self._api(CROSSPOST_COPY_PATH, crosspost_id),
            content=json.dumps(body).encode(),
            headers={**self._basic(), "content-type": "application/json"})
        try:
            return CopyReported.from_document(_success(response, 200))
        except ValueError as error:
            raise HubUnavailable(f"the hub's answer is {error}") from None

    # -- requests
    def _authorization_params(self, pending: Pending) -> dict[str, str]:
        return {"response_type": "code", "client_id": self.client_id,
                "redirect_uri": self.redirect_uri, "scope": "openid",
                "state": pending.state, "nonce": pending.nonce,
                # Authlib ships no annotation for it; it takes and returns str.
                "code_challenge": create_s256_code_challenge(  # type: ignore[no-untyped-call]
                    pending.code_verifier),
                "code_challenge_method": "S256"}

    def _form(self, url: str, form: Mapping[str, str]) -> httpx.Request:
        return httpx.Request("POST", url, data=dict(form), headers=self._basic())

    def _basic(self) -> dict[str, str]:
        return {"authorization": self._authorization,
                "accept": "application/json, application/problem+json"}

    def _api(self, template: str, user: str, category: str = "") -> str:
        path = template.format(user=quote(user, safe=""), category=quote(category, safe=""))
        return f"{self.issuer}{path}"


def _check_callback(pending: Pending, callback: Mapping[str, str],
                    metadata: ProviderMetadata, now: float) -> None:
    state = callback.get("state", "")
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise CallbackRejected("the state is not the one this browser's request carried")
    if pending.expired(now):
        raise CallbackRejected("the request this browser started is too old; start again")
    issuer = callback.get("iss")
    if (issuer is not None or metadata.iss_parameter_supported) and issuer != metadata.issuer:
        raise CallbackRejected("the answer does not come from this app's Accounts Center")
    if "error" in callback:
        raise AuthorizationFailed(callback["error"], callback.get("error_description", ""))
    if not callback.get("code"):
        raise CallbackRejected("the callback carries no code")


def _creation(document: Any) -> Creation:
    if not isinstance(document, dict):
        raise HubUnavailable("the hub's creation is not an object")
    try:
        return Creation.from_document(document)
    except ValueError as error:
        raise HubUnavailable(f"the hub's answer is {error}") from None


def _crosspost(document: Any) -> CrossPost:
    try:
        return CrossPost.from_document(_object(document))
    except ValueError as error:
        raise HubUnavailable(f"the hub's answer is {error}") from None


def _object(document: Any) -> Mapping[str, Any]:
    if not isinstance(document, dict):
        raise ValueError("not an object")
    return document


def _success(response: httpx.Response, expected: int) -> Any:
    """The answer's JSON body (None for an empty one), or the typed error."""
    content_type = response.headers.get("content-type", "")
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    if response.status_code != expected:
        raise error_from_response(response.status_code, body, content_type)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise HubUnavailable("the hub answered with JSON that is not an object")
    return body


def run_sync(operation: Operation[T], send: Callable[[httpx.Request], httpx.Response]) -> T:
    try:
        request = next(operation)
        while True:
            request = operation.send(_sent(send, request))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def _sent(send: Callable[[httpx.Request], httpx.Response],
          request: httpx.Request) -> httpx.Response:
    try:
        return send(request)
    except httpx.TransportError as error:
        raise unreachable(error) from error


def unreachable(error: httpx.TransportError) -> HubUnavailable:
    return HubUnavailable(f"the hub cannot be reached: {type(error).__name__}")
