"""Where cross-posts may go (issue 14, points 1 and 2): the operator's direction matrix,
and the person's choice — off, ask each time, always — for each pair of their apps that
could carry one. A pair exists only while both links are active, the source app declares
the source type, the destination app the destination type, and the operator opened the
direction; a choice is `off` until the person makes one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts_center.domain.capabilities import Capabilities, parse_capabilities
from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.crosspost import (
    CrossPostMode,
    Direction,
    DirectionMatrix,
    open_pairs,
    parse_direction,
    parse_mode,
    parse_post_type,
)
from accounts_center.domain.errors import CrossPostPairUnavailable, InvalidInput
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.hub import Hub
from accounts_center.services.ledger import append_entry
from accounts_center.store.crosspost_models import CrossPostChoiceRow
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.models import MemberAppRow
from accounts_center.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CrossPostPair:
    """One way a person's post could travel: from a source link's type to a destination
    link's type, with the person's choice (``choice_id`` None until they made one)."""

    source_link_id: str
    source_app_id: str
    source_app: str
    source_type: CrossPostType
    destination_link_id: str
    destination_app_id: str
    destination_app: str
    destination_type: CrossPostType
    mode: CrossPostMode
    choice_id: str | None
    destination_declares: frozenset[CrossPostType] = frozenset()


def declared(app: MemberAppRow | Any) -> Capabilities:
    """What an app (a row or the `MemberApp` view) declared."""
    return (app.capabilities if isinstance(app.capabilities, Capabilities)
            else parse_capabilities(app.capabilities))


# --- the operator ------------------------------------------------------------------------
_TYPES = {t.value for t in CrossPostType}


def matrix_of(uow: UnitOfWork) -> DirectionMatrix:
    return DirectionMatrix({
        (CrossPostType(row.source_type), CrossPostType(row.destination_type)): row.allowed
        for row in uow.crossposts.directions()
        if row.source_type in _TYPES and row.destination_type in _TYPES})


def direction_matrix(hub: Hub) -> DirectionMatrix:
    with hub.unit_of_work() as uow:
        return matrix_of(uow)


def set_directions(hub: Hub, allow: Sequence[str], deny: Sequence[str]) -> DirectionMatrix:
    """Opens and closes directions (``"status:story"``) in one transaction; every one is
    checked before anything is written, and a direction both opened and closed is
    refused."""
    opened = [parse_direction(text) for text in allow]
    closed = [parse_direction(text) for text in deny]
    both = sorted(set(opened) & set(closed))
    if both:
        source, destination = both[0]
        raise InvalidInput(f"{source}:{destination}: both allowed and denied",
                           field="direction")
    changes: dict[Direction, bool] = {**dict.fromkeys(opened, True),
                                      **dict.fromkeys(closed, False)}
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        for (source, destination), allowed in changes.items():
            uow.crossposts.set_direction(source.value, destination.value, allowed, now)
        matrix = matrix_of(uow)
        uow.commit()
    return matrix


# --- the person ---------------------------------------------------------------------------
def pairs_of(uow: UnitOfWork, identity_id: str) -> list[CrossPostPair]:
    """Every pair the person could use now, with their choice, in a stable order."""
    matrix = matrix_of(uow)
    linked: list[tuple[LinkedAccountRow, MemberAppRow, Capabilities]] = []
    for link in uow.links.active_of_identity(identity_id):
        app = uow.member_apps.by_id(link.app_id)
        if app is not None:
            linked.append((link, app, declared(app)))
    chosen = {(c.source_link_id, c.destination_link_id, c.source_type, c.destination_type): c
              for c in uow.crossposts.choices_of(identity_id)}
    pairs = []
    for source_link, source_app, source_caps in linked:
        for destination_link, destination_app, destination_caps in linked:
            if destination_app.id == source_app.id:
                continue  # an app's own accounts are its own business
            for source_type, destination_type in open_pairs(
                    source_caps.crosspost_sources, destination_caps.crosspost_destinations,
                    matrix):
                choice = chosen.get((source_link.id, destination_link.id, source_type.value,
                                     destination_type.value))
                pairs.append(CrossPostPair(
                    source_link.id, source_app.id, source_app.name, source_type,
                    destination_link.id, destination_app.id, destination_app.name,
                    destination_type,
                    CrossPostMode(choice.mode) if choice else CrossPostMode.OFF,
                    choice.id if choice else None,
                    destination_caps.crosspost_destinations))
    return pairs


def crosspost_choices(hub: Hub, identity_id: str) -> list[CrossPostPair]:
    with hub.unit_of_work() as uow:
        return pairs_of(uow, identity_id)


def set_crosspost_choice(hub: Hub, identity_id: str, source_link_id: str,
                         destination_link_id: str, source_type: str,
                         destination_type: str, mode: str) -> bool:
    """The person's choice for one pair; whether it changed. A pair they cannot use now
    → `CrossPostPairUnavailable` (also for another person's links: nothing is told)."""
    chosen = parse_mode(mode)
    kinds = (parse_post_type(source_type, "source_type"),
             parse_post_type(destination_type, "destination_type"))
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        changed = choose(uow, hub, identity_id, source_link_id, destination_link_id, kinds,
                         chosen, now)
        uow.commit()
    return changed


def choose(uow: UnitOfWork, hub: Hub, identity_id: str, source_link_id: str,
           destination_link_id: str, kinds: Direction, mode: CrossPostMode,
           now: datetime) -> bool:
    """Inside the caller's transaction: one choice, ledgered when it changes."""
    pair = next((p for p in pairs_of(uow, identity_id)
                 if (p.source_link_id, p.destination_link_id) == (source_link_id,
                                                                  destination_link_id)
                 and (p.source_type, p.destination_type) == kinds), None)
    if pair is None:
        raise CrossPostPairUnavailable(
            "These two added accounts cannot cross-post this way now: the direction is "
            "closed, an app does not offer the type, or an account is not added.")
    row = uow.crossposts.choice(source_link_id, destination_link_id, kinds[0].value,
                                kinds[1].value, lock=True)
    if row is None:
        if mode is CrossPostMode.OFF:
            return False
        row = CrossPostChoiceRow(
            id=hub.new_id(), identity_id=identity_id, source_link_id=source_link_id,
            destination_link_id=destination_link_id, source_type=kinds[0].value,
            destination_type=kinds[1].value, mode=mode.value, changed_at=now)
        uow.crossposts.add_choice(row)
    elif row.mode == mode.value:
        return False
    else:
        row.mode, row.changed_at = mode.value, now
    append_entry(uow, hub, identity_id, LedgerKind.CROSSPOST_CHOICE,
                 {"source_app_id": pair.source_app_id, "source_app": pair.source_app,
                  "source_type": pair.source_type.value,
                  "destination_app_id": pair.destination_app_id,
                  "destination_app": pair.destination_app,
                  "destination_type": pair.destination_type.value, "mode": mode.value,
                  "app": pair.source_app}, now)
    return True
