"""Every way a call to the hub can fail, as exceptions an app can catch by kind.

The hub answers its `/v1` API with RFC 9457 problems and its OAuth endpoints with RFC 6749
JSON errors; either body is kept whole on the exception as ``problem``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PROBLEM_BASE = "https://accounts-center.dev/problems/"


class AccountsCenterError(Exception):
    """Base of everything this SDK raises about the hub."""


class HubError(AccountsCenterError):
    """The hub answered, and refused. ``problem`` is its answer's JSON body."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.problem: dict[str, Any] = dict(problem)
        super().__init__(f"{status} {self.title}" + (f": {self.detail}" if self.detail else ""))

    @property
    def type(self) -> str:
        return str(self.problem.get("type", "about:blank"))

    @property
    def title(self) -> str:
        return str(self.problem.get("title") or self.problem.get("error") or "error")

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or self.problem.get("error_description") or "")


class InvalidClient(HubError):
    """The hub does not know this client id, or the secret is wrong (401)."""


class PolicyDenied(HubError):
    """The sharing policy refused this flow (403); ``type`` names the reason, e.g.
    ``…/problems/policy/receiver-not-declared``. The hub wrote it to the person's ledger."""


class CreationsNotDeclared(PolicyDenied):
    """Your app did not declare ``"creations": true``, so it may not use the person's
    creations (403 ``…/problems/creations/not-declared``). A `PolicyDenied`: one
    ``except PolicyDenied`` covers every refusal of the sharing rules."""


class CreationNotFound(HubError):
    """No such creation of this person: never made, deleted, hidden by the person, or
    another person's (404 ``…/problems/creations/not-found``)."""


class CrossPostTypeNotDeclared(PolicyDenied):
    """Your app did not declare this type among its ``crosspost.sources`` (403
    ``…/problems/crosspost/type-not-declared``); said before any person is looked up.
    A `PolicyDenied`, like every refusal of the sharing rules."""


class CrossPostNotFound(HubError):
    """No such cross-post of your app: never made, another app's, or (when reporting a
    copy) not one your app was sent (404 ``…/problems/crosspost/not-found``)."""


class CrossPostPairUnavailable(HubError):
    """These apps cannot cross-post this way now: the operator closed the direction, an
    app does not declare the type, or a link is not active (409
    ``…/problems/crosspost/pair-unavailable``)."""


class FieldNotSynced(HubError):
    """A profile field the person does not keep in sync with this app (403)."""


class UnknownAppUser(HubError):
    """The user is not linked to an Accounts Center, or the person removed the link (404)."""


class NeverShared(HubError):
    """Messages, calls and contacts never cross (422); ``field`` says what was refused."""

    @property
    def field(self) -> str:
        return str(self.problem.get("field", ""))


class InvalidRequest(HubError):
    """The hub refused the request's form (4xx)."""


class CrossPostDestinationNotOffered(InvalidRequest):
    """A destination id the hub does not offer now for this person and type: off,
    unlinked, closed or made up (422 ``…/problems/crosspost/destination-not-offered``).
    List them again with ``crosspost_destinations``; nothing was posted."""


class CrossPostNoDestination(InvalidRequest):
    """The post would reach no destination: none picked and none set to ``always`` (422
    ``…/problems/crosspost/no-destination``); nothing was posted."""


class OAuthError(HubError):
    """An OAuth endpoint refused (RFC 6749 §5.2), e.g. ``invalid_grant``."""

    @property
    def error(self) -> str:
        return str(self.problem.get("error", ""))


class HubUnavailable(AccountsCenterError):
    """The hub could not be reached, or failed (5xx): try again later."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthorizationFailed(AccountsCenterError):
    """The browser came back from the hub with an error (RFC 6749 §4.1.2.1), e.g.
    ``access_denied``: the person cancelled, or may not sign in to this app with the hub."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description


class CallbackRejected(AuthorizationFailed):
    """The callback does not belong to the request this browser started (wrong ``state``
    or ``iss``, no code, a pending request too old): drop it, it may be an attack."""

    def __init__(self, description: str) -> None:
        super().__init__("invalid_callback", description)


class InvalidIDToken(AccountsCenterError):
    """The ID token did not verify: wrong signature, issuer, audience, nonce or time."""


def error_from_response(status: int, body: Any, content_type: str) -> AccountsCenterError:
    """The exception for a hub answer that is not a success."""
    problem = body if isinstance(body, dict) else {"title": f"HTTP {status}"}
    if status >= 500:
        return HubUnavailable(f"the hub failed: {status} {problem.get('title', '')}".strip(),
                              status)
    if "error" in problem and "problem+json" not in content_type:
        return InvalidClient(status, problem) if status == 401 else OAuthError(status, problem)
    kind = str(problem.get("type", ""))
    if status == 401:
        return InvalidClient(status, problem)
    if status == 403 and kind == PROBLEM_BASE + "creations/not-declared":
        return CreationsNotDeclared(status, problem)
    if status == 404 and kind == PROBLEM_BASE + "creations/not-found":
        return CreationNotFound(status, problem)
    crosspost = _CROSSPOST_PROBLEMS.get((status, kind))
    if crosspost is not None:
        return crosspost(status, problem)
    if status == 403 and kind.startswith(PROBLEM_BASE + "policy/"):
        return PolicyDenied(status, problem)
    if status == 403 and kind == PROBLEM_BASE + "profile/field-not-synced":
        return FieldNotSynced(status, problem)
    if status == 404 and kind == PROBLEM_BASE + "unknown-app-user":
        return UnknownAppUser(status, problem)
    if status == 422 and kind == PROBLEM_BASE + "never-shared-category":
        return NeverShared(status, problem)
    return InvalidRequest(status, problem)


_CROSSPOST_PROBLEMS: dict[tuple[int, str], type[HubError]] = {
    (403, PROBLEM_BASE + "crosspost/type-not-declared"): CrossPostTypeNotDeclared,
    (404, PROBLEM_BASE + "crosspost/not-found"): CrossPostNotFound,
    (409, PROBLEM_BASE + "crosspost/pair-unavailable"): CrossPostPairUnavailable,
    (422, PROBLEM_BASE + "crosspost/destination-not-offered"): CrossPostDestinationNotOffered,
    (422, PROBLEM_BASE + "crosspost/no-destination"): CrossPostNoDestination,
}
