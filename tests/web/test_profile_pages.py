"""The Profile section: edit the profile, readable errors next to each field, per-app sync
switches, and the history with losing writes (issue 13)."""

from __future__ import annotations

import re

from sqlalchemy import select

from accounts_center.services.member_apps import register_app
from accounts_center.store.models import IdentityRow
from tests.support import csrf_from, link_now
from tests.web.conftest import sign_up_through_form


def test_the_person_saves_their_profile_and_sees_it_in_history(client):
    sign_up_through_form(client)
    page = client.get("/profile")
    saved = client.post("/profile", data={"name": "Ada", "handle": "ada", "bio": "Maths",
                                          "csrf_token": csrf_from(page.text)})
    assert saved.status_code == 303
    again = client.get(saved.headers["location"])
    assert 'value="Ada"' in again.text and "Your profile is saved." in again.text
    assert "Display name" in again.text and "(empty) → Ada" in again.text
    assert "You have no profile photo." in again.text
    assert 'id="avatar-editor"' in again.text and 'formaction="/profile/avatar"' in again.text


def test_bad_values_are_shown_next_to_their_fields_and_kept(client):
    sign_up_through_form(client)
    page = client.get("/profile")
    answer = client.post("/profile", data={"name": "Ada", "handle": "No Spaces!",
                                           "bio": "b" * 161,
                                           "csrf_token": csrf_from(page.text)})
    assert answer.status_code == 422
    assert 'id="handle-errors"' in answer.text and 'id="bio-errors"' in answer.text
    assert 'aria-invalid="true" aria-describedby="handle-errors"' in answer.text
    assert 'value="No Spaces!"' in answer.text


def test_each_linked_app_has_a_switch_per_field_off_by_default(hub, client):
    sign_up_through_form(client)
    app = register_app(hub, "Chat", ["https://chat.example/cb"], "https://chat.example/h",
                       {"receives": ["account_details"]}).app
    with hub.unit_of_work() as uow:
        identity_id = uow.session.scalars(select(IdentityRow.id)).one()
        link_now(uow, hub, identity_id, uow.member_apps.by_id(app.id), "u-1")
        uow.commit()
    page = client.get("/profile")
    assert page.text.count('aria-checked="false"') == 3
    action = re.search(r'action="(/profile/sync/[^"]+/name)"', page.text).group(1)
    turned = client.post(action, data={"enabled": "on", "csrf_token": csrf_from(page.text)},
                         headers={"hx-request": "true"})
    assert turned.status_code == 200 and 'aria-checked="true"' in turned.text
    no_csrf = client.post(action, data={"enabled": "off"})
    assert no_csrf.status_code == 403
