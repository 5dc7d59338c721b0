"""Pairwise subject identifiers (OIDC Core §8.1): each app sees a different, stable `sub`
for the same person, so two apps cannot correlate people by comparing subjects."""

from __future__ import annotations

import base64
import hashlib
import hmac


def pairwise_subject(app_subject_salt: str, identity_id: str) -> str:
    mac = hmac.new(app_subject_salt.encode("utf-8"), identity_id.encode("utf-8"),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")
