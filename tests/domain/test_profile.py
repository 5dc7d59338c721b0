"""The profile's fields and the last-writer-wins merge (issue 13, point 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.categories import DataCategory
from accounts_center.domain.errors import InvalidInputs
from accounts_center.domain.profile import (
    CATEGORY_OF,
    SYNCABLE,
    ProfileField,
    Written,
    check_changes,
    merge,
)

T0 = datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_good_values_are_taken_and_trimmed():
    clean = check_changes({"name": "  Ada Lovelace ", "handle": "ada.l_1", "bio": "",
                           "photo": "sha256:abc", "avatar": {"hair": "short"}})
    assert clean[ProfileField.NAME] == "Ada Lovelace"
    assert clean[ProfileField.HANDLE] == "ada.l_1"
    assert clean[ProfileField.AVATAR] == {"hair": "short"}


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""), ("name", "x" * 65), ("name", "Ada\u0007"), ("name", "Ada\u200bL"),
    ("handle", "ab"), ("handle", "Ada"), ("handle", "a" * 31), ("handle", "ada-l"),
    ("bio", "b" * 161), ("bio", "line\nbreak"), ("photo", 7), ("photo", ""),
    ("avatar", []), ("avatar", {}), ("name", None), ("colour", "red"),
])
def test_each_bad_value_is_refused_naming_its_field(field, value):
    with pytest.raises(InvalidInputs) as refused:
        check_changes({field: value})
    assert [p.field for p in refused.value.problems] == [field]


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidInputs) as refused:
        check_changes({"name": "", "handle": "A", "bio": "ok"})
    assert {p.field for p in refused.value.problems} == {"name", "handle"}
    assert "Display name" in refused.value.detail


def test_fields_map_to_their_categories_and_only_three_sync():
    assert CATEGORY_OF[ProfileField.BIO] is DataCategory.ACCOUNT_DETAILS
    assert CATEGORY_OF[ProfileField.PHOTO] is DataCategory.PROFILE_PHOTO
    assert CATEGORY_OF[ProfileField.AVATAR] is DataCategory.AVATAR
    assert set(SYNCABLE) == {ProfileField.NAME, ProfileField.PHOTO, ProfileField.AVATAR}


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.", min_size=3, max_size=30))
def test_any_handle_of_the_allowed_characters_is_taken(handle):
    assert check_changes({"handle": handle})[ProfileField.HANDLE] == handle


@given(st.text(max_size=200))
def test_a_name_is_taken_or_refused_never_stored_with_control_characters(text):
    try:
        clean = check_changes({"name": text})[ProfileField.NAME]
    except InvalidInputs:
        return
    assert 1 <= len(clean) <= 64
    assert not any(ord(c) < 32 or ord(c) == 127 for c in clean)


def test_a_later_write_wins_and_an_earlier_one_loses_keeping_the_value():
    held = Written("Ada", T0, "console")
    later = merge(held, Written("Ada L", T0 + timedelta(seconds=1), "app-1"))
    assert later.won and later.held.value == "Ada L" and later.old == "Ada"
    earlier = merge(held, Written("Old", T0 - timedelta(seconds=1), "app-1"))
    assert not earlier.won and earlier.held is held


@given(st.lists(st.tuples(st.integers(0, 1000), st.text(max_size=5)), min_size=1,
                max_size=20))
def test_whatever_order_writes_arrive_in_the_latest_stamp_is_held(writes):
    held = None
    for seconds, value in writes:
        held = merge(held, Written(value, T0 + timedelta(seconds=seconds), "x")).held
    assert held is not None
    latest = max(seconds for seconds, _ in writes)
    assert held.at == T0 + timedelta(seconds=latest)
    # Ties go to the later arrival.
    assert held.value == [v for s, v in writes if s == latest][-1]
