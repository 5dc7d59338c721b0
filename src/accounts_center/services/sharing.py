"""The sharing gate (DESIGN §4; issue 10, point 1): every flow of a person's data to an
app — an answer of the data API, an event — and every push into the hub passes here. The
facts of every app involved are gathered in the caller's transaction, the policy decides
once, the decision goes into the person's ledger whatever it is, and only then is there an
answer or an event. Nothing else writes an event for an app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from accounts_center.domain.capabilities import Capabilities, parse_capabilities
from accounts_center.domain.categories import DataCategory, Purpose
from accounts_center.domain.events import (
    BACKCHANNEL_LOGOUT,
    CATALOGUE,
    EventType,
    SharingRule,
)
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.domain.policy import (
    CrossPostFacts,
    Decision,
    Facts,
    Flow,
    LinkFact,
    Notice,
    Reason,
    decide,
    decide_event,
)
from accounts_center.hub import Hub
from accounts_center.services.ledger import append_entry
from accounts_center.services.receipts import app_receipt
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE
from accounts_center.store.models import MemberAppRow
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Party:
    """An app a flow touches: what it declared, and the person's link to it (if any)."""

    app_id: str
    name: str
    client_id: str
    subject_salt: str
    sends: frozenset[str]
    receives: frozenset[str]
    link: LinkedAccountRow | None
    backchannel_logout_uri: str | None = None

    @property
    def linked(self) -> bool:
        return self.link is not None and self.link.status == ACTIVE


def party(app: MemberAppRow | Any, link: LinkedAccountRow | None) -> Party:
    """``app``: a `MemberAppRow` or the `MemberApp` view of one."""
    declared: Capabilities = (app.capabilities if isinstance(app.capabilities, Capabilities)
                              else parse_capabilities(app.capabilities))
    receives = {c.value for c in declared.receives}
    if declared.creations:
        # Declaring `creations` is declaring that the app takes the person's creations.
        receives.add(DataCategory.CREATIONS.value)
    return Party(app.id, app.name, app.client_id, app.subject_salt,
                 frozenset(c.value for c in declared.sends), frozenset(receives), link,
                 app.backchannel_logout_uri)


def facts_for(uow: UnitOfWork, parties: Iterable[Party], identity_id: str, purpose: str,
              *, ad_app: str | None = None) -> Facts:
    """The facts of every app a flow touches, read now in the caller's transaction. The
    ad consent is read only for an advertising flow (of the app that would use it)."""
    parties = list(parties)
    return Facts(
        links={p.app_id: LinkFact(p.app_id, p.link.identity_id, p.link.status == ACTIVE)
               for p in parties if p.link is not None},
        sends={p.app_id: p.sends for p in parties},
        receives={p.app_id: p.receives for p in parties},
        ad_consent=(purpose == Purpose.ADVERTISING and ad_app is not None
                    and uow.consents.granted(identity_id, ad_app)))


# --- the data API: an app pushes into the hub, or reads --------------------------------
def decide_flow(uow: UnitOfWork, flow: Flow, app: Party) -> Decision:
    return decide(flow, facts_for(uow, [app], flow.identity_id, flow.purpose,
                                  ad_app=app.app_id))


def record_flow(uow: UnitOfWork, hub: Hub, flow: Flow, app: Party, decision: Decision,
                direction: str, now: datetime, values: Mapping[str, Any] | None) -> None:
    """The decision into the person's ledger. Values are kept as digests only, and not
    even that for anything that names never-shared data or a category the hub does not
    know (it could be never-shared data under another name)."""
    body = {"direction": direction, "app_id": app.app_id, "app": app.name,
            "category": flow.category[:64], "purpose": flow.purpose[:64],
            "allowed": decision.allowed, "reason": decision.reason.value}
    keep = values if decision.reason not in (Reason.NEVER_SHARED,
                                             Reason.UNKNOWN_CATEGORY) else None
    append_entry(uow, hub, flow.identity_id, LedgerKind.DECISION, body, now,
                 values=keep or None)


