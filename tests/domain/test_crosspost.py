"""Cross-post routing (issue 14, points 1 and 2): the operator's direction matrix, the
pairs a person's apps could use, the bounds of a post, and the gate's rule for one copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.crosspost import (
    CAPTION_MAX,
    DEFAULT_OPEN,
    MAX_LIFETIME,
    CrossPostMode,
    DirectionMatrix,
    check_caption,
    check_expiry,
    open_pairs,
    parse_direction,
    parse_mode,
)
from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.policy import (
    HUB,
    CrossPostFacts,
    Facts,
    Flow,
    LinkFact,
    Notice,
    Reason,
    decide_crosspost,
    decide_event,
)

S, T, P, PH = (CrossPostType.STATUS, CrossPostType.STORY, CrossPostType.POST,
               CrossPostType.PHOTO)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TYPES = st.sampled_from(list(CrossPostType))


def test_status_to_story_is_open_and_story_to_status_closed_by_default():
    matrix = DirectionMatrix()
    assert matrix.allows(S, T)
    assert not matrix.allows(T, S)
    assert [pair for pair in product(CrossPostType, repeat=2) if matrix.allows(*pair)] == [
        (S, T)]


@given(TYPES, TYPES, st.booleans())
def test_any_pair_can_be_opened_or_closed_and_only_that_pair_changes(source, dest, allowed):
    changed = DirectionMatrix().with_override((source, dest), allowed)
    assert changed.allows(source, dest) is allowed
    for other in product(CrossPostType, repeat=2):
        if other != (source, dest):
            assert changed.allows(*other) is (other in DEFAULT_OPEN)


@given(st.lists(st.tuples(TYPES, TYPES, st.booleans()), max_size=12))
def test_the_last_word_on_a_pair_holds_and_the_others_keep_their_default(changes):
    """Closing and reopening in any order: reopening a pair restores it, and a pair the
    operator never named keeps its default."""
    matrix = DirectionMatrix()
    for source, destination, allowed in changes:
        matrix = matrix.with_override((source, destination), allowed)
    last = {(source, destination): allowed for source, destination, allowed in changes}
    for pair in product(CrossPostType, repeat=2):
        assert matrix.allows(*pair) is last.get(pair, pair in DEFAULT_OPEN)


@pytest.mark.parametrize("text, expected", [("status:story", (S, T)),
                                            (" Story:STATUS ", (T, S)),
                                            ("post:post", (P, P))])
def test_a_direction_is_written_source_colon_destination(text, expected):
    assert parse_direction(text) == expected


@pytest.mark.parametrize("text", ["status", "status:", ":story", "status:reel",
                                  "status-story", "status:story:post", ""])
def test_a_bad_direction_is_refused_naming_it(text):
    with pytest.raises(InvalidInput) as refused:
        parse_direction(text)
    assert repr(text) in refused.value.detail


def test_pairs_are_the_declared_types_in_open_directions():
    matrix = DirectionMatrix().with_override((S, P), True)
    assert open_pairs({S}, {T, P, PH}, matrix) == sorted([(S, T), (S, P)])
    assert open_pairs({T}, {S}, DirectionMatrix()) == []  # the reverse: closed
    assert open_pairs(set(), {T}, matrix) == [] and open_pairs({S}, set(), matrix) == []


def test_the_modes_are_off_ask_and_always_and_nothing_else():
    assert [parse_mode(m) for m in ("off", "ask", "always")] == list(CrossPostMode)
    with pytest.raises(InvalidInput):
        parse_mode("sometimes")


def test_a_caption_is_bounded_and_has_no_control_characters():
    assert check_caption(None) == ""
    assert check_caption("Sunset\nat the beach") == "Sunset\nat the beach"
    assert check_caption("x" * CAPTION_MAX) == "x" * CAPTION_MAX
    for bad in ("x" * (CAPTION_MAX + 1), "bell\x07", "nul\x00", "del\x7f"):
        with pytest.raises(InvalidInput) as refused:
            check_caption(bad)
        assert refused.value.field == "caption"


def test_an_expiry_is_in_the_future_within_the_bound_with_a_zone():
    assert check_expiry(None, NOW) is None
    assert check_expiry("2026-11-28T12:00:00Z", NOW) == NOW + timedelta(days=1)
    assert check_expiry((NOW + MAX_LIFETIME).isoformat(), NOW) == NOW + MAX_LIFETIME
    for bad in (NOW.isoformat(), (NOW - timedelta(seconds=1)).isoformat(),
                (NOW + MAX_LIFETIME + timedelta(seconds=1)).isoformat(),
                "2026-11-28T12:00:00", "tomorrow"):
        with pytest.raises(InvalidInput) as refused:
            check_expiry(bad, NOW)
        assert refused.value.field == "expires_at"


# --- the gate's rule for one copy ------------------------------------------------------
def copy_facts(**changes) -> Facts:
    post = dict(source_type="status", destination_type="story",
                source_declares=frozenset({"status"}),
                destination_declares=frozenset({"story"}), direction_open=True,
                mode="always", picked=False)
    links = {"chat": LinkFact("chat", "ada", True), "pics": LinkFact("pics", "ada", True)}
    links.update(changes.pop("links", {}))
    post.update(changes)
    return Facts(links=links, sends={}, receives={}, crosspost=CrossPostFacts(**post))


COPY = Flow("chat", "pics", "ada", "activity", "cross_app_features")


def test_a_copy_to_an_always_destination_is_allowed():
    assert decide_crosspost(COPY, copy_facts()).allowed


@pytest.mark.parametrize("changes, reason", [
    ({"mode": "off"}, Reason.CROSSPOST_OFF),
    ({"mode": "ask"}, Reason.NOT_PICKED),
    ({"mode": "sometimes"}, Reason.CROSSPOST_OFF),
    ({"direction_open": False}, Reason.DIRECTION_CLOSED),
    ({"source_declares": frozenset({"story"})}, Reason.SOURCE_TYPE_NOT_DECLARED),
    ({"destination_declares": frozenset({"post"})}, Reason.DESTINATION_TYPE_NOT_DECLARED),
    ({"links": {"pics": LinkFact("pics", "ada", False)}}, Reason.LINK_NOT_ACTIVE),
    ({"links": {"chat": LinkFact("chat", "ada", False)}}, Reason.LINK_NOT_ACTIVE),
    ({"links": {"pics": LinkFact("pics", "bob", True)}}, Reason.DIFFERENT_PERSON),
])
def test_a_copy_is_refused_for_each_missing_condition(changes, reason):
    decision = decide_crosspost(COPY, copy_facts(**changes))
    assert (decision.allowed, decision.reason) == (False, reason)


def test_an_ask_destination_the_person_picked_is_allowed():
    assert decide_crosspost(COPY, copy_facts(mode="ask", picked=True)).allowed


@pytest.mark.parametrize("flow", [
    Flow("chat", "pics", "ada", "contacts", "cross_app_features"),
    Flow("chat", "pics", "ada", "activity", "advertising"),
    Flow("chat", HUB, "ada", "activity", "cross_app_features"),
    Flow("chat", "chat", "ada", "activity", "cross_app_features"),
])
def test_a_copy_is_only_activity_between_two_apps_for_cross_app_features(flow):
    assert not decide_crosspost(flow, copy_facts()).allowed


def test_without_cross_post_facts_nothing_is_allowed():
    facts = copy_facts()
    bare = Facts(links=facts.links, sends={}, receives={})
    assert not decide_crosspost(COPY, bare).allowed


@given(st.sampled_from(["off", "ask", "always"]), st.booleans(), st.booleans(),
       st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_a_copy_is_allowed_exactly_when_every_condition_holds(
        mode, picked, open_, source_declared, destination_declared, source_active,
        destination_active):
    facts = copy_facts(
        mode=mode, picked=picked, direction_open=open_,
        source_declares=frozenset({"status"} if source_declared else set()),
        destination_declares=frozenset({"story"} if destination_declared else set()),
        links={"chat": LinkFact("chat", "ada", source_active),
               "pics": LinkFact("pics", "ada", destination_active)})
    expected = (open_ and source_declared and destination_declared and source_active
                and destination_active and (mode == "always" or (mode == "ask" and picked)))
    assert decide_crosspost(COPY, facts).allowed is expected


@pytest.mark.parametrize("event", ["crosspost.deleted", "crosspost.expired"])
@pytest.mark.parametrize("holds_copy, active, person, reason", [
    (True, True, "ada", Reason.ALLOWED), (False, True, "ada", Reason.ABOUT_ANOTHER_APP),
    (True, False, "ada", Reason.LINK_NOT_ACTIVE),
    (True, True, "bob", Reason.DIFFERENT_PERSON)])
def test_a_post_s_end_is_told_only_to_an_added_app_that_holds_a_copy(
        event, holds_copy, active, person, reason):
    facts = Facts(links={"pics": LinkFact("pics", person, active)}, sends={}, receives={},
                  holds_copy=holds_copy)
    notice = Notice(event, "pics", "ada", "chat")
    assert decide_event(notice, facts).reason is reason


@pytest.mark.parametrize("receiver, active, reason", [
    ("chat", True, Reason.ALLOWED),  # the post's own app hears its post was deleted
    ("chat", False, Reason.LINK_NOT_ACTIVE),  # unless the person removed it
    ("social", True, Reason.ABOUT_ANOTHER_APP)])  # another app with no copy: never
def test_the_source_app_hears_of_its_own_post_being_deleted(receiver, active, reason):
    facts = Facts(links={receiver: LinkFact(receiver, "ada", active)}, sends={},
                  receives={})
    notice = Notice("crosspost.deleted", receiver, "ada", "chat")
    assert decide_event(notice, facts).reason is reason


@pytest.mark.parametrize("event, holds_copy, asked, same_person, allowed", [
    ("crosspost.deleted", True, True, True, True),
    ("crosspost.deleted", True, False, True, False),  # the source or the sweep: not told
    ("crosspost.deleted", False, True, True, False),  # it holds no copy
    ("crosspost.expired", True, True, True, False),  # only a deletion can be asked for
    ("crosspost.created", True, True, True, False),  # nothing new reaches a removed app
    ("crosspost.deleted", True, True, False, False),  # another person's link
])
def test_a_removed_app_hears_only_the_deletion_the_person_asked_for(event, holds_copy,
                                                                    asked, same_person,
                                                                    allowed):
    facts = Facts(links={"pics": LinkFact("pics", "ada" if same_person else "bob", False)},
                  sends={}, receives={}, holds_copy=holds_copy, deletion_asked=asked)
    decision = decide_event(Notice(event, "pics", "ada", "chat"), facts)
    assert decision.allowed is allowed
