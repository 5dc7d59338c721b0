"""What an authorization request's `prompt` and `max_age` ask of the hub (OpenID Connect
Core §3.1.2.1): whether the person must log in (again) first, and whether the app has
forbidden every page (`prompt=none`), in which case the answer is an error instead."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

# Adding an account needs a recent login, not just any open session (CHECKLIST 18).
LINK_REAUTHENTICATION = timedelta(minutes=15)


def forbids_pages(params: Mapping[str, Any]) -> bool:
    """prompt=none: the app asks for an answer without any page (Core §3.1.2.1)."""
    return "none" in str(params.get("prompt", "")).split()


def needs_fresh_login(params: Mapping[str, Any], requested_at: datetime, now: datetime,
                      authenticated_at: datetime) -> bool:
    """Whether a login from ``authenticated_at`` is too old for this request."""
    if params.get("intent") == "link" and now - authenticated_at > LINK_REAUTHENTICATION:
        return True
    if "login" in str(params.get("prompt", "")).split() and authenticated_at < requested_at:
        return True
    max_age = params.get("max_age")
    if max_age is not None and str(max_age).isdigit():
        return (now - authenticated_at).total_seconds() > int(max_age)
    return False
