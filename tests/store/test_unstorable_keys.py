"""Lookups by a key no database can hold (NUL: PostgreSQL text; a lone surrogate: no UTF-8
form) find nothing on either database instead of failing: the store's guard behind the
web edge's (store/base.py, storable)."""

from __future__ import annotations

import pytest

from accounts_center.store.base import storable

UNSTORABLE = ["\x00", "id\x00", "\ud800", "a\udfffb"]


@pytest.mark.parametrize("key", UNSTORABLE)
def test_lookups_by_unstorable_keys_find_nothing(hub, key):
    with hub.unit_of_work() as uow:
        assert uow.identities.get(key) is None
        assert uow.links.get(key) is None
        assert uow.links.active_with_subject_salt(key) is None
        assert uow.links.active_for_app_user(key, key) is None
        assert uow.member_apps.by_id(key) is None
        assert uow.member_apps.by_client_id(key) is None
        assert uow.member_apps.client_fields(key) is None
        assert uow.member_apps.by_name_or_client_id(key) is None
        assert uow.oauth.request(key) is None
        assert uow.archives.get(key) is None


def test_ordinary_keys_are_storable():
    assert all(storable(key) for key in ["", "0b8f-…", "é", "😀", "\ufffd", "\t"])
    assert not any(storable(key) for key in UNSTORABLE)
