"""What makes a new password acceptable (NIST SP 800-63B-4 §3.1.1.2, OWASP ASVS V2.1).

- Length: at least 15 characters, because the hub's password is a single factor for
  everyone without two-factor login (and two-factor can be turned off without choosing a
  new password), and §3.1.1.2 asks 15 of a single-factor password. At most 256, so any
  passphrase fits and hashing stays cheap. Each Unicode code point counts as one; every
  character is allowed; no composition rules.
- The blocklist: not one of the 30,000 most common passwords (zxcvbn's list, below),
  compared whole, ignoring case.
- Context: not containing the person's whole email address or phone number; not built on
  a part of it or on this service's name with only a guessable rest.
- Guessability: zxcvbn estimates at least 10^10 guesses (`password_strength`), which
  catches common passwords inside longer ones, l33t spellings, repeats ("aaaa",
  "abcabc"), sequences ("abcd", "6543"), keyboard rows and dates.

Every problem is reported at once, each saying why (§3.1.1.2: the verifier "SHALL
provide the reason for rejection"). The checks see the password NFKC-normalised, so
look-alike compatibility characters do not slip a common password past them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.password_strength import Pattern, estimate

MIN_LENGTH = 15
# Long enough for any passphrase, short enough that hashing it is not a denial of service.
MAX_LENGTH = 256
SERVICE_NAME = "Accounts Center"

# The blocklist is zxcvbn's own "passwords" frequency list: the 30,000 most frequent
# passwords of Mark Burnett's 10-million-password corpus (2015), as Dropbox's zxcvbn data
# scripts built it. It ships inside the `zxcvbn` wheel (MIT licence) as a Python literal,
# so nothing is read or fetched here and we redistribute no list of our own. The
# estimator also finds these inside longer passwords and spelled backwards or in l33t,
# which a bigger list compared whole would not; what a bigger list adds is mostly
# shorter than 15 characters, which the length rule already refuses.
COMMON_PASSWORDS = frozenset(word.casefold() for word in FREQUENCY_LISTS["passwords"])

_SERVICE = re.compile(r"accounts?[\W_]*cent(?:er|re)")  # on casefolded text
_SERVICE_WORDS = ("accounts center", "accountscenter", "accounts-center")
_LOGIN_SEPARATORS = re.compile(r"[.@_+\-]+")
_PHONE_SEPARATORS = re.compile(r"[\s\-().+/]")
_PHONE_TAIL = 7  # the subscriber's own digits, however the number is written


class Weakness(StrEnum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    LIKE_COMMON = "like_common"
    LOGIN_NAME = "login_name"
    SERVICE_NAME = "service_name"
    COMMON_WORD = "common_word"
    NAME = "name"
    KEYBOARD = "keyboard"
    REPEAT = "repeat"
    SEQUENCE = "sequence"
    DATE = "date"
    GUESSABLE = "guessable"


@dataclass(frozen=True)
class PasswordProblem:
    weakness: Weakness
    message: str


_MESSAGES = {
    Weakness.TOO_SHORT: f"Use at least {MIN_LENGTH} characters: a few words together are "
                        "long enough and easy to remember.",
    Weakness.TOO_LONG: f"Use at most {MAX_LENGTH} characters.",
    Weakness.COMMON: "This is one of the most common passwords, among the first that "
                     "anyone guessing tries.",
    Weakness.LIKE_COMMON: "It is a common password with small changes (look-alike "
                          "characters, reversed, or a little added), which guessers try "
                          "early.",
    Weakness.SERVICE_NAME: f"It is built on this service's name, “{SERVICE_NAME}”, which "
                           "anyone guessing tries first.",
    Weakness.COMMON_WORD: "Common words and phrases on their own are easy to guess.",
    Weakness.NAME: "Common names and surnames are easy to guess.",
    Weakness.KEYBOARD: "Rows of neighbouring keys, like “qwerty” or “zxcvbn”, are easy "
                       "to guess.",
    Weakness.REPEAT: "Repeated characters or words, like “aaa” or “abcabc”, are easy to "
                     "guess.",
    Weakness.SEQUENCE: "Sequences like “abcd” or “6543” are easy to guess.",
    Weakness.DATE: "Dates and years are easy to guess.",
    # Last, after what the estimator found: how to fix it (zxcvbn's own suggestion).
    Weakness.GUESSABLE: "Add another word or two: uncommon words are better.",
}
_FROM_PATTERN = {
    Pattern.COMMON: Weakness.COMMON, Pattern.LIKE_COMMON: Weakness.LIKE_COMMON,
    Pattern.COMMON_WORD: Weakness.COMMON_WORD, Pattern.NAME: Weakness.NAME,
    Pattern.KEYBOARD: Weakness.KEYBOARD, Pattern.REPEAT: Weakness.REPEAT,
    Pattern.SEQUENCE: Weakness.SEQUENCE, Pattern.DATE: Weakness.DATE,
}


def password_problems(password: str, *, login_value: str) -> list[PasswordProblem]:
    """Everything wrong with ``password`` as a new password for ``login_value`` (an
    email address or E.164 phone number; what was typed, if it did not parse), in the
    order a person should read it. Empty when it is acceptable."""
    text = unicodedata.normalize("NFKC", password)
    folded = text.casefold()
    login = login_value.strip().casefold()
    found: list[Weakness] = []
    if len(password) < MIN_LENGTH:
        found.append(Weakness.TOO_SHORT)
    if len(password) > MAX_LENGTH:
        found.append(Weakness.TOO_LONG)
    if folded in COMMON_PASSWORDS or folded.strip() in COMMON_PASSWORDS:
        found.append(Weakness.COMMON)
    if login and _contains_login(folded, login):
        found.append(Weakness.LOGIN_NAME)
    personal = _login_words(login)
    whole = estimate(text, personal + _SERVICE_WORDS)
    # A word anyone can guess adds nothing: what is left without it must hold up alone.
    rest, removed = _without_context(folded, personal)
    if removed and not estimate(rest).strong:
        found.extend(removed)
    found.extend(_FROM_PATTERN[p] for p in whole.patterns if p in _FROM_PATTERN)
    if Pattern.CONTEXT in whole.patterns:
        found.extend(Weakness.SERVICE_NAME if word in _SERVICE_WORDS else Weakness.LOGIN_NAME
                     for word in whole.context_words)
    if not whole.strong:
        found.append(Weakness.GUESSABLE)
    return [PasswordProblem(w, _message(w, login)) for w in dict.fromkeys(found)]


def password_refusals(password: str, *, login_value: str, field: str) -> list[InvalidInput]:
    """`password_problems` as errors on the form's ``field``, to raise with the form's
    other problems in one `InvalidInputs`."""
    return [InvalidInput(problem.message, field=field)
            for problem in password_problems(password, login_value=login_value)]


def _message(weakness: Weakness, login: str) -> str:
    if weakness is Weakness.LOGIN_NAME:
        what = ("email address" if "@" in login else
                "phone number" if login.lstrip("+").isdigit() else "login name")
        return f"It contains your {what}, or part of it, which anyone who knows you can guess."
    return _MESSAGES[weakness]


def _contains_login(folded: str, login: str) -> bool:
    """The whole email address, or a phone number's own digits however they are written.
    (A login that is neither, as typed into a form, only counts as a guessable word.)"""
    if "@" in login:
        return login in folded
    digits = login.lstrip("+")
    if not digits.isdigit() or len(digits) < _PHONE_TAIL:
        return False
    return digits[-_PHONE_TAIL:] in _PHONE_SEPARATORS.sub("", folded)


def _login_words(login: str) -> tuple[str, ...]:
    """The login name and the parts of it a guesser would try (`ada.lovelace`, `ada`,
    `lovelace`, `example` of ada.lovelace@example.com; a phone number's digits)."""
    if not login:
        return ()
    if "@" in login:
        local, _, domain = login.partition("@")
        labels = domain.split(".")[:-1]  # not the top-level domain
        parts = [login, local, *_LOGIN_SEPARATORS.split(local), *labels]
    else:
        digits = login.lstrip("+")
        parts = [login, digits, digits[-_PHONE_TAIL:]]
    return tuple(dict.fromkeys(p for p in parts if len(p) >= 3))


def _without_context(folded: str, personal: tuple[str, ...]) -> tuple[str, list[Weakness]]:
    """``folded`` without the service's name and the login words in it, longest first,
    and which kinds were taken out."""
    removed: list[Weakness] = []
    rest, count = _SERVICE.subn(" ", folded)
    if count:
        removed.append(Weakness.SERVICE_NAME)
    for word in sorted(personal, key=len, reverse=True):
        if word in rest:
            rest = rest.replace(word, " ")
            if Weakness.LOGIN_NAME not in removed:
                removed.append(Weakness.LOGIN_NAME)
    return rest.strip(), removed
