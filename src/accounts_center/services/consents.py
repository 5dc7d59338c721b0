"""The person's advertising consent per app (DESIGN §2: off by default, revocable,
ledgered). A change applies to the very next decision: decisions read it in their own
transaction."""

from __future__ import annotations

from dataclasses import dataclass

from accounts_center.domain.errors import InvalidInput
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.hub import Hub
from accounts_center.services.ledger import append_entry
from accounts_center.services.sharing import party, send_event


@dataclass(frozen=True)
class AdChoice:
    app_id: str
    app_name: str
    granted: bool


def ad_choices(hub: Hub, identity_id: str) -> list[AdChoice]:
    """One switch per linked app that declares ad use."""
    with hub.unit_of_work() as uow:
        granted = {row.app_id: row.granted for row in uow.consents.of_person(identity_id)}
        choices = []
        for link in uow.links.active_of_identity(identity_id):
            app = uow.member_apps.by_id(link.app_id)
            if app is not None and app.capabilities.get("ad_use"):
                choices.append(AdChoice(app.id, app.name, granted.get(app.id, False)))
        return sorted(choices, key=lambda choice: choice.app_name)


def set_ad_consent(hub: Hub, identity_id: str, app_id: str, granted: bool) -> None:
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = next((link for link in uow.links.active_of_identity(identity_id)
                     if link.app_id == app_id), None)
        app = uow.member_apps.by_id(app_id) if link is not None else None
        if link is None or app is None or not app.capabilities.get("ad_use"):
            raise InvalidInput("There is no linked app with advertising to choose for.",
                               field="app")
        if uow.consents.granted(identity_id, app_id) == granted:
            return
        uow.consents.set(identity_id, app_id, granted, now)
        append_entry(uow, hub, identity_id, LedgerKind.CONSENT,
                     {"app_id": app.id, "app": app.name, "purpose": "advertising",
                      "granted": granted}, now)
        # Only the app the choice is for hears of it.
        concerned = party(app, link)
        send_event(uow, hub, EventType.CONSENT_UPDATED, concerned, identity_id,
                   concerns=concerned, data={"purpose": "advertising", "granted": granted},
                   now=now)
        uow.commit()
