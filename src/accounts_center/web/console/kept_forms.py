"""What a form held when it was sent after its session had ended (issue 11, point 5).

Nothing is changed by such a form: the person logs in again and lands back on the form's
page, told that nothing was changed, with what they typed filled in again. What they typed
travels in a short-lived cookie sealed with a key derived from the secret key (Fernet), so
any hub process can read it back and nobody else can read or forge it. Never kept:
passwords, codes and the CSRF token, nor anything from a form another site made the
browser send (it could fill a form with the attacker's values for the person to confirm).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Request, Response

from accounts_center.web.request_context import cookie_name, hub_of

KEPT_FORM_COOKIE = "ac_kept_form"
# Long enough to log in again (with a code), short enough not to greet the next person at
# a shared computer with what the last one typed.
LIFETIME = timedelta(minutes=15)
# A cookie holds about 4 KB; sealing adds a third.
MAX_KEPT_CHARACTERS = 2400
NEVER_KEPT = ("password", "csrf_token", "code")


@dataclass(frozen=True)
class KeptForm:
    page: str  # a local path, where the form is
    fields: dict[str, str] = field(default_factory=dict)

    def is_for(self, path: str) -> bool:
        return urlsplit(self.page).path == path


def keepable_fields(sent: dict[str, str]) -> dict[str, str]:
    kept = {name: value for name, value in sent.items()
            if not any(secret in name for secret in NEVER_KEPT) and value}
    return kept if len(json.dumps(kept)) <= MAX_KEPT_CHARACTERS else {}


def keep_form(request: Request, response: Response, kept: KeptForm) -> None:
    hub = hub_of(request)
    value = json.dumps({"page": kept.page, "fields": kept.fields,
                        "at": hub.clock.now().timestamp()})
    response.set_cookie(cookie_name(request, KEPT_FORM_COOKIE),
                        _fernet(request).encrypt(value.encode()).decode("ascii"),
                        max_age=int(LIFETIME.total_seconds()), path="/", httponly=True,
                        samesite="lax", secure=hub.settings.cookies_secure)


def kept_form(request: Request) -> KeptForm | None:
    """The kept form this browser carries, if it is still fresh."""
    sealed = request.cookies.get(cookie_name(request, KEPT_FORM_COOKIE), "")
    if not sealed or len(sealed) > 4096:
        return None
    try:
        value = json.loads(_fernet(request).decrypt(sealed.encode("ascii")))
        page, fields, at = value["page"], value["fields"], float(value["at"])
    except (InvalidToken, ValueError, KeyError, TypeError, UnicodeError):
        return None
    if hub_of(request).clock.now().timestamp() - at > LIFETIME.total_seconds():
        return None
    if not isinstance(page, str) or not isinstance(fields, dict):
        return None
    return KeptForm(page, {str(k): str(v) for k, v in fields.items()})


def forget_kept_form(request: Request, response: Response) -> None:
    response.delete_cookie(cookie_name(request, KEPT_FORM_COOKIE), path="/", httponly=True,
                           samesite="lax", secure=hub_of(request).settings.cookies_secure)


def _fernet(request: Request) -> Fernet:
    key = hub_of(request).secret_box.subkey("kept form v1")
    return Fernet(base64.urlsafe_b64encode(key))
