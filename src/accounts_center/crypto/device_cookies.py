"""Signed device cookies (OWASP "Slow Down Online Guessing Attacks with Device Cookies").

A browser that logged in successfully keeps a cookie saying so for one login name, which
lets it past the account-wide slow-down that strangers' bad passwords set off. The value
is ``v1.<issued>.<nonce>.<mac>``: the MAC is HMAC-SHA256 over the login name, the issue
time and a 128-bit random nonce, under a key derived (HKDF) from the hub's secret key for
this purpose only. The login name is bound by the MAC but not written in the cookie, so
the cookie does not disclose it; the nonce names the cookie's own failure counter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Re-issued at every full login, so only a browser unused this long forgets.
LIFETIME = timedelta(days=180)
_VERSION = "v1"
# Anything else is not one of ours, and is refused before any MAC is computed.
_FORM = re.compile(r"v1\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})")
_CLOCK_SKEW = timedelta(minutes=5)


class DeviceCookies:
    def __init__(self, secret_key: str) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                         info=b"accounts-center device cookies v1").derive(
                             secret_key.encode("utf-8"))

    def issue(self, login_value: str, now: datetime) -> str:
        issued, nonce = str(int(now.timestamp())), secrets.token_urlsafe(16)
        return ".".join((_VERSION, issued, nonce, self._mac(login_value, issued, nonce)))

    def nonce_for(self, cookie: str, login_value: str, now: datetime) -> str | None:
        """The cookie's nonce if it is ours, unexpired and issued for ``login_value``."""
        form = _FORM.fullmatch(cookie)
        if form is None:
            return None
        issued, nonce, mac = form.groups()
        if not hmac.compare_digest(mac, self._mac(login_value, issued, nonce)):
            return None
        age = now.timestamp() - int(issued)
        if not -_CLOCK_SKEW.total_seconds() <= age <= LIFETIME.total_seconds():
            return None
        return nonce

    def _mac(self, login_value: str, issued: str, nonce: str) -> str:
        # Newlines separate the fields: none can contain one (login names are normalised,
        # the others are digits and base64url).
        message = "\n".join((_VERSION, login_value, issued, nonce)).encode("utf-8")
        tag = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(tag).rstrip(b"=").decode("ascii")
