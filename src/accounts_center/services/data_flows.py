"""Apps pushing their users' data into the hub and reading a linked person's data, each
request one decision of the sharing gate, ledgered whatever it is (DESIGN §4.6;
CHECKLIST 24, 39-42)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts_center.domain.age import parse_birth_date
from accounts_center.domain.categories import NEVER_SHARED, DataCategory, names_never_shared
from accounts_center.domain.errors import (
    FlowDenied,
    InvalidInput,
    NeverSharedCategory,
    UnknownAppUser,
)
from accounts_center.domain.policy import HUB, Decision, Flow, Reason
from accounts_center.hub import Hub
from accounts_center.services.ages import announce_if_changed, current_band
from accounts_center.services.member_apps import MemberApp
from accounts_center.services.sharing import decide_flow, party, record_flow
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE
from accounts_center.store.privacy_models import SharedDataRow
from accounts_center.store.unit_of_work import UnitOfWork

MAX_FIELDS = 50
MAX_FIELD_NAME = 64
MAX_TEXT = 2000
READ_LIMIT = 50

_REASON_TEXT = {
    Reason.NEVER_SHARED: "Messages, calls and contacts are never shared, with any app, "
                         "for any purpose.",
    Reason.UNKNOWN_CATEGORY: "This is not a data category the hub knows.",
    Reason.UNKNOWN_PURPOSE: "This is not a purpose the hub knows.",
    Reason.LINK_NOT_ACTIVE: "The person's account of this app is not linked.",
    Reason.DIFFERENT_PERSON: "The accounts involved belong to different people.",
    Reason.SENDER_NOT_DECLARED: "The app did not declare that it sends this category.",
    Reason.RECEIVER_NOT_DECLARED: "The app did not declare that it receives this category.",
    Reason.PURPOSE_NOT_ALLOWED: "This category may not be used for this purpose.",
    Reason.NO_AD_CONSENT: "The person has not allowed this app to use their data for "
                          "advertising.",
    Reason.HUB_DOES_NOT_ACCEPT: "Accounts Center does not take this category from apps.",
}


@dataclass(frozen=True)
class ReadResult:
    category: str
    purpose: str
    items: list[dict[str, Any]]


def checked_fields(fields: object) -> dict[str, Any]:
    """A flat JSON object of at most 50 named scalar fields."""
    if not isinstance(fields, Mapping) or not fields:
        raise InvalidInput("fields must be a non-empty object", field="fields")
    if len(fields) > MAX_FIELDS:
        raise InvalidInput(f"at most {MAX_FIELDS} fields", field="fields")
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not 0 < len(name) <= MAX_FIELD_NAME \
                or "\x00" in name:
            raise InvalidInput(f"field names are 1 to {MAX_FIELD_NAME} characters",
                               field="fields")
        if isinstance(value, str):
            if len(value) > MAX_TEXT or "\x00" in value:
                raise InvalidInput(f"{name}: text of at most {MAX_TEXT} characters",
                                   field=f"fields.{name}")
        elif not (value is None or isinstance(value, bool | int | float)):
            raise InvalidInput(f"{name}: a field holds text, a number, true/false or null",
                               field=f"fields.{name}")
        clean[name] = value
    return clean


def _linked(uow: UnitOfWork, app: MemberApp, app_user_id: str) -> LinkedAccountRow:
    """The user's active link; or, once the person removed it, that removed link, so the
    person's ledger shows the app still asking (the policy denies it: link-not-active)."""
    link = (uow.links.active_for_app_user(app.id, app_user_id)
            or uow.links.latest_removed_for_app_user(app.id, app_user_id))
    if link is None:
        raise _unknown_app_user()
    return link


def _unknown_app_user() -> UnknownAppUser:
    return UnknownAppUser("This app has no linked account with that user id.")


