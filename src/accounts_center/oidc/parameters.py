"""The parameter rules every provider endpoint applies before Authlib reads a request
(RFC 6749 §3.1, §3.2): each parameter at most once, and an empty one is no parameter."""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError

from accounts_center.oidc.requests import HubOAuth2Request


def malformed(request: HubOAuth2Request, required: tuple[str, ...] = ()) -> OAuth2Error | None:
    """invalid_request for a parameter sent twice (RFC 6749 §3.1, §3.2) or a required
    one missing; an empty value counts as missing (§3.1)."""
    if request.repeated:
        return InvalidRequestError(given_twice(request.repeated[0]))
    for name in required:
        if not request.form.get(name):
            return InvalidRequestError(f"{quoted_name(name)} is missing.")
    return None


def given_twice(name: str) -> str:
    return f"{quoted_name(name)} is given more than once."


def quoted_name(name: str) -> str:
    # Error descriptions are restricted ASCII (RFC 6749 §5.2): echo only a plain name.
    plain = name.isascii() and name.isprintable() and not set(name) & {'"', "\\"}
    return f"'{name}'" if plain and 0 < len(name) <= 40 else "A parameter"


def require_token(request: HubOAuth2Request) -> None:
    """RFC 7009 §2.1 and RFC 7662 §2.1: a token_type_hint the server does not know is
    ignored and the token looked up among every type (Authlib refuses it instead)."""
    if not request.form.get("token"):
        raise InvalidRequestError("'token' is missing.")
