"""Signatures of short-lived media URLs scoped to one app.

HMAC-SHA256 under a key derived from the hub's secret key for this purpose only (see
`SecretBox.subkey`), over the digest, the app's client id and the expiry: changing any
of the three, or using the URL after it expired, fails. Compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PURPOSE = "media urls v1"


def media_url_signature(key: bytes, digest: str, client_id: str, expires: int) -> str:
    message = f"{digest}\n{client_id}\n{expires}".encode()
    mac = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def valid_media_url_signature(key: bytes, digest: str, client_id: str, expires: int,
                              signature: str) -> bool:
    expected = media_url_signature(key, digest, client_id, expires)
    return hmac.compare_digest(expected.encode("ascii"),
                               signature.encode("utf-8", "surrogatepass"))
