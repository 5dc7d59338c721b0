"""Cross-posting choices on the link's disclosure page (issue 14, point 2): adding an app
account lists each way a post could travel between it and the person's other apps (both
directions, only where the operator opened the direction and both apps declare the
types), each off unless the person chooses; the choices are set, and ledgered, only when
the app redeems the code that makes the link active."""

from __future__ import annotations

import re

import httpx
import pytest

from accounts_center.services.crosspost_routes import crosspost_choices, set_directions
from accounts_center.services.your_information import overview
from tests.oidc.conftest import query_of
from tests.oidc.crosspost_family import Family, family_of
from tests.support import csrf_from


@pytest.fixture
def family(hub, client, visitor) -> Family:
    """Ada added Chat; the account she adds now is Social, Pics or Notes."""
    family = family_of(hub, client, visitor)
    family.link_all("chat")
    return family


def disclosure(family: Family, name: str = "social") -> httpx.Response:
    app = getattr(family, name)
    request_uri = app.push_link(f"{name}-ada", "@ada")
    page = family.visitor.go(f"/oauth2/authorize?client_id={app.client_id}"
                             f"&request_uri={request_uri}")
    assert "What is never shared" in page.text, page.text
    return page


def offered(page: httpx.Response) -> dict[str, str]:
    """Each pair's words → its key in the form."""
    return {words: key for words, key in re.findall(
        r'<label for="xp-\d+">([^<]+)</label>\s*<select id="xp-\d+" name="crosspost">\s*'
        r'<option value="([^"]+)=off" selected>', page.text)}


def confirm(family: Family, page: httpx.Response, answers: list[str]) -> httpx.Response:
    action = re.search(r'<form method="post" action="(/oauth2/authorize/continue/[^"]+)"',
                       page.text).group(1)
    return family.visitor.client.post(action, data={
        "decision": "confirm", "csrf_token": csrf_from(page.text), "crosspost": answers})


def modes(family: Family) -> dict[tuple[str, str], str]:
    return {(p.source_app, p.destination_app): p.mode.value
            for p in crosspost_choices(family.hub, family.person)}


def test_the_pair_the_new_account_would_open_is_offered_off_saying_what_is_sent(family):
    page = disclosure(family)
    assert set(offered(page)) == {"Status in Chat → story in Social"}
    assert "What is sent: the picture, its caption and when it disappears" in page.text
    assert "Never sent: who could see it" in page.text
    assert "selected>Ask" not in page.text and "selected>Always" not in page.text


def test_both_directions_are_offered_where_the_operator_opened_them(hub, family):
    assert set(offered(disclosure(family, "pics"))) == {"Status in Chat → story in Pics"}
    set_directions(hub, ["story:status"], [])
    assert set(offered(disclosure(family, "pics"))) == {"Status in Chat → story in Pics",
                                                        "Story in Pics → status in Chat"}
    page = disclosure(family, "notes")  # Notes declares no cross-post type
    assert offered(page) == {} and "Sharing posts with your other apps" not in page.text


def test_choices_are_set_and_ledgered_only_when_the_app_redeems(family):
    page = disclosure(family)
    [key] = offered(page).values()
    done = confirm(family, page, [f"{key}=always"])
    assert done.status_code == 303, done.headers["location"]
    assert ("Chat", "Social") not in modes(family)
    tokens = family.social.redeem(query_of(done.headers["location"])["code"])
    assert tokens.status_code == 200, tokens.text
    assert modes(family)[("Chat", "Social")] == "always"
    said = [t.summary for t in overview(family.hub, family.person,
                                        kind="crosspost.choice").timeline]
    assert said == ["Sharing status posts from Chat as story posts in Social: always"]


def test_off_by_default_sets_nothing(family):
    page = disclosure(family)
    [key] = offered(page).values()
    done = confirm(family, page, [f"{key}=off"])
    family.social.redeem(query_of(done.headers["location"])["code"])
    assert modes(family)[("Chat", "Social")] == "off"
    assert overview(family.hub, family.person, kind="crosspost.choice").timeline == []


@pytest.mark.parametrize("answer, status", [
    ("out:not-a-link:status:story=always", 409),  # not a pair this link would open
    ("in:{chat}:status:status=always", 409),  # a closed direction
    ("{key}=sometimes", 422), ("{key}", 422)])
def test_a_forged_or_malformed_choice_adds_nothing(family, answer, status):
    page = disclosure(family)
    [key] = offered(page).values()
    refused = confirm(family, page, [answer.format(key=key, chat=family.link_id("chat"))])
    assert refused.status_code == status, refused.text
    assert "<h1>" in refused.text and "location" not in refused.headers
    assert ("Chat", "Social") not in modes(family)


def test_a_pair_closed_before_the_app_redeems_stays_off(hub, family):
    page = disclosure(family)
    [key] = offered(page).values()
    done = confirm(family, page, [f"{key}=always"])
    set_directions(hub, [], ["status:story"])
    tokens = family.social.redeem(query_of(done.headers["location"])["code"])
    assert tokens.status_code == 200  # the account is added all the same
    set_directions(hub, ["status:story"], [])
    assert modes(family)[("Chat", "Social")] == "off"
