"""Opaque random tokens and their stored digests.

Tokens carry at least 256 bits from the OS CSPRNG, so a plain SHA-256 digest is a safe
way to store them (a slow hash is for low-entropy passwords); comparisons are constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_digest(token: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(token), stored_digest)


def derived_token(secret: str, purpose: str) -> str:
    """A token bound to ``secret`` for one purpose (e.g. a CSRF token for a session)."""
    return hmac.new(secret.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def same_token(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
