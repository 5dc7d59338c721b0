"""Validation of the URLs a member app registers (SECURITY-CHECKLIST 3, 48).

Redirect URIs are later matched exactly, so they are stored as given; here we only refuse
shapes that are never safe: no scheme or host, fragments, credentials in the URL, and plain
http anywhere but the loopback interface.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from accounts_center.domain.errors import InvalidInput

MAX_URI_LENGTH = 2000


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_app_url(url: str, *, field: str) -> str:
    if not url or len(url) > MAX_URI_LENGTH:
        raise InvalidInput(f"{field}: give an absolute URL of at most {MAX_URI_LENGTH} "
                           "characters", field=field)
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise InvalidInput(f"{field}: must not contain spaces or control characters",
                           field=field)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{field}: {url!r} is not a valid URL", field=field) from None
    del port
    host = parts.hostname or ""
    if parts.scheme not in {"https", "http"} or not host:
        raise InvalidInput(f"{field}: {url!r} must be an absolute https:// URL", field=field)
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidInput(f"{field}: {url!r} must use https (plain http is allowed only "
                           "on localhost)", field=field)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(f"{field}: {url!r} must not carry a user name or password",
                           field=field)
    if parts.fragment or url.endswith("#"):
        raise InvalidInput(f"{field}: {url!r} must not have a #fragment", field=field)
    return url