# --- events -----------------------------------------------------------------------------
def send_event(uow: UnitOfWork, hub: Hub, event: EventType, receiver: Party,
               identity_id: str, *, concerns: Party | None, data: Mapping[str, Any],
               now: datetime, categories: Sequence[str] = (),
               crosspost: CrossPostFacts | None = None,
               holds_copy: bool = False, deletion_asked: bool = False) -> Decision:
    """One event for one app about one person, decided, ledgered, and written to the
    outbox in the change's own transaction only when allowed. ``concerns``: the app whose
    link, consent or data the event is about (none for the person's own data, e.g. age);
    for a cross-post's copy, the source app, whose link the decision reads too.
    ``holds_copy``: the receiver was sent a copy of the cross-post the event is about;
    ``deletion_asked``: the person asked in the console that it delete that copy."""
    spec = CATALOGUE[event]
    payload = spec.payload(data)
    notice = Notice(event.value, receiver.app_id, identity_id,
                    concerns.app_id if concerns else "", tuple(categories))
    involved = [receiver] + ([concerns] if crosspost is not None and concerns else [])
    facts = facts_for(uow, involved, identity_id, spec.purpose)
    if crosspost is not None or holds_copy:
        facts = replace(facts, crosspost=crosspost, holds_copy=holds_copy,
                        deletion_asked=deletion_asked)
    decision = decide_event(notice, facts)
    event_id = hub.new_id() if decision.allowed else None
    body = {"event": event.value, "app_id": receiver.app_id, "app": receiver.name,
            "about_app": concerns.name if concerns else None,
            "category": (spec.carries.value if spec.carries
                         else categories[0] if spec.rule is SharingRule.FIELD_CATEGORY
                         and categories else None),
            "purpose": spec.purpose.value, "allowed": decision.allowed,
            "reason": decision.reason.value, "event_id": event_id}
    appended = append_entry(uow, hub, identity_id, LedgerKind.EVENT, body, now,
                            values=payload if decision.allowed else None)
    if event_id is None:
        return decision
    assert receiver.link is not None
    sub = pairwise_subject(receiver.subject_salt, identity_id)
    receipt = app_receipt(hub, uow, appended.entry.seq, appended.entry.hash,
                          receiver.client_id, sub, now)
    uow.outbox.add(OutboxEventRow(
        id=event_id, app_id=receiver.app_id, identity_id=identity_id, type=event.value,
        payload={"sub": sub, "app_user_id": receiver.link.app_user_id, **payload,
                 "occurred_at": now.isoformat(), "ledger_receipt": receipt},
        created_at=now))
    if event is EventType.ACCOUNT_UNLINKED and concerns is not None \
            and receiver.app_id == concerns.app_id and receiver.backchannel_logout_uri:
        # Not ordered with the person's webhooks (no identity on the row): a logout must
        # neither wait behind an event nor hold one up.
        uow.outbox.add(OutboxEventRow(
            id=hub.new_id(), app_id=receiver.app_id, identity_id=None,
            type=BACKCHANNEL_LOGOUT, payload={"sub": sub}, created_at=now))
    return decision


def linked_parties(uow: UnitOfWork, identity_id: str) -> list[Party]:
    """The person's apps with an active link, oldest link first."""
    links = uow.links.active_of_identity(identity_id)
    apps = uow.member_apps.by_ids({link.app_id for link in links})
    return [party(apps[link.app_id], link) for link in links if link.app_id in apps]


def tell_linked_apps(uow: UnitOfWork, hub: Hub, event: EventType, identity_id: str, *,
                     concerns: Party | None, now: datetime,
                     data_for: Callable[[Party], Mapping[str, Any]],
                     categories_for: Callable[[Party], Sequence[str]] = lambda _: (),
                     also: Sequence[Party] = ()) -> list[Decision]:
    """The event for each of the person's linked apps (and ``also``), each decided on its
    own: who may not hear it gets a denied entry in the ledger, nothing else."""
    named = {party.app_id for party in also}
    receivers = list(also) + [p for p in linked_parties(uow, identity_id)
                              if p.app_id not in named]
    return [send_event(uow, hub, event, receiver, identity_id, concerns=concerns,
                       data=data_for(receiver), now=now,
                       categories=categories_for(receiver)) for receiver in receivers]

