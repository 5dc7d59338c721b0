"""What the server checks of what browsers send: public keys and encrypted messages.
It can check their shape, never their content."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

IV_BYTES = 12
TAG_BYTES = 16
MAX_CIPHERTEXT_BYTES = 16 * 1024
_B64URL_COORDINATE = re.compile(r"[A-Za-z0-9_-]{43}")  # 32 bytes, unpadded


class InvalidEnvelope(ValueError):
    """Not a public key or an encrypted message this server accepts."""


def canonical_public_jwk(jwk: Any) -> str:
    """An ECDH P-256 public key as canonical JSON; InvalidEnvelope otherwise (a private
    key, another curve, anything extra that could carry text)."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise InvalidEnvelope("not an EC P-256 public key")
    if "d" in jwk:
        raise InvalidEnvelope("that is a private key: it never leaves the browser")
    x, y = jwk.get("x"), jwk.get("y")
    if not (isinstance(x, str) and isinstance(y, str) and _B64URL_COORDINATE.fullmatch(x)
            and _B64URL_COORDINATE.fullmatch(y)):
        raise InvalidEnvelope("the key's coordinates are not 32-byte base64url values")
    return json.dumps({"crv": "P-256", "kty": "EC", "x": x, "y": y}, separators=(",", ":"))


def checked_ciphertext(ciphertext: str, iv: str) -> None:
    try:
        raw_iv = base64.b64decode(iv, validate=True)
        raw = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidEnvelope("ciphertext and iv must be base64") from None
    if len(raw_iv) != IV_BYTES:
        raise InvalidEnvelope("the iv must be 96 bits")
    if not TAG_BYTES < len(raw) <= MAX_CIPHERTEXT_BYTES:
        raise InvalidEnvelope("the ciphertext is empty or too long")
