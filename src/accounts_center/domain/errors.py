"""Exceptions raised where a rule lives; the edges (API, console, CLI) translate them.

Each carries a stable ``code`` (used as the RFC 9457 problem ``type`` suffix), a short
human ``title`` and an HTTP-like ``status`` so every edge can render it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence


class AccountsCenterError(Exception):
    code = "error"
    title = "Request failed"
    status = 400

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class InvalidInput(AccountsCenterError):
    code = "invalid-input"
    title = "The input is not valid"
    status = 422


class InvalidInputs(InvalidInput):
    """Every problem with one form at once, each an `InvalidInput` naming its field, so a
    person fixes them in one go rather than meeting them one by one. ``detail`` joins the
    messages for an edge that shows one; ``field`` is set when they share one."""

    def __init__(self, problems: Sequence[InvalidInput]) -> None:
        fields = {problem.field for problem in problems}
        super().__init__(" ".join(problem.detail for problem in problems),
                         field=fields.pop() if len(fields) == 1 else None)
        self.problems = tuple(problems)


class NeverSharedCategory(InvalidInput):
    code = "never-shared-category"
    title = "Messages, calls and contacts are never shared"


class AlreadyRegistered(AccountsCenterError):
    code = "already-registered"
    title = "Already registered"
    status = 409


class NotFound(AccountsCenterError):
    code = "not-found"
    title = "Not found"
    status = 404


class LoginFailed(AccountsCenterError):
    # One message for unknown account and wrong password (no account enumeration).
    code = "login-failed"
    title = "Login failed"
    status = 401

    def __init__(self) -> None:
        super().__init__("The email/phone or password is not correct.")


class LoginThrottled(AccountsCenterError):
    """A guess refused unchecked for a while. Every throttled refusal is one of these, so
    each edge answers them alike (429 with ``Retry-After``); subclasses say what was tried
    too often."""

    code = "login-throttled"
    title = "Too many failed attempts"
    status = 429
    what = "Too many failed login attempts."

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"{self.what} Please wait {wait_phrase(retry_after_seconds)} "
                         "and try again.")


class SecondFactorThrottled(LoginThrottled):
    code = "second-factor-throttled"
    title = "Too many wrong codes"
    what = "Too many wrong codes, so no code is checked for now."


class PasswordCheckThrottled(LoginThrottled):
    code = "password-check-throttled"
    title = "Too many wrong passwords"
    what = "Too many wrong passwords from your network. Nothing was changed."


class SignUpThrottled(LoginThrottled):
    code = "sign-up-throttled"
    title = "Too many attempts"
    what = "Too many failed attempts from your network. No account was created."


class TooManySignUps(SignUpThrottled):
    what = "Too many new logins were made from your network. No account was created."


def wait_phrase(seconds: int) -> str:
    """"45 seconds", "2 minutes" (rounded up: waiting less would be refused again)."""
    if seconds < 60:
        return f"{seconds} second" + ("" if seconds == 1 else "s")
    minutes = -(-seconds // 60)
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


class SecondFactorFailed(AccountsCenterError):
    code = "second-factor-failed"
    title = "Code not accepted"
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "That code is not valid, or was already used. Enter the current code from "
            "your authenticator app, or one of your recovery codes."
        )


class NotAuthenticated(AccountsCenterError):
    code = "not-authenticated"
    title = "Not logged in"
    status = 401


class CsrfFailed(AccountsCenterError):
    code = "csrf-failed"
    title = "The form expired"
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "This form was not sent from an Accounts Center page, or it expired. "
            "Reload the page and try again."
        )


class LinkConflict(AccountsCenterError):
    code = "link-conflict"
    title = "This account cannot be added"
    status = 409


class ClientAuthenticationFailed(AccountsCenterError):
    code = "invalid-client"
    title = "Client authentication failed"
    status = 401

    def __init__(self) -> None:
        super().__init__("Authenticate with the app's client id and secret (HTTP Basic).")


class UnknownAppUser(AccountsCenterError):
    """The same answer whether the app's user has no link or never existed (CHECKLIST 24)."""

    code = "unknown-app-user"
    title = "No linked account"
    status = 404


class FlowDenied(AccountsCenterError):
    """The policy decision point refused a data flow; ``code`` names the reason."""

    code = "policy-denied"
    title = "This data flow is not allowed"
    status = 403

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.code = f"policy/{reason}"


