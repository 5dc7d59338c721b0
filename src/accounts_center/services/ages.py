"""Age reconciliation (DESIGN §2): the birth dates apps pushed are reconciled to one age
band, the youngest claim winning until the person confirms a birth date; apps learn only
the band, by an `age.reconciled` event whenever it changes (CHECKLIST 44)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from accounts_center.domain.age import (
    AgeBand,
    band_of,
    parse_birth_date,
    reconciled_birth_date,
)
from accounts_center.domain.categories import DataCategory
from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.hub import Hub
from accounts_center.services.ledger import append_entry
from accounts_center.services.sharing import tell_linked_apps
from accounts_center.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AgeView:
    band: AgeBand | None
    claims_disagree: bool
    confirmed: bool


def current_band(uow: UnitOfWork, identity_id: str, today: date) -> AgeBand | None:
    claims = [parse_birth_date(row.fields.get("birth_date"))
              for row in uow.shared_data.of_person(identity_id, DataCategory.AGE,
                                                   limit=10_000)]
    confirmation = uow.age_confirmations.get(identity_id)
    confirmed = parse_birth_date(confirmation.birth_date) if confirmation else None
    birth = reconciled_birth_date(claims, confirmed)
    return band_of(birth, today) if birth is not None else None


def announce_if_changed(uow: UnitOfWork, hub: Hub, identity_id: str,
                        before: AgeBand | None, now: datetime) -> None:
    """Inside the change's transaction: when the band moved, ledger it and tell the linked
    apps that receive age (the band only), each through the sharing gate."""
    after = current_band(uow, identity_id, now.date())
    if after is None or after == before:
        return
    append_entry(uow, hub, identity_id, LedgerKind.AGE,
                 {"band": after.value, "previous_band": before.value if before else None},
                 now)
    tell_linked_apps(uow, hub, EventType.AGE_RECONCILED, identity_id, concerns=None,
                     now=now, data_for=lambda _: {"age_band": after.value})


def age_view(hub: Hub, identity_id: str) -> AgeView:
    with hub.unit_of_work() as uow:
        claims = {row.fields.get("birth_date")
                  for row in uow.shared_data.of_person(identity_id, DataCategory.AGE,
                                                       limit=10_000)}
        confirmed = uow.age_confirmations.get(identity_id) is not None
        return AgeView(current_band(uow, identity_id, hub.clock.now().date()),
                       len(claims) > 1, confirmed)


def confirm_birth_date(hub: Hub, identity_id: str, text: str) -> None:
    """The birth date the person confirms in the console (the messages are for them)."""
    try:
        birth = parse_birth_date(text.strip())
    except InvalidInput:
        raise InvalidInput("Enter your birth date as a date, for example 1990-04-21.",
                           field="birth_date") from None
    now = hub.clock.now()
    if birth > now.date():
        raise InvalidInput("Your birth date cannot be in the future.", field="birth_date")
    with hub.unit_of_work() as uow:
        before = current_band(uow, identity_id, now.date())
        uow.age_confirmations.set(identity_id, birth.isoformat(), now)
        append_entry(uow, hub, identity_id, LedgerKind.AGE_CONFIRMED, {}, now,
                     values={"birth_date": birth.isoformat()})
        announce_if_changed(uow, hub, identity_id, before, now)
        uow.commit()
