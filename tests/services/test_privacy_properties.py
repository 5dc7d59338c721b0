"""Generated histories of link, unlink, consent, push and read against the real store
(issue 4, point 8): never-shared categories are never allowed; nothing is allowed for a
link after its removal; no advertising flow without consent current at that moment; the
ledger verifies after every history and fails for any single changed or deleted entry."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from accounts_center.domain.categories import NEVER_SHARED
from accounts_center.domain.errors import (
    FlowDenied,
    InvalidInput,
    NeverSharedCategory,
    UnknownAppUser,
)
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.consents import set_ad_consent
from accounts_center.services.data_flows import push_data, read_data
from accounts_center.services.ledger import verify_ledger
from accounts_center.services.links import unlink_by_app
from accounts_center.services.member_apps import register_app, show_app
from accounts_center.services.sign_up import sign_up
from tests.support import link_now

ORIGIN = RequestOrigin("127.0.0.1", "property test")
APPS = ("chat", "pics")
CATEGORIES = ("device", "activity", "age", "account_details", "messages", "contacts")
PURPOSES = ("cross_app_features", "security_and_integrity", "advertising")
FIELDS = {"age": {"birth_date": "2001-02-03"}}
people = itertools.count()

operations = st.lists(st.one_of(
    st.tuples(st.just("link"), st.sampled_from(APPS)),
    st.tuples(st.just("unlink"), st.sampled_from(APPS)),
    st.tuples(st.just("consent"), st.sampled_from(APPS), st.booleans()),
    st.tuples(st.sampled_from(["push", "read"]), st.sampled_from(APPS),
              st.sampled_from(CATEGORIES), st.sampled_from(PURPOSES)),
), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=operations, tamper=st.integers(min_value=0), how=st.sampled_from(
    ["change", "delete"]))
def test_no_history_breaks_the_privacy_rules_and_the_ledger_always_verifies(
        hub, history, tamper, how):
    if "apps" not in hub.memo:
        hub.memo["apps"] = {
            "chat": register_app(hub, "Chat", ["https://chat.example/cb"],
                                 "https://chat.example/hooks",
                                 {"sends": ["device", "activity"],
                                  "receives": ["device", "activity"], "ad_use": True}).app.id,
            "pics": register_app(hub, "Pics", ["https://pics.example/cb"],
                                 "https://pics.example/hooks",
                                 {"sends": ["age", "activity", "account_details"],
                                  "receives": ["activity", "age"], "ad_use": True}).app.id}
    apps = {name: show_app(hub, "Chat" if name == "chat" else "Pics") for name in APPS}
    number = next(people)
    person = sign_up(hub, f"p{number}@example.com", "correct horse battery", ORIGIN).identity_id
    linked: set[str] = set()
    consent: dict[str, bool] = {}
    # Both apps start linked, so that flows, consents and removals all get exercised.
    for operation in [("link", "chat"), ("link", "pics"), *history]:
        name = operation[1]
        app, user = apps[name], f"{name}-{number}"
        if operation[0] == "link":
            if name not in linked:
                with hub.unit_of_work() as uow:
                    row = uow.member_apps.by_id(app.id)
                    link_now(uow, hub, person, row, user)
                    uow.commit()
                linked.add(name)
        elif operation[0] == "unlink":
            unlink_by_app(hub, app.id, user, ORIGIN)
            linked.discard(name)
        elif operation[0] == "consent":
            try:
                set_ad_consent(hub, person, app.id, operation[2])
                consent[name] = operation[2]
            except InvalidInput:
                assert name not in linked
        else:
            kind, _, category, purpose = operation
            try:
                if kind == "push":
                    push_data(hub, app, user, category, purpose,
                              FIELDS.get(category, {"value": "x"}))
                else:
                    read_data(hub, app, user, category, purpose)
            except UnknownAppUser:
                assert name not in linked  # nothing flows for a removed link
                continue
            except NeverSharedCategory:
                assert category in NEVER_SHARED
                continue
            except FlowDenied as denied:
                event(f"denied: {denied.code}")
                continue
            event(f"allowed {kind} for {purpose}")
            assert name in linked and category not in NEVER_SHARED
            if purpose == "advertising":
                assert consent.get(name, False)  # consent on at this very moment
    result = verify_ledger(hub, person)
    assert result.ok
    if result.checked == 0:
        return
    seq = 1 + tamper % result.checked
    statement = ("UPDATE ledger_entries SET kind = 'forged' WHERE identity_id = :p AND seq = :s"
                 if how == "change" else
                 "DELETE FROM ledger_entries WHERE identity_id = :p AND seq = :s")
    with hub.engine.begin() as connection:
        connection.execute(text(statement), {"p": person, "s": seq})
    broken = verify_ledger(hub, person)
    assert not broken.ok and broken.first_bad_seq == seq
