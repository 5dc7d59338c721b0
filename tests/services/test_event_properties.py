"""Generated histories of declarations, links, unlinks, consents, pushes, reads, erasures
and birth-date confirmations against the real store (issue 10, point 10): no event or
answer carries anything to an app that the rules would deny — judged by this test's own
model of who is linked and who declared what, at the moment of each step — and every
flow, event or answer, has its ledger entry."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from sqlalchemy import or_, select

from accounts_center.domain.errors import AccountsCenterError
from accounts_center.domain.events import BACKCHANNEL_LOGOUT
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.origin import RequestOrigin
from accounts_center.services.ages import confirm_birth_date
from accounts_center.services.consents import set_ad_consent
from accounts_center.services.data_flows import push_data, read_data
from accounts_center.services.ledger import verify_ledger
from accounts_center.services.links import unlink_by_app
from accounts_center.services.member_apps import MemberApp, register_app
from accounts_center.services.sign_up import sign_up
from accounts_center.services.your_information import erase_app_data
from accounts_center.store.outbox_models import OutboxEventRow
from tests.support import link_now

ORIGIN = RequestOrigin("127.0.0.1", "property test")
CATEGORIES = ("device", "activity", "age", "account_details")
PURPOSES = ("cross_app_features", "security_and_integrity", "advertising")
BIRTH_DATES = ("1990-01-01", "2012-06-01", "2018-01-01")
APPS = ("a", "b", "c")
counter = itertools.count()

declarations = st.fixed_dictionaries({
    # Every app sends everything (pushes then succeed and produce events); what each
    # receives is what decides who may be told.
    name: st.fixed_dictionaries({"sends": st.just(set(CATEGORIES)),
                                 "receives": st.sets(st.sampled_from(CATEGORIES)),
                                 "ad_use": st.just(True)})
    for name in APPS})
steps = st.lists(st.one_of(
    st.tuples(st.just("link"), st.sampled_from(APPS)),
    st.tuples(st.just("unlink"), st.sampled_from(APPS)),
    st.tuples(st.just("consent"), st.sampled_from(APPS), st.booleans()),
    st.tuples(st.just("birth"), st.sampled_from(APPS), st.sampled_from(BIRTH_DATES)),
    st.tuples(st.just("push"), st.sampled_from(APPS), st.sampled_from(CATEGORIES),
              st.sampled_from(PURPOSES)),
    st.tuples(st.just("read"), st.sampled_from(APPS), st.sampled_from(CATEGORIES),
              st.sampled_from(PURPOSES)),
    st.tuples(st.just("erase"), st.sampled_from(APPS)),
    st.tuples(st.just("confirm"), st.sampled_from(BIRTH_DATES)),
), min_size=1, max_size=20)


@dataclass(frozen=True)
class Sent:
    id: str
    app_id: str
    type: str
    payload: dict


def new_events(hub, person: str, seen: set[str]) -> Iterator[Sent]:
    with hub.unit_of_work() as uow:
        rows = [Sent(r.id, r.app_id, r.type, dict(r.payload)) for r in uow.session.scalars(
            select(OutboxEventRow).where(or_(OutboxEventRow.identity_id == person,
                                             OutboxEventRow.identity_id.is_(None)))
            .order_by(OutboxEventRow.seq))]
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            yield row


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(declared=declarations, history=steps)
def test_no_history_sends_an_app_what_it_may_not_have_and_every_flow_is_ledgered(
        hub, declared, history):
    number = next(counter)
    apps: dict[str, MemberApp] = {
        name: register_app(hub, f"App{name}{number}", [f"https://{name}.example/cb"],
                           f"https://{name}.example/hooks", {
                               "sends": sorted(declared[name]["sends"]),
                               "receives": sorted(declared[name]["receives"]),
                               "ad_use": declared[name]["ad_use"]}).app
        for name in APPS}
    by_id = {app.id: name for name, app in apps.items()}
    person = sign_up(hub, f"q{number}@example.com", "correct horse battery",
                     ORIGIN).identity_id
    linked: set[str] = set()
    pushed: dict[str, set[str]] = {name: set() for name in APPS}  # categories held
    seen: set[str] = set()
    answers = 0
    # All three start linked, so that events have someone to go to.
    for step in [("link", name) for name in APPS] + history:
        kind = step[0]
        before_linked = set(linked)
        try:
            if kind == "link" and step[1] not in linked:
                with hub.unit_of_work() as uow:
                    link_now(uow, hub, person, uow.member_apps.by_id(apps[step[1]].id),
                             f"{step[1]}-{number}")
                    uow.commit()
                linked.add(step[1])
            elif kind == "unlink":
                unlink_by_app(hub, apps[step[1]].id, f"{step[1]}-{number}", ORIGIN)
                linked.discard(step[1])
            elif kind == "consent":
                set_ad_consent(hub, person, apps[step[1]].id, step[2])
            elif kind == "birth":
                push_data(hub, apps[step[1]], f"{step[1]}-{number}", "age",
                          "cross_app_features", {"birth_date": step[2]})
                pushed[step[1]].add("age")
            elif kind == "push":
                push_data(hub, apps[step[1]], f"{step[1]}-{number}", step[2], step[3],
                          {"birth_date": "2001-02-03"} if step[2] == "age" else {"v": 1})
                pushed[step[1]].add(step[2])
            elif kind == "read":
                # Every app starts linked: a read after its removal is still decided for
                # the person whose link it was, and refused (link-not-active).
                answers += 1
                read_data(hub, apps[step[1]], f"{step[1]}-{number}", step[2], step[3])
            elif kind == "erase":
                erase_app_data(hub, person, apps[step[1]].id)
                pushed[step[1]].clear()
            elif kind == "confirm":
                confirm_birth_date(hub, person, step[1])
        except AccountsCenterError:
            pass
        for event in new_events(hub, person, seen):
            receiver = by_id[event.app_id]
            receives = declared[receiver]["receives"]
            if event.type == BACKCHANNEL_LOGOUT:
                assert kind == "unlink" and receiver == step[1]
                continue
            payload = event.payload
            hypothesis_event(f"{event.type} sent")
            if event.type in ("account.linked", "account.unlinked"):
                # Only ever about the receiving app's own account.
                assert kind in ("link", "unlink") and receiver == step[1]
                assert payload["your_account"] is True
                assert payload["app"] == apps[receiver].name
                continue
            # Everything else only to an app linked at that moment.
            assert receiver in linked and receiver in before_linked
            if event.type == "age.reconciled":
                assert "age" in receives and set(payload) >= {"age_band"}
                assert "birth_date" not in payload
            elif event.type == "consent.updated":
                assert kind == "consent" and receiver == step[1]
            elif event.type == "data.erasure_requested":
                assert kind == "erase"
                assert receiver == step[1] or set(payload["categories"]) <= receives
                assert payload["categories"]
                assert not {"app", "source_app"} & set(payload)
            else:
                raise AssertionError(f"an event outside the catalogue: {event.type}")
    # Every event has its allowed ledger entry, and every allowed event entry its event.
    with hub.unit_of_work() as uow:
        entries = [(e.kind, dict(e.body)) for e in uow.ledger.entries(person)]
        outbox = {row.id for row in uow.session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.identity_id == person))}
    told = {body["event_id"] for kind, body in entries
            if kind == LedgerKind.EVENT and body["allowed"]}
    assert told == outbox
    # Every answer of the data API, allowed or refused, is a decision in the ledger.
    reads = [body for kind, body in entries
             if kind == LedgerKind.DECISION and body["direction"] == "read"]
    assert len(reads) == answers
    assert {kind for kind, _ in entries} <= {k.value for k in LedgerKind}
    assert verify_ledger(hub, person).ok
