"""Standard Webhooks secrets: 256 random bits as `whsec_<base64>`, the form every Standard
Webhooks library reads. Made here, beside the other secrets, so registering an app
(`services/`) does not reach up into the delivery side that signs with them."""

from __future__ import annotations

import base64
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
