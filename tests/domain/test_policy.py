"""The policy decision point, over generated histories of link, unlink, consent, push and
read (SECURITY-CHECKLIST 39-42)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from accounts_center.domain.categories import NEVER_SHARED, DataCategory, Purpose
from accounts_center.domain.policy import (
    ALLOWED_PURPOSES,
    HUB,
    Facts,
    Flow,
    LinkFact,
    Reason,
    decide,
)

APPS = ("chat", "pics", "clips")
PEOPLE = ("ada", "bob")
CATEGORIES = [c.value for c in DataCategory] + sorted(NEVER_SHARED) + ["diary"]
PURPOSES = [p.value for p in Purpose] + ["resale"]
EVERYTHING = frozenset(CATEGORIES)


@dataclass
class World:
    """Links (app → person, active?), what each app declared, and ad consent."""

    links: dict[str, LinkFact] = field(default_factory=dict)
    consent: set[tuple[str, str]] = field(default_factory=set)  # (person, app)

    def facts(self, person: str, destination: str) -> Facts:
        return Facts(links=dict(self.links), sends={a: EVERYTHING for a in APPS},
                     receives={a: EVERYTHING for a in APPS},
                     ad_consent=(person, destination) in self.consent)


operations = st.lists(st.one_of(
    st.tuples(st.just("link"), st.sampled_from(APPS), st.sampled_from(PEOPLE)),
    st.tuples(st.just("unlink"), st.sampled_from(APPS)),
    st.tuples(st.just("consent"), st.sampled_from(PEOPLE), st.sampled_from(APPS),
              st.booleans()),
    st.tuples(st.just("flow"), st.sampled_from((HUB, *APPS)), st.sampled_from((HUB, *APPS)),
              st.sampled_from(PEOPLE), st.sampled_from(CATEGORIES),
              st.sampled_from(PURPOSES)),
), max_size=60)


@settings(max_examples=300)
@given(operations)
def test_no_history_lets_a_forbidden_flow_through(history):
    world = World()
    removed: set[str] = set()
    for operation in history:
        if operation[0] == "link":
            _, app, person = operation
            world.links[app] = LinkFact(app, person, True)
            removed.discard(app)
        elif operation[0] == "unlink":
            _, app = operation
            if app in world.links:
                world.links[app] = LinkFact(app, world.links[app].identity_id, False)
                removed.add(app)
        elif operation[0] == "consent":
            _, person, app, on = operation
            (world.consent.add if on else world.consent.discard)((person, app))
        else:
            _, source, destination, person, category, purpose = operation
            flow = Flow(source, destination, person, category, purpose)
            decision = decide(flow, world.facts(person, destination))
            assert decision.allowed == (decision.reason is Reason.ALLOWED)
            if not decision.allowed:
                continue
            assert category not in NEVER_SHARED
            assert source not in removed and destination not in removed
            for app in (source, destination):
                if app != HUB:
                    assert world.links[app].active and world.links[app].identity_id == person
            assert Purpose(purpose) in ALLOWED_PURPOSES[DataCategory(category)]
            if purpose == Purpose.ADVERTISING:
                assert (person, destination) in world.consent


def linked(*apps: str, person: str = "ada", active: bool = True) -> dict[str, LinkFact]:
    return {app: LinkFact(app, person, active) for app in apps}


def facts(links, *, sends=None, receives=None, ad_consent=False) -> Facts:
    return Facts(links, sends or {"chat": frozenset({"device", "activity", "age"})},
                 receives or {"pics": frozenset({"device", "activity", "account_details"})},
                 ad_consent)


def test_each_rule_names_itself_as_the_reason():
    ok = facts(linked("chat", "pics"))
    assert decide(Flow("chat", HUB, "ada", "device", "security_and_integrity"),
                  ok).allowed
    cases = {
        Reason.NEVER_SHARED: (Flow("chat", HUB, "ada", "contacts", "cross_app_features"), ok),
        Reason.UNKNOWN_CATEGORY: (Flow("chat", HUB, "ada", "diary", "cross_app_features"),
                                  ok),
        Reason.UNKNOWN_PURPOSE: (Flow("chat", HUB, "ada", "device", "resale"), ok),
        Reason.LINK_NOT_ACTIVE: (Flow("chat", HUB, "ada", "device", "security_and_integrity"),
                                 facts(linked("chat", active=False))),
        Reason.DIFFERENT_PERSON: (Flow("chat", HUB, "bob", "device",
                                       "security_and_integrity"), ok),
        Reason.SENDER_NOT_DECLARED: (Flow("chat", HUB, "ada", "account_details",
                                          "cross_app_features"), ok),
        Reason.RECEIVER_NOT_DECLARED: (Flow(HUB, "pics", "ada", "age",
                                            "cross_app_features"), ok),
        Reason.PURPOSE_NOT_ALLOWED: (Flow("chat", HUB, "ada", "age", "advertising"), ok),
        Reason.NO_AD_CONSENT: (Flow(HUB, "pics", "ada", "activity", "advertising"), ok),
    }
    for reason, (flow, given_facts) in cases.items():
        decision = decide(flow, given_facts)
        assert (decision.allowed, decision.reason) == (False, reason), reason
    with_consent = facts(linked("chat", "pics"), ad_consent=True)
    assert decide(Flow(HUB, "pics", "ada", "activity", "advertising"), with_consent).allowed


def test_never_shared_categories_win_over_any_declaration_or_consent():
    everything = {app: frozenset(CATEGORIES) for app in APPS}
    generous = Facts(linked(*APPS), everything, everything, ad_consent=True)
    for category in NEVER_SHARED:
        for purpose in Purpose:
            decision = decide(Flow("chat", "pics", "ada", category, purpose.value), generous)
            assert decision.reason is Reason.NEVER_SHARED


def test_an_apps_own_account_claims_are_its_pairwise_sub_and_its_own_user_id_only():
    from accounts_center.domain.policy import own_account_claims

    assert own_account_claims("pairwise-sub", "chat-user-1") == {
        "sub": "pairwise-sub", "app_user_id": "chat-user-1"}
