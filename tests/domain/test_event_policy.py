"""Who may be told what (issue 10, point 1): the rules of `decide_event`, one by one and
over generated worlds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from accounts_center.domain.categories import DataCategory
from accounts_center.domain.events import CATALOGUE, EventType, SharingRule
from accounts_center.domain.policy import Facts, LinkFact, Notice, Reason, decide_event

EVERYTHING = frozenset(c.value for c in DataCategory)


def facts(*links: LinkFact, receives: dict[str, frozenset[str]] | None = None) -> Facts:
    apps = {link.app_id for link in links}
    return Facts(links={link.app_id: link for link in links},
                 sends={app: EVERYTHING for app in apps},
                 receives=receives if receives is not None else
                 {app: EVERYTHING for app in apps})


CHAT = LinkFact("chat", "ada", True)
PICS = LinkFact("pics", "ada", True)


def test_an_app_is_told_of_its_own_link_even_once_it_is_removed():
    for event in (EventType.ACCOUNT_LINKED, EventType.ACCOUNT_UNLINKED):
        assert decide_event(Notice(event, "chat", "ada", "chat"), facts(CHAT)).allowed
    removed = LinkFact("chat", "ada", False)
    assert decide_event(Notice(EventType.ACCOUNT_UNLINKED, "chat", "ada", "chat"),
                        facts(removed)).allowed


def test_no_app_is_told_that_the_person_added_or_removed_another_app():
    for event in (EventType.ACCOUNT_LINKED, EventType.ACCOUNT_UNLINKED):
        decision = decide_event(Notice(event, "chat", "ada", "pics"), facts(CHAT, PICS))
        assert not decision.allowed and decision.reason is Reason.ABOUT_ANOTHER_APP


def test_a_consent_reaches_only_the_app_it_is_for_while_it_is_linked():
    assert decide_event(Notice(EventType.CONSENT_UPDATED, "pics", "ada", "pics"),
                        facts(PICS)).allowed
    other = decide_event(Notice(EventType.CONSENT_UPDATED, "chat", "ada", "pics"),
                         facts(CHAT, PICS))
    assert other.reason is Reason.ABOUT_ANOTHER_APP
    gone = decide_event(Notice(EventType.CONSENT_UPDATED, "pics", "ada", "pics"),
                        facts(LinkFact("pics", "ada", False)))
    assert gone.reason is Reason.LINK_NOT_ACTIVE


def test_the_age_band_reaches_only_apps_that_declared_they_receive_age():
    declared = facts(CHAT, PICS, receives={"chat": frozenset({"device"}),
                                           "pics": frozenset({"age"})})
    assert decide_event(Notice(EventType.AGE_RECONCILED, "pics", "ada", ""), declared).allowed
    chat = decide_event(Notice(EventType.AGE_RECONCILED, "chat", "ada", ""), declared)
    assert chat.reason is Reason.RECEIVER_NOT_DECLARED


def test_an_erasure_reaches_the_source_and_apps_that_receive_what_was_erased():
    declared = facts(CHAT, PICS, receives={"chat": frozenset(), "pics": frozenset({"device"})})
    assert decide_event(Notice(EventType.DATA_ERASURE_REQUESTED, "chat", "ada", "chat",
                               ("device",)), declared).allowed
    assert decide_event(Notice(EventType.DATA_ERASURE_REQUESTED, "pics", "ada", "chat",
                               ("device",)), declared).allowed
    none_received = decide_event(Notice(EventType.DATA_ERASURE_REQUESTED, "pics", "ada",
                                        "chat", ()), declared)
    assert none_received.reason is Reason.RECEIVER_NOT_DECLARED
    messages = decide_event(Notice(EventType.DATA_ERASURE_REQUESTED, "pics", "ada", "chat",
                                   ("messages",)), declared)
    assert messages.reason is Reason.NEVER_SHARED


def test_a_profile_field_reaches_only_apps_that_receive_its_category():
    declared = facts(CHAT, PICS, receives={"chat": frozenset({"account_details"}),
                                           "pics": frozenset({"profile_photo"})})
    name = ("account_details",)
    assert decide_event(Notice(EventType.PROFILE_UPDATED, "chat", "ada", "", name),
                        declared).allowed
    pics = decide_event(Notice(EventType.PROFILE_UPDATED, "pics", "ada", "", name), declared)
    assert pics.reason is Reason.RECEIVER_NOT_DECLARED
    # One field, one category: a notice naming none or several is refused.
    for categories in ((), ("account_details", "profile_photo")):
        assert not decide_event(Notice(EventType.PROFILE_UPDATED, "chat", "ada", "",
                                       categories), declared).allowed


def test_unknown_events_other_people_and_unlinked_apps_are_refused():
    assert decide_event(Notice("contacts.synced", "chat", "ada", "chat"),
                        facts(CHAT)).reason is Reason.UNKNOWN_EVENT
    assert decide_event(Notice(EventType.ACCOUNT_LINKED, "chat", "bob", "chat"),
                        facts(CHAT)).reason is Reason.DIFFERENT_PERSON
    assert decide_event(Notice(EventType.AGE_RECONCILED, "clips", "ada", ""),
                        facts(CHAT)).reason is Reason.LINK_NOT_ACTIVE


APPS = ("chat", "pics", "clips")
worlds = st.fixed_dictionaries({
    "links": st.dictionaries(st.sampled_from(APPS), st.tuples(
        st.sampled_from(["ada", "bob"]), st.booleans())),
    "receives": st.fixed_dictionaries({app: st.frozensets(st.sampled_from(
        sorted(EVERYTHING | {"messages"}))) for app in APPS}),
})


@given(world=worlds, event=st.sampled_from(list(EventType)),
       receiver=st.sampled_from(APPS), concerns=st.sampled_from(APPS),
       categories=st.lists(st.sampled_from(sorted(EVERYTHING)), max_size=3))
def test_no_world_lets_an_event_carry_what_the_receiver_may_not_have(
        world, event, receiver, concerns, categories):
    links = {app: LinkFact(app, person, active)
             for app, (person, active) in world["links"].items()}
    decision = decide_event(Notice(event, receiver, "ada", concerns, tuple(categories)),
                            Facts(links=links, sends={}, receives=world["receives"]))
    if not decision.allowed:
        return
    link = links[receiver]
    assert link.identity_id == "ada"
    spec = CATALOGUE[event]
    if spec.rule is SharingRule.OWN_LINK:
        assert concerns == receiver  # never another app's link
    else:
        assert link.active  # nothing after removal but the notice of the removal itself
    if spec.rule is SharingRule.OWN_CONSENT:
        assert concerns == receiver
    if spec.carries is not None:
        assert spec.carries.value in world["receives"][receiver]
    if spec.rule is SharingRule.ERASURE and concerns != receiver:
        assert categories and set(categories) <= world["receives"][receiver]
    if spec.rule is SharingRule.FIELD_CATEGORY:
        assert len(categories) == 1 and categories[0] in world["receives"][receiver]


def test_a_producer_cannot_add_or_forget_a_field():
    import pytest

    spec = CATALOGUE[EventType.AGE_RECONCILED]
    assert spec.payload({"age_band": "18_plus"}) == {"age_band": "18_plus"}
    for wrong in ({}, {"age_band": "18_plus", "birth_date": "2000-01-01"}):
        with pytest.raises(ValueError, match="carries exactly age_band"):
            spec.payload(wrong)
