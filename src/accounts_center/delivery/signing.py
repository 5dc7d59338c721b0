"""Standard Webhooks signatures (the `standardwebhooks` package): one `v1,` signature per
secret in force, space-separated, so a receiver holding either secret of a rotation's
overlap accepts the delivery (SECURITY-CHECKLIST 45, 47)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from standardwebhooks import Webhook


@lru_cache(maxsize=256)
def _signer(secret: str) -> Webhook:
    return Webhook(secret)


def signature_header(secrets_in_force: Sequence[str], webhook_id: str, timestamp: datetime,
                     body: bytes) -> str:
    text = body.decode("utf-8")
    return " ".join(_signer(s).sign(webhook_id, timestamp, text) for s in secrets_in_force)
