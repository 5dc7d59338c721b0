"""The access log without secrets: query parameters that carry a token or name a person
(`id_token_hint` is an ID token, a `request_uri` redeems a pushed request) are logged as
REDACTED, on every route (CHECKLIST 49)."""

from __future__ import annotations

import copy
import logging
from typing import Any
from urllib.parse import unquote_plus

import uvicorn.config

REDACTED = "REDACTED"
# Matched case-insensitively: a misspelt secret is still a secret.
SECRET_PARAMETERS = frozenset({
    "id_token_hint", "request_uri", "logout_token", "code", "login_hint",
    "access_token", "refresh_token", "token", "client_secret", "client_assertion",
})


def redact_query(target: str) -> str:
    """``/path?a=1&code=xyz`` → ``/path?a=1&code=REDACTED``; other parameters as sent."""
    path, question, query = target.partition("?")
    if not question:
        return target
    kept = []
    for item in query.split("&"):
        name, equals, _value = item.partition("=")
        secret = bool(equals) and unquote_plus(name).strip().lower() in SECRET_PARAMETERS
        kept.append(f"{name}={REDACTED}" if secret else item)
    return f"{path}?{'&'.join(kept)}"


class RedactQuerySecrets(logging.Filter):
    """On `uvicorn.access`, whose records carry (client, method, path with query,
    HTTP version, status) as their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_query(args[2]), *args[3:])
        return True


def access_log_config() -> dict[str, Any]:
    """Uvicorn's own logging configuration with the filter on its access log."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_query_secrets"] = {"()": RedactQuerySecrets}
    config["loggers"]["uvicorn.access"]["filters"] = ["redact_query_secrets"]
    return config