def _refuse(decision: Decision, category: str, fields: tuple[str, ...],
            link: LinkedAccountRow) -> None:
    if link.status != ACTIVE:
        # The same answer as for a user never linked: what was refused is in the person's
        # ledger, and the app learns nothing from how it is refused.
        raise _unknown_app_user()
    if decision.reason is Reason.NEVER_SHARED:
        named = next((name for name in fields if names_never_shared(name)), None)
        if named is not None and category not in NEVER_SHARED \
                and not names_never_shared(category):
            raise NeverSharedCategory(f"fields.{named}: this names messages, calls or "
                                      "contacts. " + _REASON_TEXT[Reason.NEVER_SHARED],
                                      field=f"fields.{named}")
        raise NeverSharedCategory(f"{category}: {_REASON_TEXT[Reason.NEVER_SHARED]}",
                                  field="category")
    if decision.reason in (Reason.UNKNOWN_CATEGORY, Reason.UNKNOWN_PURPOSE):
        raise InvalidInput(_REASON_TEXT[decision.reason],
                           field="category" if decision.reason is Reason.UNKNOWN_CATEGORY
                           else "purpose")
    raise FlowDenied(decision.reason.value, _REASON_TEXT[decision.reason])


def push_data(hub: Hub, app: MemberApp, app_user_id: str, category: str, purpose: str,
              fields: object) -> None:
    """One push of ``category`` data about the app's user into the hub."""
    now = hub.clock.now()
    values = checked_fields(fields) if not names_never_shared(category) else {}
    if category == DataCategory.AGE and not any(map(names_never_shared, values)):
        parse_birth_date(values.get("birth_date"))
    with hub.unit_of_work() as uow:
        link = _linked(uow, app, app_user_id)
        decision = push_in(uow, hub, app, link, category, purpose, values, now)
        uow.commit()
    if not decision.allowed:
        _refuse(decision, category, tuple(values), link)


def push_in(uow: UnitOfWork, hub: Hub, app: MemberApp, link: LinkedAccountRow,
            category: str, purpose: str, values: dict[str, Any], now: datetime) -> Decision:
    """A push inside the caller's transaction (the data API, or a link that brings a birth
    date): decided, stored when allowed, ledgered either way."""
    flow = Flow(app.id, HUB, link.identity_id, category, purpose, tuple(values))
    sender = party(app, link)
    decision = decide_flow(uow, flow, sender)
    if decision.allowed:
        band_before = (current_band(uow, link.identity_id, now.date())
                       if category == DataCategory.AGE else None)
        uow.shared_data.add(SharedDataRow(
            id=hub.new_id(), identity_id=link.identity_id, app_id=app.id,
            category=category, fields=values, received_at=now))
        uow.session.flush()
        if category == DataCategory.AGE:
            announce_if_changed(uow, hub, link.identity_id, band_before, now)
    # Last before the commit: the person's ledger head stays locked for the shortest
    # time (appends for one person take turns).
    record_flow(uow, hub, flow, sender, decision, "push", now, values)
    return decision


def read_data(hub: Hub, app: MemberApp, app_user_id: str, category: str,
              purpose: str) -> ReadResult:
    """What the hub holds of a linked person's ``category`` data, for ``purpose``."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = _linked(uow, app, app_user_id)
        flow = Flow(HUB, app.id, link.identity_id, category, purpose)
        reader = party(app, link)
        decision = decide_flow(uow, flow, reader)
        items: list[dict[str, Any]] = []
        if decision.allowed:
            items = _items(uow, link.identity_id, category, now)
        # What was handed over: its field names, and one digest of all of it.
        returned = ({name: [item["fields"].get(name) for item in items]
                     for name in sorted({n for item in items for n in item["fields"]})}
                    if items else None)
        record_flow(uow, hub, flow, reader, decision, "read", now, returned)
        uow.commit()
    if not decision.allowed:
        _refuse(decision, category, (), link)
    return ReadResult(category, purpose, items)


def _items(uow: UnitOfWork, identity_id: str, category: str,
           now: datetime) -> list[dict[str, Any]]:
    if category == DataCategory.AGE:
        # Only the band, ever (CHECKLIST 44): the person's confirmed birth date, or else
        # the youngest claim.
        band = current_band(uow, identity_id, now.date())
        return [{"fields": {"age_band": band.value}, "received_at": None}] if band else []
    rows = uow.shared_data.of_person(identity_id, category, limit=READ_LIMIT)
    return [{"fields": dict(row.fields), "received_at": row.received_at.isoformat()}
            for row in rows]
