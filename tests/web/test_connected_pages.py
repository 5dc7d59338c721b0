"""The "Connected experiences" page (issue 14, point 2): one row per way a post could go
between two of the person's apps, each off until they choose, with what is sent; a choice
saved from the page is the one the source app is told of."""

from __future__ import annotations

import re

import pytest

from accounts_center.services.crosspost_routes import crosspost_choices
from accounts_center.services.member_apps import register_app
from tests.support import csrf_from, link_now
from tests.web.conftest import person_id, sign_up_through_form

CAPABILITIES = {"Chat": {"crosspost": {"sources": ["status"]}},
                "Social": {"crosspost": {"destinations": ["story"]}},
                "Notes": {"receives": ["activity"]}}


@pytest.fixture
def family(hub, person):
    """Ada added Chat, Social and Notes."""
    ada = person_id(hub)
    apps = {name: register_app(hub, name, [f"https://{name.lower()}.example/cb"],
                               f"https://{name.lower()}.example/h", caps).app
            for name, caps in CAPABILITIES.items()}
    with hub.unit_of_work() as uow:
        for name, app in apps.items():
            link_now(uow, hub, ada, uow.member_apps.by_id(app.id), f"{name.lower()}-ada")
        uow.commit()
    return person


def form_of(page: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/connected-experiences/choice".*?</form>',
                     page, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_without_two_apps_that_can_share_the_page_says_so(person):
    page = person.get("/connected-experiences")
    assert page.status_code == 200
    assert "No connected experiences yet" in page.text


def test_each_pair_shows_off_at_first_with_what_is_sent(family):
    page = family.get("/connected-experiences").text
    assert "Status in Chat" in page and "Story in Social" in page
    assert '<option value="off" selected>' in page
    assert "Notes" not in page  # declares no cross-post type
    assert "Never sent: who could see it" in page


def test_a_choice_saved_on_the_page_is_kept(hub, family):
    fields = form_of(family.get("/connected-experiences").text)
    answer = family.post("/connected-experiences/choice", data={**fields, "mode": "always"})
    assert answer.status_code == 303
    page = family.get(answer.headers["location"]).text
    assert "Your choice is saved." in page and '<option value="always" selected>' in page
    [pair] = crosspost_choices(hub, person_id(hub))
    assert pair.mode.value == "always"


def test_a_forged_or_stale_choice_changes_nothing(hub, family):
    fields = {**form_of(family.get("/connected-experiences").text), "mode": "always"}
    for changes, status in (({"mode": "sometimes"}, 422),
                            ({"destination_type": "status"}, 409),
                            ({"source_link_id": "someone-elses"}, 409)):
        answer = family.post("/connected-experiences/choice", data={**fields, **changes})
        assert answer.status_code == status, changes
        assert 'role="alert"' in answer.text
    no_token = family.post("/connected-experiences/choice",
                           data={**fields, "csrf_token": "x", "mode": "always"})
    assert no_token.status_code == 403
    assert [p.mode.value for p in crosspost_choices(hub, person_id(hub))] == ["off"]


def test_another_person_sees_none_of_it(hub, family, client):
    family.post("/logout", data={"csrf_token": csrf_from(family.get("/security").text)})
    sign_up_through_form(client, login="bob@example.com")
    page = client.get("/connected-experiences").text
    assert "No connected experiences yet" in page and "Chat" not in page
