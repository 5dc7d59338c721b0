"""JSON the hub can keep and answer with: I-JSON (RFC 7493), and no NUL.

Python's `json` accepts documents that PostgreSQL, UTF-8 and other parsers refuse: `NaN`
and `Infinity`, numbers that overflow to infinity (`1e400`), escapes of lone surrogates
(`"\\ud800"`, not Unicode text: no UTF-8 encoder writes it), and a member name given twice
(each parser keeps a different one, a way to smuggle a value past a check). Such a body
used to be stored on SQLite and fail on PostgreSQL, or fail on both when its digest was
taken. Here it is refused before anything reads it, with the location of the first value
that cannot be kept.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Integers beyond this lose precision in IEEE 754 doubles, and so in most JSON parsers
# (RFC 7493 §2.2): an app would read back another number than the one it sent.
MAX_SAFE_INTEGER = 2**53 - 1
# Deeper than any body of ours; also keeps the walk below short.
MAX_DEPTH = 32

_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
# NUL: PostgreSQL text cannot hold it. Surrogates and noncharacters: RFC 7493 §2.1.
_UNKEEPABLE = re.compile(f"[\x00\ud800-\udfff{_NONCHARACTERS}]")

Location = tuple[str | int, ...]


class JsonRefused(ValueError):
    """The body is not JSON the hub keeps; ``location`` is the path to the first bad value."""

    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


class _Refused:
    """A number or object found unkeepable while parsing; the walk reports where it is."""

    def __init__(self, message: str, member: str | None = None) -> None:
        self.message = message
        self.member = member


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a JSON number")


def _integer(text: str) -> int | _Refused:
    try:
        value = int(text)
    except ValueError:  # longer than Python converts (sys.get_int_max_str_digits)
        return _Refused("the number is too large")
    if abs(value) > MAX_SAFE_INTEGER:
        return _Refused("integers must lie within ±(2**53 - 1)")
    return value


def _number(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused("the number is too large")


def _members(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Refused:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            return _Refused("a member name is repeated", member=name)
        result[name] = value
    return result


def _text_problem(text: str) -> str | None:
    found = _UNKEEPABLE.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "text must not contain NUL (U+0000)"
    if "\ud800" <= char <= "\udfff":
        return "text must not contain a lone surrogate (not Unicode text)"
    return "text must not contain a Unicode noncharacter"


def parse_json(body: bytes) -> Any:
    """The document in ``body``, or `JsonRefused` naming where it cannot be kept."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonRefused((), "the body is not UTF-8") from None
    try:
        document = json.loads(text, parse_constant=_constant, parse_int=_integer,
                              parse_float=_number, object_pairs_hook=_members)
    except json.JSONDecodeError as error:
        raise JsonRefused((), f"not JSON: {error.msg} at character {error.pos}") from None
    except RecursionError:
        raise JsonRefused((), f"nested deeper than {MAX_DEPTH} levels") from None
    _check(document)
    return document


def _check(document: Any) -> None:
    pending: list[tuple[Any, Location]] = [(document, ())]
    while pending:
        value, location = pending.pop()
        if len(location) > MAX_DEPTH:
            raise JsonRefused(location, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, _Refused):
            where = location if value.member is None else (*location, value.member)
            raise JsonRefused(where, value.message)
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                raise JsonRefused(location, problem)
        elif isinstance(value, dict):
            for name, member in reversed(value.items()):
                problem = _text_problem(name)
                if problem:
                    raise JsonRefused((*location, name), f"member name: {problem}")
                pending.append((member, (*location, name)))
        elif isinstance(value, list):
            pending.extend((item, (*location, index))
                           for index, item in reversed(list(enumerate(value))))
