"""The person's cross-posting choices (issue 14, point 2): a pair exists only while both
links are active, the source app declares the source type, the destination app the
destination type, and the operator opened the direction; every pair is off until the
person picks; each change is one transaction, in the ledger the person reads."""

from __future__ import annotations

import pytest

from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.crosspost import CrossPostMode
from accounts_center.domain.errors import (
    CrossPostNoDestination,
    CrossPostPairUnavailable,
    InvalidInput,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.crosspost_routes import (
    crosspost_choices,
    direction_matrix,
    set_crosspost_choice,
    set_directions,
)
from accounts_center.services.crossposts import create_crosspost, destinations_for_app
from accounts_center.services.links import unlink_account
from accounts_center.services.member_apps import MemberApp, member_app_view, register_app
from accounts_center.services.sign_up import sign_up
from accounts_center.services.your_information import overview
from tests.image_files import encoded
from tests.support import link_now

ORIGIN = RequestOrigin("127.0.0.1", "test")
CAPABILITIES = {
    "Chat": {"crosspost": {"sources": ["status"]}},
    "Pics": {"crosspost": {"sources": ["story"], "destinations": ["story"]}},
    "Social": {"crosspost": {"destinations": ["story", "status"]}},
    "Notes": {"receives": ["activity"]},
}


@pytest.fixture
def world(hub):
    apps = {name.lower(): register_app(hub, name, [f"https://{name.lower()}.example/cb"],
                                       f"https://{name.lower()}.example/h", caps).app
            for name, caps in CAPABILITIES.items()}
    ada = sign_up(hub, "ada@example.com", "correct horse battery", ORIGIN).identity_id
    bob = sign_up(hub, "bob@example.com", "correct horse battery", ORIGIN).identity_id
    links = {}
    with hub.unit_of_work() as uow:
        for name, app in apps.items():
            row = uow.member_apps.by_id(app.id)
            links[name] = link_now(uow, hub, ada, row, f"{name}-ada").id
        links["bob-social"] = link_now(uow, hub, bob, uow.member_apps.by_id(
            apps["social"].id), "social-bob").id
        uow.commit()
    return hub, ada, bob, links


def pairs(hub, person):
    return {(p.source_app, p.source_type.value, p.destination_app, p.destination_type.value):
            p.mode.value for p in crosspost_choices(hub, person)}


def test_the_pairs_are_declared_types_in_open_directions_all_off_at_first(world):
    hub, ada, _, _ = world
    assert pairs(hub, ada) == {("Chat", "status", "Pics", "story"): "off",
                               ("Chat", "status", "Social", "story"): "off"}


def test_opening_a_direction_adds_its_pairs_and_closing_removes_them(world):
    hub, ada, _, _ = world
    set_directions(hub, ["story:story", "status:status"], [])
    assert set(pairs(hub, ada)) == {
        ("Chat", "status", "Pics", "story"), ("Chat", "status", "Social", "story"),
        ("Chat", "status", "Social", "status"), ("Pics", "story", "Social", "story")}
    set_directions(hub, [], ["status:story"])
    assert set(pairs(hub, ada)) == {("Chat", "status", "Social", "status"),
                                    ("Pics", "story", "Social", "story")}
    assert not direction_matrix(hub).allows(CrossPostType.STATUS, CrossPostType.STORY)


def test_a_direction_both_allowed_and_denied_or_unknown_changes_nothing(world):
    hub, _, _, _ = world
    for allow, deny in ((["story:status"], ["story:status"]), (["story:status"], ["x:y"])):
        with pytest.raises(InvalidInput):
            set_directions(hub, allow, deny)
        assert not direction_matrix(hub).allows(CrossPostType.STORY, CrossPostType.STATUS)


def test_a_choice_is_kept_and_ledgered_where_the_person_reads_it(world):
    hub, ada, _, links = world
    assert set_crosspost_choice(hub, ada, links["chat"], links["social"], "status", "story",
                                "always")
    assert not set_crosspost_choice(hub, ada, links["chat"], links["social"], "status",
                                    "story", "always")  # no change, no second entry
    assert set_crosspost_choice(hub, ada, links["chat"], links["pics"], "status", "story",
                                "ask")
    assert pairs(hub, ada) == {("Chat", "status", "Pics", "story"): "ask",
                               ("Chat", "status", "Social", "story"): "always"}
    said = [t.summary for t in overview(hub, ada, kind="crosspost.choice").timeline]
    assert said == ["Sharing status posts from Chat as story posts in Pics: ask each time",
                    "Sharing status posts from Chat as story posts in Social: always"]


def test_turning_off_a_pair_never_chosen_writes_nothing(world):
    hub, ada, _, links = world
    assert not set_crosspost_choice(hub, ada, links["chat"], links["social"], "status",
                                    "story", "off")
    assert overview(hub, ada, kind="crosspost.choice").timeline == []


@pytest.mark.parametrize("source, destination, types", [
    ("pics", "chat", ("story", "status")),  # closed direction, and Chat takes no posts
    ("chat", "social", ("status", "status")),  # closed direction
    ("chat", "notes", ("status", "story")),  # Notes declares no cross-post type
    ("social", "pics", ("story", "story")),  # Social is no source
    ("chat", "chat", ("status", "story")),  # an app to itself
    ("chat", "bob-social", ("status", "story")),  # someone else's account
])
def test_a_pair_that_cannot_carry_a_post_cannot_be_chosen(world, source, destination,
                                                          types):
    hub, ada, _, links = world
    with pytest.raises(CrossPostPairUnavailable):
        set_crosspost_choice(hub, ada, links[source], links[destination], *types, "always")


def test_bad_modes_and_types_are_refused(world):
    hub, ada, _, links = world
    for mode, types in (("sometimes", ("status", "story")), ("ask", ("reel", "story"))):
        with pytest.raises(InvalidInput):
            set_crosspost_choice(hub, ada, links["chat"], links["social"], *types, mode)


def test_removing_an_account_removes_its_pairs_at_once(world):
    hub, ada, _, links = world
    set_crosspost_choice(hub, ada, links["chat"], links["social"], "status", "story",
                         "always")
    unlink_account(hub, ada, links["social"], ORIGIN)
    assert pairs(hub, ada) == {("Chat", "status", "Pics", "story"): "off"}
    with pytest.raises(CrossPostPairUnavailable):
        set_crosspost_choice(hub, ada, links["chat"], links["social"], "status", "story",
                             "off")


def test_modes_are_the_three_choices():
    assert [m.value for m in CrossPostMode] == ["off", "ask", "always"]


def app_of(hub, link_id: str) -> MemberApp:
    with hub.unit_of_work() as uow:
        link = uow.links.get(link_id)
        return member_app_view(uow.member_apps.by_id(link.app_id))


def reach(hub, links) -> tuple[list[str], list[str]]:
    """What Chat is offered for a status, and where a status it posts goes."""
    chat = app_of(hub, links["chat"])
    offered = sorted(f"{d.app}:{d.type}" for d in destinations_for_app(hub, chat, "chat-ada",
                                                                        "status"))
    try:
        post = create_crosspost(hub, chat, "chat-ada", "status", encoded("PNG", (8, 8)),
                                None, None, [])
    except CrossPostNoDestination:
        return offered, []
    return offered, sorted(f"{c.destination.app}:{c.destination.type}"
                           for c in post.destinations)


def test_a_choice_whose_direction_closes_is_set_aside_and_comes_back_when_it_reopens(world):
    hub, ada, _, links = world
    set_directions(hub, ["status:status"], [])
    for destination, kinds in (("social", ("status", "story")),
                               ("social", ("status", "status"))):
        set_crosspost_choice(hub, ada, links["chat"], links[destination], *kinds, "always")
    both = ["Social:status", "Social:story"]
    assert reach(hub, links) == (both, both)
    set_directions(hub, [], ["status:story"])
    # Gone from the person's pairs, from what Chat is offered, from where a post goes;
    # and the person cannot set it while the direction is closed.
    assert ("Chat", "status", "Social", "story") not in pairs(hub, ada)
    assert reach(hub, links) == (["Social:status"], ["Social:status"])
    with pytest.raises(CrossPostPairUnavailable):
        set_crosspost_choice(hub, ada, links["chat"], links["social"], "status", "story",
                             "off")
    set_directions(hub, [], ["status:status"])
    assert reach(hub, links) == ([], [])  # nothing open: no post at all
    set_directions(hub, ["status:story", "status:status"], [])
    # Reopened: the choice the person made is theirs again, unchanged.
    assert pairs(hub, ada)[("Chat", "status", "Social", "story")] == "always"
    assert reach(hub, links) == (both, both)


def test_an_app_added_again_starts_off_whatever_its_old_account_was_set_to(world):
    hub, ada, _, links = world
    set_crosspost_choice(hub, ada, links["chat"], links["social"], "status", "story",
                         "always")
    unlink_account(hub, ada, links["social"], ORIGIN)
    with hub.unit_of_work() as uow:
        social = uow.member_apps.by_id(app_of(hub, links["social"]).id)
        link_now(uow, hub, ada, social, "social-ada")
        uow.commit()
    assert pairs(hub, ada)[("Chat", "status", "Social", "story")] == "off"
    assert reach(hub, links) == ([], [])
