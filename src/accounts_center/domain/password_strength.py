"""How many guesses a password would take, and why so few: zxcvbn, within a fixed budget.

zxcvbn (Dropbox's estimator, the `zxcvbn` package) models what crackers try first: its
frequency lists (the 30,000 most common passwords of Mark Burnett's 10-million-password
corpus, English words, names), keyboard rows, repeats, sequences, dates and l33t
spellings of all of those. It is pure computation: its lists are Python literals loaded
once with the module, nothing is read or fetched per call.

Its cost is not flat. Every substring is looked up in every list, once per l33t reading
of the password, and a password dense in look-alike characters (``4@8({[<3|1!70$5+%``)
has hundreds of readings: 72 such characters took 2.3 s here. So the estimator sees at
most 72 characters (it raises above that), and fewer when the readings would push the
work past `WORK_BUDGET`; never fewer than `MIN_ESTIMATED`. Judging a prefix can only make
a verdict stricter, never looser: characters after it only add guesses.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum
from math import isqrt

from zxcvbn import zxcvbn
from zxcvbn.matching import L33T_TABLE, enumerate_l33t_subs, relevant_l33t_subtable

ESTIMATED_LENGTH = 72  # zxcvbn's own cap
# zxcvbn looks every substring up in its lists once as typed, once reversed and once per
# l33t reading: (readings + 2) * length^2, here at most four passes over 72 characters
# (twice what any password without look-alike characters needs; ~15 ms on one core).
WORK_BUDGET = 4 * ESTIMATED_LENGTH ** 2
MIN_ESTIMATED = 12  # 12 random characters are still ~10^12 guesses: a clear pass
# zxcvbn's top score: at least 10^10 guesses, "strong protection from offline slow-hash
# scenario". The hub's password opens every linked app, so "moderate" (score 3, 10^8) is
# not enough: zxcvbn gives any three-part password 10^8, and "iloveyou iloveyou",
# "Password1234567!" or "summer2024summer" are what cracking rules try early. Three or
# four ordinary words ("my cat eats pizza", "purple monkey dishwasher") clear 10^10.
STRONG_SCORE = 4

# zxcvbn keeps the caller's words in a module-level dictionary while it runs; two
# estimates at once on the hub's threads would each see the other's words. The work is
# CPU-bound under the GIL anyway, so taking turns costs no throughput.
_ONE_AT_A_TIME = threading.Lock()


class Pattern(StrEnum):
    """What made a password guessable, as zxcvbn found it."""

    COMMON = "common"  # one of the 30,000 most common passwords, all of it
    LIKE_COMMON = "like_common"  # one inside it, reversed or l33t-spelled
    COMMON_WORD = "common_word"
    NAME = "name"
    KEYBOARD = "keyboard"
    REPEAT = "repeat"
    SEQUENCE = "sequence"
    DATE = "date"
    CONTEXT = "context"  # one of the words the caller gave (login name, service name)


@dataclass(frozen=True)
class Estimate:
    score: int  # zxcvbn's 0-4
    patterns: tuple[Pattern, ...]  # why it is weak: empty when strong
    context_words: tuple[str, ...]  # which of the caller's words it was built on

    @property
    def strong(self) -> bool:
        return self.score >= STRONG_SCORE


def estimated_part(text: str) -> str:
    """The prefix of ``text`` the estimator looks at: at most 72 characters, fewer when
    its l33t readings would cost more than `WORK_BUDGET` (never under `MIN_ESTIMATED`)."""
    part = text[:ESTIMATED_LENGTH]
    readings = len(enumerate_l33t_subs(relevant_l33t_subtable(part, L33T_TABLE)))
    affordable = isqrt(WORK_BUDGET // (readings + 2))
    return part[:max(MIN_ESTIMATED, affordable)]


def estimate(text: str, context_words: tuple[str, ...] = ()) -> Estimate:
    part = estimated_part(text)
    if not part:
        return Estimate(0, (), ())  # zxcvbn fails on an empty string
    with _ONE_AT_A_TIME:
        result = zxcvbn(part, user_inputs=list(context_words))
    score = int(result["score"])
    if score >= STRONG_SCORE:
        return Estimate(score, (), ())
    # (kind, list, plain, length) of each pattern found; zxcvbn's "bruteforce" stretches
    # between them are not patterns.
    found = [(str(m["pattern"]), m.get("dictionary_name", ""),
              not m.get("l33t", False) and not m.get("reversed", False), len(m["token"]),
              m.get("matched_word", "")) for m in result["sequence"]]
    alone = len(found) == 1
    found = [f for f in found if f[0] != "bruteforce"]
    patterns: list[Pattern] = []
    if found:
        # As zxcvbn's own feedback does: the longest pattern is the one to change first.
        kind, source, plain, _, _ = max(found, key=lambda f: f[3])
        patterns.append(_pattern_of(kind, source, plain=plain and alone))
    words = tuple(dict.fromkeys(f[4] for f in found if f[1] == "user_inputs"))
    if words:
        patterns.append(Pattern.CONTEXT)
    return Estimate(score, tuple(dict.fromkeys(patterns)), words)


def _pattern_of(kind: str, source: str, *, plain: bool) -> Pattern:
    if kind == "dictionary":
        if source == "passwords":
            return Pattern.COMMON if plain else Pattern.LIKE_COMMON
        if source in ("male_names", "female_names", "surnames"):
            return Pattern.NAME
        return Pattern.CONTEXT if source == "user_inputs" else Pattern.COMMON_WORD
    return {"spatial": Pattern.KEYBOARD, "repeat": Pattern.REPEAT,
            "sequence": Pattern.SEQUENCE}.get(kind, Pattern.DATE)  # regex, date: years
