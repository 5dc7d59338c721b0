"""The operator's member-app registry: secrets shown once, stored hashed (CHECKLIST 16)."""

import pytest

from accounts_center.domain.errors import (
    AlreadyRegistered,
    InvalidInput,
    NeverSharedCategory,
    NotFound,
)
from accounts_center.services.member_apps import (
    authenticate_client,
    list_apps,
    register_app,
    remove_app,
    rotate_secret,
    show_app,
)

CAPS = {"sends": ["device", "activity"], "receives": ["account_details"],
        "crosspost": {"sources": ["status"], "destinations": []}}


def register_chat(hub, **overrides):
    values = {"name": "Chat", "redirect_uris": ["https://chat.example/callback"],
              "webhook_url": "https://chat.example/hooks/accounts-center",
              "capabilities": CAPS, **overrides}
    return register_app(hub, **values)


def test_registration_returns_a_secret_that_is_stored_only_as_a_digest(hub):
    credentials = register_chat(hub)
    with hub.unit_of_work() as uow:
        row = uow.member_apps.by_name("Chat")
        assert credentials.client_secret not in row.client_secret_digest
    assert authenticate_client(hub, credentials.app.client_id, credentials.client_secret)
    assert authenticate_client(hub, credentials.app.client_id, "wrong") is None
    assert authenticate_client(hub, "Chat", credentials.client_secret) is None
    assert authenticate_client(hub, "app_unknown", credentials.client_secret) is None


def test_capabilities_are_kept_and_shown(hub):
    register_chat(hub)
    shown = show_app(hub, "Chat")
    assert [c.value for c in sorted(shown.capabilities.sends)] == ["activity", "device"]
    assert [a.name for a in list_apps(hub)] == ["Chat"]


def test_rotating_the_secret_invalidates_the_old_one(hub):
    first = register_chat(hub)
    second = rotate_secret(hub, first.app.client_id)
    assert second.client_secret != first.client_secret
    assert authenticate_client(hub, first.app.client_id, first.client_secret) is None
    assert authenticate_client(hub, first.app.client_id, second.client_secret)


def test_removing_an_app_removes_its_client(hub):
    credentials = register_chat(hub)
    remove_app(hub, "Chat")
    assert authenticate_client(hub, credentials.app.client_id, credentials.client_secret) is None
    with pytest.raises(NotFound):
        show_app(hub, "Chat")


@pytest.mark.parametrize(("overrides", "error", "field"), [
    ({"name": ""}, InvalidInput, "name"),
    ({"name": "<script>"}, InvalidInput, "name"),
    ({"redirect_uris": []}, InvalidInput, "redirect_uri"),
    ({"redirect_uris": ["http://chat.example/cb"]}, InvalidInput, "redirect_uri"),
    ({"webhook_url": "https://chat.example/h#x"}, InvalidInput, "webhook_url"),
    ({"capabilities": {"receives": ["contacts"]}}, NeverSharedCategory, "receives[0]"),
    ({"capabilities": {"sends": ["device"], "extra": 1}}, InvalidInput, "extra"),
])
def test_a_bad_registration_names_the_field_and_stores_nothing(hub, overrides, error, field):
    with pytest.raises(error) as refused:
        register_chat(hub, **overrides)
    assert refused.value.field == field
    assert list_apps(hub) == []


def test_names_are_unique(hub):
    register_chat(hub)
    with pytest.raises(AlreadyRegistered):
        register_chat(hub)
