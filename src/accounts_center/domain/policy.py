"""The one policy decision point for data flows (DESIGN §2, §4.6; SECURITY-CHECKLIST 39-42).

`decide(flow, facts)` is pure: the caller gathers the facts (links, declared capabilities,
the person's ad consent at this moment) inside its transaction, asks once, and records the
decision in the ledger whatever it is. A flow is allowed only when every rule below holds;
the first rule that fails is the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from accounts_center.domain.categories import NEVER_SHARED, DataCategory, Purpose

HUB = "hub"  # the hub itself as a flow's source (data it holds) or destination (a push)

# Which purposes each category may serve. Age and the person's own pictures never serve
# advertising; nothing here can name a never-shared category.
ALLOWED_PURPOSES: Mapping[DataCategory, frozenset[Purpose]] = {
    DataCategory.ACCOUNT_DETAILS: frozenset(Purpose),
    DataCategory.PROFILE_PHOTO: frozenset({Purpose.CROSS_APP_FEATURES}),
    DataCategory.AVATAR: frozenset({Purpose.CROSS_APP_FEATURES}),
    DataCategory.ACTIVITY: frozenset(Purpose),
    DataCategory.DEVICE: frozenset({Purpose.SECURITY_AND_INTEGRITY, Purpose.ADVERTISING}),
    DataCategory.AGE: frozenset({Purpose.CROSS_APP_FEATURES, Purpose.SECURITY_AND_INTEGRITY}),
    DataCategory.CREATIONS: frozenset({Purpose.CROSS_APP_FEATURES}),
}


class Reason(StrEnum):
    ALLOWED = "allowed"
    NEVER_SHARED = "never-shared-category"
    UNKNOWN_CATEGORY = "unknown-category"
    UNKNOWN_PURPOSE = "unknown-purpose"
    LINK_NOT_ACTIVE = "link-not-active"
    DIFFERENT_PERSON = "different-person"
    SENDER_NOT_DECLARED = "sender-not-declared"
    RECEIVER_NOT_DECLARED = "receiver-not-declared"
    PURPOSE_NOT_ALLOWED = "purpose-not-allowed"
    NO_AD_CONSENT = "no-advertising-consent"


@dataclass(frozen=True, slots=True)
class Flow:
    """Data of one category, for one purpose, from ``source`` to ``destination`` (app ids
    or `HUB`), about one person."""

    source: str
    destination: str
    identity_id: str
    category: str
    purpose: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkFact:
    app_id: str
    identity_id: str
    active: bool


@dataclass(frozen=True, slots=True)
class Facts:
    """What the decision depends on, read at the moment of the flow. ``links`` holds the
    person's link for each app the flow touches (absent: no link); ``sends`` and
    ``receives`` what each app declared; ``ad_consent`` whether the person's advertising
    consent is on for the app that would use the data."""

    links: Mapping[str, LinkFact]
    sends: Mapping[str, frozenset[str]]
    receives: Mapping[str, frozenset[str]]
    ad_consent: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: Reason


_DENIED = {reason: Decision(False, reason) for reason in Reason if reason != Reason.ALLOWED}
_ALLOW = Decision(True, Reason.ALLOWED)
_CATEGORIES = {category.value: category for category in DataCategory}
_PURPOSES = {purpose.value: purpose for purpose in Purpose}


def decide(flow: Flow, facts: Facts) -> Decision:
    if flow.category in NEVER_SHARED:
        return _DENIED[Reason.NEVER_SHARED]
    category = _CATEGORIES.get(flow.category)
    if category is None:
        return _DENIED[Reason.UNKNOWN_CATEGORY]
    purpose = _PURPOSES.get(flow.purpose)
    if purpose is None:
        return _DENIED[Reason.UNKNOWN_PURPOSE]
    for app_id in (flow.source, flow.destination):
        if app_id == HUB:
            continue
        link = facts.links.get(app_id)
        if link is None or not link.active:
            return _DENIED[Reason.LINK_NOT_ACTIVE]
        if link.identity_id != flow.identity_id:
            return _DENIED[Reason.DIFFERENT_PERSON]
    if flow.source != HUB and flow.category not in facts.sends.get(flow.source, ()):
        return _DENIED[Reason.SENDER_NOT_DECLARED]
    if flow.destination != HUB and flow.category not in facts.receives.get(
            flow.destination, ()):
        return _DENIED[Reason.RECEIVER_NOT_DECLARED]
    if purpose not in ALLOWED_PURPOSES[category]:
        return _DENIED[Reason.PURPOSE_NOT_ALLOWED]
    if purpose is Purpose.ADVERTISING and not facts.ad_consent:
        return _DENIED[Reason.NO_AD_CONSENT]
    return _ALLOW
