"""Encryption at rest for secrets the hub must read back (TOTP seeds, signing keys).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under a key derived from the
operator's secret with HKDF, so any string of sufficient length can be the setting.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MIN_SECRET_LENGTH = 32


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"ACCOUNTS_CENTER_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        self._secret = secret_key.encode("utf-8")
        self._fernet = Fernet(base64.urlsafe_b64encode(self.subkey("at-rest v1")))

    def subkey(self, purpose: str) -> bytes:
        """A 256-bit key for one purpose, derived from the secret key (HKDF): each use of
        the secret gets its own key, and none of them reveals another."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"accounts-center " + purpose.encode("utf-8")).derive(self._secret)

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise ValueError("a stored secret could not be decrypted: is "
                             "ACCOUNTS_CENTER_SECRET_KEY the one it was sealed with?") from error
