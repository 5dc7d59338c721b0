"""JSON bodies the hub cannot keep are refused before anything is stored, naming where
(CHECKLIST 36, 37): lone surrogates, NaN and Infinity, numbers beyond what a double holds
exactly, repeated member names, NUL. Whatever is accepted can be read back as sent, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts_center.store.privacy_models import LedgerEntryRow, SharedDataRow
from tests.oidc.conftest import App

PROBLEM = "application/problem+json"
PUSH = "/v1/app/users/chat-ada/data/device"


def push_text(app: App, text: str, path: str = PUSH):
    return app.client.post(path, auth=app.auth, content=text.encode("utf-8"),
                           headers={"content-type": "application/json"})


def body(fields: str, purpose: str = '"security_and_integrity"') -> str:
    return f'{{"purpose": {purpose}, "fields": {fields}}}'


REFUSED = {
    "lone surrogate": (body('{"model": "Pixel \\ud800"}'), "fields.model"),
    "swapped surrogate pair": (body('{"model": "\\udfff\\ud800"}'), "fields.model"),
    "lone surrogate in a name": (body('{"mo\\udc00del": "x"}'), "fields.mo\\udc00del"),
    "lone surrogate in the purpose": (body("{}", purpose='"\\ud83d"'), "purpose"),
    "NaN": (body('{"model": NaN}'), "fields.model"),
    "Infinity": (body('{"model": Infinity}'), "fields.model"),
    "-Infinity": (body('{"model": -Infinity}'), "fields.model"),
    "overflowing to infinity": (body('{"model": 1e400}'), "fields.model"),
    "400 digits": (body('{"model": ' + "9" * 400 + "}"), "fields.model"),
    "2**53": (body('{"model": 9007199254740992}'), "fields.model"),
    "NUL": (body('{"model": "a\\u0000b"}'), "fields.model"),
    "noncharacter": (body('{"model": "\\uffff"}'), "fields.model"),
    "repeated name": (body('{"model": "harmless", "model": "smuggled"}'), "fields.model"),
    "nested too deep": (body('{"model": ' + "[" * 40 + "]" * 40 + "}"),
                        "fields.model" + ".0" * 31),
}


def nothing_was_kept(hub) -> bool:
    with hub.unit_of_work() as uow:
        stored = uow.session.query(SharedDataRow).count()
        decisions = [row for row in uow.session.query(LedgerEntryRow).all()
                     if row.body.get("direction") == "push"]
    return stored == 0 and not decisions


@pytest.mark.parametrize("text, location", REFUSED.values(), ids=REFUSED.keys())
def test_json_the_hub_cannot_keep_is_refused_naming_where(hub, both_linked, text, location):
    chat, _ = both_linked
    answer = push_text(chat, text)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["type"].endswith("/invalid-request")
    assert problem["errors"][0]["location"] == location
    assert nothing_was_kept(hub)


@pytest.mark.parametrize("content", [
    b'{"purpose": "security_and_integrity", "fields": {"model": "\xff"}}',  # not UTF-8
    body('{"model": ' + "9" * 5000 + "}").encode(),  # beyond what Python converts
    body('{"model": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(),
], ids=["not UTF-8", "5000 digits", "nested 100000 deep"])
def test_a_body_the_parser_cannot_read_is_a_400_problem(hub, both_linked, content):
    chat, _ = both_linked
    answer = chat.client.post(PUSH, auth=chat.auth, content=content,
                              headers={"content-type": "application/json"})
    assert answer.status_code == 400 and answer.headers["content-type"] == PROBLEM
    assert nothing_was_kept(hub)


def test_the_largest_exact_numbers_and_any_other_text_are_kept_as_sent(both_linked):
    chat, pics = both_linked
    fields = {"big": 2**53 - 1, "small": -(2**53 - 1), "tiny": 5e-324,
              "huge": 1.7976931348623157e308, "text": "Ünïcödé 😀 \u202e\t\x01",
              "nothing": None, "yes": True}
    assert push_text(chat, json.dumps({"purpose": "security_and_integrity",
                                       "fields": fields})).status_code == 201
    answer = pics.client.get("/v1/app/users/pics-ada/data/device", auth=pics.auth,
                             params={"purpose": "security_and_integrity"})
    assert answer.json()["items"][0]["fields"] == fields


# Hypothesis: arbitrary JSON, with what Python's json module lets through.
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=())
TEXT = st.one_of(
    st.text(max_size=12),
    st.text(st.one_of(st.characters(exclude_categories=()), SURROGATES), max_size=12),
    st.sampled_from(["\ud800", "a\x00b", "\ufffe", "\U0010ffff", "model", ""]))
NUMBERS = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2**53 - 1, 2**53, -(2**53), 10**400]))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)), max_leaves=8)


def as_json(value: Any) -> str:
    return json.dumps(value, allow_nan=True)  # NaN, Infinity; surrogates as \ud800 escapes


# Keepable: what the hub accepts is also read back, exactly.
KEEPABLE = st.one_of(st.none(), st.booleans(), st.integers(-(2**53 - 1), 2**53 - 1),
                     st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))


def push_body(purpose: st.SearchStrategy[str], names: st.SearchStrategy[str],
              values: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    return st.builds(lambda p, f: as_json({"purpose": p, "fields": f}), purpose,
                     st.dictionaries(names, values, min_size=1, max_size=4))


PURPOSE, NAMES = st.just("security_and_integrity"), st.text(min_size=1, max_size=12)
PUSH_BODIES = st.one_of(
    push_body(PURPOSE, NAMES, KEEPABLE),
    push_body(PURPOSE, NAMES, SCALARS),
    push_body(PURPOSE, TEXT, KEEPABLE),
    push_body(TEXT, TEXT, SCALARS),
    VALUES.map(as_json),
    st.integers(min_value=1, max_value=60).map(lambda depth: body(
        '{"model": ' + "[" * depth + "]" * depth + "}")),
    st.sampled_from([body('{"model": 1, "model": 2}'), body("{}"), "", "{", "[]", "null"]))


@pytest.fixture
def person(visitor):
    visitor.sign_up()
    return visitor


FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=PUSH_BODIES)
def test_no_json_body_makes_the_data_api_fail(clock, both_linked, text):
    chat, pics = both_linked
    clock.advance(seconds=1)  # the newest item is this one
    answer = push_text(chat, text)
    event(f"answered {answer.status_code}")
    assert answer.status_code < 500, text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == PROBLEM
    if answer.status_code == 201:  # what was accepted is kept exactly
        read = pics.client.get("/v1/app/users/pics-ada/data/device", auth=pics.auth,
                               params={"purpose": "security_and_integrity"})
        assert read.status_code == 200
        assert read.json()["items"][0]["fields"] == json.loads(text)["fields"]


@FUZZ
@given(text=VALUES.map(as_json), endpoint=st.sampled_from([
    ("GET", "/v1/me"), ("GET", "/v1/me/sessions"), ("GET", "/v1/me/security-events"),
    ("DELETE", "/v1/me/sessions/nobody"), ("DELETE", "/v1/app/links/nobody")]))
def test_no_json_body_makes_the_me_endpoints_fail(chat, person, text, endpoint):
    method, path = endpoint
    answer = person.client.request(method, path, content=text,
                                    auth=chat.auth if "/app/" in path else None,
                                    headers={"content-type": "application/json"})
    assert answer.status_code < 500, text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == PROBLEM
