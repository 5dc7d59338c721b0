"""Cross-posting choices on the link's disclosure page (issue 14, point 2): when the
person adds an app account, each pair the new link would open with their other active
links — both directions, only where the operator opened the direction and both apps
declare the types — with off (the default), ask each time or always.

The choices are checked when the person confirms, held on the pending link, and set
(`crosspost_routes.choose`, ledgered like the console's) in the transaction that makes
the link active; a pair that closed meanwhile (the other account removed, the direction
closed) is left off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.crosspost import CrossPostMode, open_pairs, parse_mode
from accounts_center.domain.errors import CrossPostPairUnavailable, InvalidInput
from accounts_center.hub import Hub
from accounts_center.services.crosspost_routes import choose, declared, matrix_of
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.models import MemberAppRow
from accounts_center.store.unit_of_work import UnitOfWork

MAX_CHOICES = 64
OUT, IN = "out", "in"  # from the app being added, or to it


@dataclass(frozen=True)
class ProspectivePair:
    """A pair the new link would open. ``key`` names it in the form: the direction, the
    other link and the two types (the other link is the person's own, and checked)."""

    key: str
    outgoing: bool
    other_link_id: str
    other_app: str
    source_type: CrossPostType
    destination_type: CrossPostType


def prospective_pairs(uow: UnitOfWork, identity_id: str,
                      app: MemberAppRow) -> list[ProspectivePair]:
    """The pairs adding an account of ``app`` would make possible, in a stable order."""
    matrix = matrix_of(uow)
    new = declared(app)
    pairs = []
    for link in uow.links.active_of_identity(identity_id):
        other = uow.member_apps.by_id(link.app_id)
        if other is None or other.id == app.id:
            continue  # an app's own accounts are its own business
        theirs = declared(other)
        for outgoing, kinds in (
                (True, open_pairs(new.crosspost_sources, theirs.crosspost_destinations,
                                  matrix)),
                (False, open_pairs(theirs.crosspost_sources, new.crosspost_destinations,
                                   matrix))):
            for source_type, destination_type in kinds:
                key = ":".join((OUT if outgoing else IN, link.id, source_type.value,
                                destination_type.value))
                pairs.append(ProspectivePair(key, outgoing, link.id, other.name,
                                             source_type, destination_type))
    return pairs


def checked_choices(uow: UnitOfWork, identity_id: str, app: MemberAppRow,
                    answers: Sequence[str]) -> list[dict[str, Any]]:
    """The form's answers (``KEY=MODE`` each) as the pending link holds them: only the
    ones not off. A malformed answer → `InvalidInput`; a pair the new link would not
    open → `CrossPostPairUnavailable` (nothing is kept of either)."""
    if not answers:
        return []
    if len(answers) > MAX_CHOICES:
        raise InvalidInput(f"crosspost: at most {MAX_CHOICES} choices", field="crosspost")
    offered = {p.key: p for p in prospective_pairs(uow, identity_id, app)}
    chosen: dict[str, CrossPostMode] = {}
    for answer in answers:
        key, equals, mode = answer.rpartition("=")
        if not equals:
            raise InvalidInput("crosspost: give each choice as PAIR=MODE", field="crosspost")
        if key not in offered:
            raise CrossPostPairUnavailable(
                "One of the ways to share posts you chose is not possible now. Go back to "
                "the app and start again.")
        chosen[key] = parse_mode(mode)
    return [{"outgoing": offered[key].outgoing, "other_link_id": offered[key].other_link_id,
             "source_type": offered[key].source_type.value,
             "destination_type": offered[key].destination_type.value, "mode": mode.value}
            for key, mode in chosen.items() if mode is not CrossPostMode.OFF]


def apply_link_choices(uow: UnitOfWork, hub: Hub, link: LinkedAccountRow,
                       held: Sequence[Any], now: datetime) -> int:
    """Inside the transaction that made ``link`` active: the choices the person made on
    its disclosure page; how many were set."""
    made = 0
    for choice in held:
        other = str(choice["other_link_id"])
        source, destination = (link.id, other) if choice["outgoing"] else (other, link.id)
        try:
            made += choose(uow, hub, link.identity_id, source, destination,
                           (CrossPostType(choice["source_type"]),
                            CrossPostType(choice["destination_type"])),
                           CrossPostMode(choice["mode"]), now)
        except CrossPostPairUnavailable:
            continue  # closed since the person confirmed: it stays off
    return made