class TooManyRequests(AccountsCenterError):
    """A client address went over a request limit (e.g. anonymous sign-in requests)."""

    code = "too-many-requests"
    title = "Too many requests"
    status = 429

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        unit = "second" if retry_after_seconds == 1 else "seconds"
        super().__init__(
            "Too many sign-in requests came from your network in a short time. Please "
            f"wait {retry_after_seconds} {unit} and try again.")


class TooManyArchives(AccountsCenterError):
    """The person already has as many "Download your information" archives as are kept."""

    code = "too-many-archives"
    title = "You already have downloads waiting"
    status = 429

    def __init__(self, limit: int, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        minutes = max(1, -(-retry_after_seconds // 60))
        super().__init__(
            f"You can have {limit} downloads of your information at a time, and each is "
            f"kept for an hour. Save one you already started, or start a new one in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.")


class ProfileFieldNotSynced(AccountsCenterError):
    """An app wrote a profile field the person does not keep in sync with it."""

    code = "profile/field-not-synced"
    title = "The person does not keep this field in sync with this app"
    status = 403


class CreationsNotDeclared(AccountsCenterError):
    """An app that did not declare ``creations`` asked for the creations library."""

    code = "creations/not-declared"
    title = "This app did not declare creations"
    status = 403

    def __init__(self, app_name: str) -> None:
        super().__init__(f"{app_name} did not declare \"creations\": true in its "
                         "capabilities, so it may not use the person's creations.")


class CreationNotFound(NotFound):
    """The same answer for a creation that never was, was deleted, is hidden or is
    another person's."""

    code = "creations/not-found"
    title = "No such creation"

    def __init__(self) -> None:
        super().__init__("There is no such creation.")


class UnusableImage(InvalidInput):
    """An uploaded image refused; subclasses say why (issue 13)."""

    code = "unusable-image"
    title = "This image cannot be used"


class NotAnImage(UnusableImage):
    code = "not-an-image"
    title = "Not an image"

    def __init__(self) -> None:
        super().__init__("This file is not a JPEG, PNG, WebP or HEIC image (or it is "
                         "damaged).", field="photo")


class ImageTooLarge(UnusableImage):
    code = "image-too-large"
    title = "Image too large"
    status = 413

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"This image is larger than {size_phrase(limit_bytes)}.",
                         field="photo")


class TooManyPixels(UnusableImage):
    code = "image-too-many-pixels"
    title = "Image too large"
    status = 413

    def __init__(self, limit: int, width: int | None = None,
                 height: int | None = None) -> None:
        counted = f"{width} x {height}; " if width and height else ""
        super().__init__(f"This image has too many pixels ({counted}at most "
                         f"{limit / 1_000_000:g} million).", field="photo")


class InvalidCrop(UnusableImage):
    code = "invalid-crop"
    title = "The crop does not fit the image"


class MediaLinkRefused(AccountsCenterError):
    """A signed media URL that is not valid or expired: said without looking anything
    up, so it reveals nothing about what exists."""

    code = "media-link-refused"
    title = "This media link is not valid"
    status = 403


def size_phrase(size_bytes: int) -> str:
    """"10 MB" for 10 MiB: what people call the limit their file went over."""
    mib = size_bytes / (1024 * 1024)
    if mib >= 1:
        return f"{mib:.0f} MB" if mib == int(mib) else f"{mib:.1f} MB"
    return f"{max(1, size_bytes // 1024)} KB"


class CrossPostTypeNotDeclared(AccountsCenterError):
    """An app asked to cross-post a type it did not declare as a source."""

    code = "crosspost/type-not-declared"
    title = "This app did not declare this cross-post type"
    status = 403

    def __init__(self, app_name: str, post_type: str) -> None:
        super().__init__(f"{app_name} did not declare {post_type!r} among its cross-post "
                         "sources (capabilities: crosspost.sources).", field="type")


class CrossPostNotFound(NotFound):
    """The same answer for a cross-post that never was and one of another app."""

    code = "crosspost/not-found"
    title = "No such cross-post"

    def __init__(self, detail: str = "There is no such cross-post.") -> None:
        super().__init__(detail)


class CrossPostDestinationNotOffered(InvalidInput):
    """A destination id the hub did not offer this app for this person and type."""

    code = "crosspost/destination-not-offered"
    title = "Not a destination offered for this post"


class CrossPostNoDestination(InvalidInput):
    code = "crosspost/no-destination"
    title = "This post would reach no destination"


class CrossPostPairUnavailable(AccountsCenterError):
    """The person chose for a pair of apps and types that cannot carry a cross-post now:
    the operator closed the direction, an app does not declare the type, or a link is
    not active."""

    code = "crosspost/pair-unavailable"
    title = "These apps cannot cross-post this way"
    status = 409
