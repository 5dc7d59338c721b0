"""The front channel of the provider: /authorize, the person's login in between, the
link disclosure and confirmation, and single sign-on (DESIGN §4.1, §4.2).

Every authorization request is validated by Authlib, then kept as a pending row bound to
one browser, so the person can log in or sign up before it continues. Pushed requests
(RFC 9126) are single use and only their own client can use them. With `prompt=none` no
page is ever shown: what would have been one is an error sent back to the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error

from accounts_center.crypto.tokens import digest
from accounts_center.domain.categories import NEVER_SHARED
from accounts_center.domain.errors import AccountsCenterError
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.profile import LABELS, SYNCABLE
from accounts_center.oidc.grants import grant_user_for, grant_user_of
from accounts_center.oidc.models import GrantUser
from accounts_center.oidc.parameters import given_twice
from accounts_center.oidc.prompts import forbids_pages, needs_fresh_login
from accounts_center.oidc.requests import HubOAuth2Request, repeated_names
from accounts_center.oidc.server import HubAuthorizationServer, OAuthResponse
from accounts_center.services.crosspost_on_link import ProspectivePair, prospective_pairs
from accounts_center.services.hub_sessions import CurrentSession
from accounts_center.services.links import confirm_link
from accounts_center.store.oauth_models import AuthorizationRequestRow
from accounts_center.store.unit_of_work import UnitOfWork

PENDING_LIFETIME = timedelta(minutes=15)
REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
LINK_ONLY_PARAMS = ("intent", "app_user_id", "handle", "birth_date")


@dataclass(frozen=True)
class Redirect:
    location: str


@dataclass(frozen=True)
class ErrorPage:
    title: str
    detail: str
    status: int = 400


@dataclass(frozen=True)
class Pending:
    request_id: str


@dataclass(frozen=True)
class NeedsLogin:
    request_id: str


@dataclass(frozen=True)
class LinkDisclosure:
    request_id: str
    redirect_uri: str  # registered; where confirming (or not) sends the person
    app_name: str
    handle: str
    sends: list[str]
    receives: list[str]
    never_shared: list[str]
    # Profile fields the person may keep in sync with the app (issue 13): each a
    # checkbox, off unless they tick it.
    syncable: list[tuple[str, str]] = field(default_factory=list)
    # Ways to share posts the new link would open with the person's other apps (issue
    # 14, point 2): each off unless they choose ask each time or always.
    crossposts: list[ProspectivePair] = field(default_factory=list)


@dataclass(frozen=True)
class SignInRefused:
    app_name: str
    reason: str
    connect_url: str | None
    back_url: str


Outcome = Redirect | ErrorPage | Pending | NeedsLogin | LinkDisclosure | SignInRefused


class Flow:
    def __init__(self, server: HubAuthorizationServer) -> None:
        self.server = server
        self.hub = server.hub

    # -- /authorize -------------------------------------------------------------------
    def begin(self, query: list[tuple[str, str]], browser: str,
              session: CurrentSession | None) -> Outcome:
        params = dict(query)
        now = self.hub.clock.now()
        with self.server.transaction() as uow:
            row = None
            if "request_uri" in params:
                row = self._claim_pushed(uow, params, browser)
                if row is None:
                    return ErrorPage("This sign-in link has expired",
                                     "Go back to the app and start again.")
                stored = dict(row.params)
            else:
                if any(key in params for key in LINK_ONLY_PARAMS):
                    return ErrorPage("This request cannot be used here",
                                     "Adding an account must start in the app itself.")
                stored = params
            request = self._oauth_request(stored, uow)
            try:
                grant = self.server.get_consent_grant(request, end_user=session and "person")
            except OAuth2Error as error:
                return self._error(error, stored)
            except ValueError:  # Authlib refuses to echo control characters in an error
                return ErrorPage("This sign-in request is not valid",
                                 "It contains characters that are not allowed.")
            del grant
            repeated = repeated_names(query)
            if repeated:  # one value was validated; which one the app meant is unknown
                return self._answer_error(uow, stored, row, "invalid_request",
                                          given_twice(repeated[0]))
            if forbids_pages(stored) and self._login_needed(
                    stored, row.created_at if row else now, session):
                return self._answer_error(uow, stored, row, "login_required",
                                          _why_login(session))
            if row is not None:
                uow.commit()
                return Pending(row.id)
            client = self.server.query_client(stored["client_id"])
            assert client is not None
            if session is not None and not self._login_needed(stored, now, session):
                # Single sign-on of a logged-in person: answered at once, nothing pending.
                return self._sign_in(uow, stored, client.id, session, None)
            pending = AuthorizationRequestRow(
                id=self.hub.new_id(), request_uri_digest=None, app_id=client.id,
                params=stored, created_at=now, expires_at=now + PENDING_LIFETIME,
                browser_digest=digest(browser))
            uow.oauth.add_request(pending)
            uow.commit()
            return Pending(pending.id)

    # -- /authorize/continue/{id} -----------------------------------------------------
    def proceed(self, request_id: str, browser: str, session: CurrentSession | None,
                origin: RequestOrigin) -> Outcome:
        with self.server.transaction() as uow:
            row = self._pending(uow, request_id, browser)
            if row is None:
                return ErrorPage("This sign-in link has expired",
                                 "Go back to the app and start again.")
            if self._login_needed(row.params, row.created_at, session):
                if forbids_pages(row.params):
                    return self._answer_error(uow, row.params, row, "login_required",
                                              _why_login(session))
                return NeedsLogin(row.id)
            assert session is not None  # a login is needed without one
            params = dict(row.params)
            app = uow.member_apps.by_id(row.app_id)
            assert app is not None
            if params.get("intent") == "link":
                caps = app.capabilities
                return LinkDisclosure(row.id, params["redirect_uri"], app.name,
                                      params.get("handle", ""),
                                      list(caps.get("sends", [])),
                                      list(caps.get("receives", [])), sorted(NEVER_SHARED),
                                      [(f.value, LABELS[f].lower()) for f in SYNCABLE],
                                      prospective_pairs(uow, session.identity_id, app))
            return self._sign_in(uow, params, app.id, session, row)

    def _sign_in(self, uow: UnitOfWork, params: dict[str, Any], app_id: str,
                 session: CurrentSession, row: AuthorizationRequestRow | None) -> Outcome:
        """SSO into the person's linked account of this app (CHECKLIST 23)."""
        links = uow.links.active_sign_in_choices(session.identity_id, app_id)
        usable = [link for link in links if link.sign_in_enabled]
        if not usable:
            if forbids_pages(params):
                # The refusal page below is interaction (Core §3.1.2.6). One answer for no
                # link and for sign-in turned off: the app learns neither.
                return self._answer_error(uow, params, row, "interaction_required",
                                          "The person must add this account, or turn "
                                          "sign-in on, at the hub first.")
            app = uow.member_apps.by_id(app_id)
            assert app is not None
            reason = (f"You turned off signing in to {app.name} with Accounts Center."
                      if links else
                      f"Your {app.name} account is not added to this Accounts Center.")
            back = self._error_location(params, "access_denied",
                                        "No active link with sign-in for this person.")
            return SignInRefused(app.name, reason, app.connect_url, back)
        auth_time = int(session.authenticated_at.timestamp())
        return self._issue_code(uow, params, row, grant_user_of(usable[0], auth_time))

    def confirm_link(self, request_id: str, browser: str, session: CurrentSession,
                     origin: RequestOrigin, profile_sync: Sequence[str] = (),
                     crosspost: Sequence[str] = ()) -> Outcome:
        """``profile_sync``: the fields the person ticked to keep in sync; ``crosspost``
        their cross-posting answers; both held on the pending link and set when the link
        becomes active."""
        now = self.hub.clock.now()
        with self.server.transaction() as uow:
            row = self._pending(uow, request_id, browser)
            if row is None or row.params.get("intent") != "link":
                return ErrorPage("This request has expired", "Go back to the app and start "
                                 "again.")
            if self._login_needed(row.params, row.created_at, session):
                return NeedsLogin(row.id)
            app = uow.member_apps.by_id(row.app_id)
            assert app is not None
            try:
                # Pending until the app redeems the code (services/links.py says why).
                link = confirm_link(uow, self.hub, session.identity_id, app,
                                    row.params["app_user_id"], row.params["handle"], origin,
                                    now, birth_date=row.params.get("birth_date"),
                                    profile_sync=profile_sync, crosspost=crosspost)
            except AccountsCenterError as error:
                return ErrorPage(error.title, error.detail, error.status)
            # The pending link holds the birth date until then; the request need not.
            row.params = {k: v for k, v in row.params.items() if k != "birth_date"}
            user = grant_user_for(uow, link.id, int(session.authenticated_at.timestamp()),
                                  pending_ok=True)
            return self._issue_code(uow, dict(row.params), row, user)

    def cancel(self, request_id: str, browser: str) -> Outcome:
        with self.server.transaction() as uow:
            row = self._pending(uow, request_id, browser)
            if row is None:
                return ErrorPage("This request has expired", "Go back to the app.")
            row.completed_at = self.hub.clock.now()
            params = dict(row.params)
            uow.commit()
        return Redirect(self._error_location(params, "access_denied",
                                             "The person did not add the account."))

    # -- helpers ----------------------------------------------------------------------
    def _issue_code(self, uow: UnitOfWork, params: dict[str, Any],
                    row: AuthorizationRequestRow | None, user: GrantUser | None) -> Outcome:
        if user is None:
            return ErrorPage("This account is not added", "Add it again from the app.")
        request = self._oauth_request(params, uow)
        grant = self.server.get_consent_grant(request, end_user=user)
        response = self.server.create_authorization_response(request, grant_user=user,
                                                             grant=grant)
        if row is not None:
            row.completed_at = self.hub.clock.now()
        uow.commit()
        return Redirect(cast(OAuthResponse, response).headers["location"])

    def _claim_pushed(self, uow: UnitOfWork, params: dict[str, str],
                      browser: str) -> AuthorizationRequestRow | None:
        uri = params.get("request_uri", "")
        client = self.server.query_client(params.get("client_id", ""))
        if client is None or not uri.startswith(REQUEST_URI_PREFIX):
            return None
        return uow.oauth.claim_pushed_request(digest(uri[len(REQUEST_URI_PREFIX):]),
                                              client.id, digest(browser),
                                              self.hub.clock.now())

    def return_uri(self, request_id: str, browser: str) -> str | None:
        """Where this browser's pending request ends: the app's redirect URI, registered
        and matched exactly when the request was made; None when there is no such request."""
        with self.server.transaction() as uow:
            row = self._pending(uow, request_id, browser)
            return str(row.params["redirect_uri"]) if row is not None else None

    def _pending(self, uow: UnitOfWork, request_id: str,
                 browser: str) -> AuthorizationRequestRow | None:
        row = uow.oauth.request(request_id[:36])
        if (row is None or row.completed_at is not None or row.browser_digest is None
                or row.browser_digest != digest(browser)
                or row.expires_at <= self.hub.clock.now()):
            return None
        return row

    def _login_needed(self, params: dict[str, Any], requested_at: datetime,
                      session: CurrentSession | None) -> bool:
        return session is None or not session.is_full or needs_fresh_login(
            params, requested_at, self.hub.clock.now(), session.authenticated_at)

    def _oauth_request(self, params: dict[str, Any], uow: UnitOfWork) -> HubOAuth2Request:
        items = [(k, str(v)) for k, v in params.items() if not k.startswith("_")]
        return HubOAuth2Request("GET", self.server.issuer + "/oauth2/authorize", {}, items, [],
                                uow=uow)

    def _error(self, error: OAuth2Error, params: dict[str, Any]) -> Outcome:
        if error.redirect_uri:
            code = error.error or "invalid_request"
            return self._redirect_error(params, code, error.get_error_description() or code)
        # No validated redirect URI: show the error here, never redirect (CHECKLIST 4).
        return ErrorPage("This sign-in request is not valid",
                         f"{error.error}: {error.get_error_description() or ''}".strip(": "))

    def _redirect_error(self, params: dict[str, Any], code: str, description: str) -> Outcome:
        return Redirect(self._error_location(params, code, description))

    def _answer_error(self, uow: UnitOfWork, params: dict[str, Any],
                      row: AuthorizationRequestRow | None, code: str,
                      description: str) -> Outcome:
        """An error sent back to the app (the request was validated, so its redirect URI
        is registered); a pending or pushed request it answers is spent."""
        if row is not None:
            row.completed_at = self.hub.clock.now()
            uow.commit()
        return self._redirect_error(params, code, description)

    def _error_location(self, params: dict[str, Any], code: str, description: str) -> str:
        values = [("error", code), ("error_description", description)]
        if params.get("state"):
            values.append(("state", params["state"]))
        values.append(("iss", self.server.issuer))
        return add_params_to_uri(params["redirect_uri"], values)


def _why_login(session: CurrentSession | None) -> str:
    if session is None or not session.is_full:
        return "The person is not logged in at the hub."
    return "The person's login at the hub is older than this request allows."
