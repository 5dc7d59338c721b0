"""The name a person logs in with: an email address or a phone number (E.164)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from accounts_center.domain.errors import InvalidInput

_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# Deliberately modest: one @, a non-empty local part, a dotted domain, no spaces or
# control characters. Deliverability is proven by mail, not by a regex.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
MAX_EMAIL_LENGTH = 254


class LoginKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class LoginName:
    kind: LoginKind
    value: str


def parse_login_name(raw: str) -> LoginName:
    """Normalise what a person typed: emails are lower-cased, phones reduced to E.164."""
    text = raw.strip()
    if not text:
        raise InvalidInput("Enter an email address or a phone number.", field="login")
    if "@" in text:
        email = text.lower()
        if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
            raise InvalidInput("That email address does not look right.", field="login")
        return LoginName(LoginKind.EMAIL, email)
    phone = _PHONE_SEPARATORS.sub("", text)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if not _E164.match(phone):
        raise InvalidInput(
            "Enter an email address, or a phone number with its country code "
            "(for example +44 20 7946 0958).", field="login")
    return LoginName(LoginKind.PHONE, phone)
