"""How people name themselves in each app: a phone number in Chat, a username in Pics and
Social. Each kind turns what was typed into the stored form, or says what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol


class InvalidLoginName(ValueError):
    """What was typed is not a login name of this kind; the message is for the person."""


class LoginKind(Protocol):
    @property
    def label(self) -> str: ...  # "Phone number"

    @property
    def hint(self) -> str: ...

    @property
    def autocomplete(self) -> str: ...

    @property
    def input_type(self) -> str: ...

    def normalise(self, typed: str) -> str: ...


_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_USERNAME = re.compile(r"[a-z0-9_.]{3,30}")


@dataclass(frozen=True)
class PhoneNumber:
    """E.164: a plus, the country code and the number, up to 15 digits (+15551234567)."""

    label: str = "Phone number"
    hint: str = "with the country code, e.g. +15551234567"
    autocomplete: str = "tel"
    input_type: str = "tel"

    def normalise(self, typed: str) -> str:
        compact = re.sub(r"[\s().-]", "", typed)
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        if not _PHONE.fullmatch(compact):
            raise InvalidLoginName("Enter your phone number with its country code, starting "
                                   "with + (for example +15551234567).")
        return compact


@dataclass(frozen=True)
class Username:
    label: str = "Username"
    hint: str = "3 to 30 letters, digits, dots or underscores"
    autocomplete: str = "username"
    input_type: str = "text"

    def normalise(self, typed: str) -> str:
        name = typed.strip().lower().removeprefix("@")
        if not _USERNAME.fullmatch(name):
            raise InvalidLoginName("A username has 3 to 30 letters, digits, dots or "
                                   "underscores.")
        return name
