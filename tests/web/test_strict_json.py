"""The JSON the hub keeps (web/strict_json.py): I-JSON (RFC 7493) without NUL; anything
else is refused with the location of the first value that cannot be kept."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_center.web.strict_json import MAX_DEPTH, MAX_SAFE_INTEGER, JsonRefused, parse_json

KEEPABLE_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
                        ).filter(lambda text: not any(
                            0xFDD0 <= ord(c) <= 0xFDEF or ord(c) & 0xFFFE == 0xFFFE
                            for c in text))
KEEPABLE = st.recursive(
    st.one_of(st.none(), st.booleans(), KEEPABLE_TEXT,
              st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
              st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(KEEPABLE_TEXT, inner, max_size=4)),
    max_leaves=12)


@given(KEEPABLE, st.booleans())
def test_keepable_documents_are_read_as_they_were_written(document, ascii_only):
    text = json.dumps(document, ensure_ascii=ascii_only)
    assert parse_json(text.encode()) == document


def refusal(text: str | bytes) -> JsonRefused:
    with pytest.raises(JsonRefused) as refused:
        parse_json(text.encode() if isinstance(text, str) else text)
    return refused.value


@pytest.mark.parametrize("text, location", [
    ('"\\ud800"', ()),
    ('{"a": ["ok", "\\udc00"]}', ("a", 1)),
    ('{"a\\ud800": 1}', ("a\ud800",)),
    ('[1, NaN]', (1,)),
    ('{"a": {"b": Infinity}}', ("a", "b")),
    ('{"a": -Infinity}', ("a",)),
    ('[1e400]', (0,)),
    ('[-1e400]', (0,)),
    (f"[{MAX_SAFE_INTEGER + 1}]", (0,)),
    (f"[{-MAX_SAFE_INTEGER - 1}]", (0,)),
    ("[" + "9" * 5000 + "]", (0,)),
    ('{"a": "x\\u0000"}', ("a",)),
    ('{"a": {"b": 1, "b": 2}}', ("a", "b")),
    ('["\\ufdd0"]', (0,)),
    ('["\\udbff\\udfff"]', (0,)),  # U+10FFFF, a noncharacter
    ("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2), (0,) * (MAX_DEPTH + 1)),
    ("[" * 100_000 + "]" * 100_000, ()),
    (b'"\xff"', ()),
    ('{"a": 1', ()),
])
def test_what_cannot_be_kept_is_refused_where_it_is(text, location):
    assert refusal(text).location == location


def test_a_surrogate_pair_is_one_character_and_kept():
    assert parse_json(b'"\\ud83d\\ude00"') == "\U0001F600"


def test_refusals_never_quote_the_value():
    for text in ['{"a": "secret\\ud800"}', '{"a": NaN}', '[' + "7" * 400 + "]"]:
        refused = refusal(text)
        assert "secret" not in refused.message and "777" not in refused.message
