"""Data categories and purposes (DESIGN §3).

``messages``, ``calls`` and ``contacts`` are never shared: they are not members of
``DataCategory`` at all, so no capability file, setting or code path can name them as
shareable.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from functools import lru_cache


class DataCategory(StrEnum):
    ACCOUNT_DETAILS = "account_details"
    PROFILE_PHOTO = "profile_photo"
    AVATAR = "avatar"
    ACTIVITY = "activity"
    DEVICE = "device"
    AGE = "age"
    CREATIONS = "creations"


NEVER_SHARED: frozenset[str] = frozenset({"messages", "calls", "contacts"})

# Words that name never-shared data however an app spells it: a field called
# "last_message" or "callLog", or a category "Contacts" or "contacts" with a Cyrillic o,
# is refused like the categories themselves (issue 10, point 6).
_NEVER_SHARED_WORDS = frozenset({"message", "call", "contact", "sms", "mms", "dm",
                                 "voicemail", "phonebook", "addressbook", "calllog",
                                 "chatlog", "inbox"})
# Long enough to be unmistakable inside a run-together name ("contactlist", "usermessages").
_NEVER_SHARED_STEMS = ("message", "contact", "voicemail", "phonebook", "addressbook")
# Letters that look Latin: Cyrillic, Greek and the like, and digits used as letters.
_LOOK_ALIKES = str.maketrans({
    "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y",
    "\u0445": "x", "\u0455": "s", "\u0456": "i", "\u0458": "j", "\u0501": "d", "\u0261": "g",
    "\u04bb": "h", "\u04cf": "l", "\u051b": "q", "\u051d": "w", "\u03b1": "a", "\u03bf": "o",
    "\u03bd": "v", "\u03b5": "e", "\u03c1": "p", "\u03c4": "t", "\u03ba": "k", "\u03b9": "i",
    "\u03c5": "u", "\u03bc": "m", "\u03b7": "n"})
# Digits and signs used as letters, looked at only inside run-together names ("c0ntacts"),
# so that "timeout_5ms" stays a timeout.
_LEET = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "$": "s", "@": "a"})
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=4096)
def names_never_shared(name: str) -> bool:
    """Whether ``name`` (a category or a field name) is, or has as a word, one of the
    never-shared kinds of data, whatever its case, accents, look-alike letters, plural
    or separators."""
    text = "".join(c for c in unicodedata.normalize("NFKC", name)
                   if unicodedata.category(c) != "Cf")  # zero-width characters
    text = _CAMEL.sub(" ", text).casefold().translate(_LOOK_ALIKES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    words = [word for word in _NOT_LETTERS.split(text) if word]
    joined = "".join(_NOT_LETTERS.split(text.translate(_LEET)))
    if any(stem in joined for stem in _NEVER_SHARED_STEMS):
        return True
    return any(word.removesuffix("s") in _NEVER_SHARED_WORDS
               or word.removesuffix("es") in _NEVER_SHARED_WORDS for word in words)


class Purpose(StrEnum):
    CROSS_APP_FEATURES = "cross_app_features"
    SECURITY_AND_INTEGRITY = "security_and_integrity"
    ADVERTISING = "advertising"


class CrossPostType(StrEnum):
    STATUS = "status"
    STORY = "story"
    POST = "post"
    PHOTO = "photo"
