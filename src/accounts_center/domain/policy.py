"""The one policy decision point for data flows (DESIGN §2, §4.6; SECURITY-CHECKLIST 39-42).

`decide(flow, facts)` is pure: the caller gathers the facts (links, declared capabilities,
the person's ad consent at this moment) inside its transaction, asks once, and records the
decision in the ledger whatever it is. A flow is allowed only when every rule below holds;
the first rule that fails is the reason. `decide_event(notice, facts)` does the same for an
event the hub would send an app (DESIGN §4: every event that carries a person's data is a
flow like any other); `services/sharing.py` is the one gate that asks these two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from accounts_center.domain.categories import (
    NEVER_SHARED,
    DataCategory,
    Purpose,
    names_never_shared,
)
from accounts_center.domain.events import CATALOGUE, EventType, SharingRule

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
# What the hub takes in from apps (DESIGN §4.6); photos, avatars and creations reach it
# through their own features.
HUB_ACCEPTS = frozenset({DataCategory.DEVICE, DataCategory.ACTIVITY, DataCategory.AGE,
                         DataCategory.ACCOUNT_DETAILS})


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
    HUB_DOES_NOT_ACCEPT = "hub-does-not-accept"
    UNKNOWN_EVENT = "unknown-event"
    ABOUT_ANOTHER_APP = "about-another-app"
    SOURCE_TYPE_NOT_DECLARED = "source-type-not-declared"
    DESTINATION_TYPE_NOT_DECLARED = "destination-type-not-declared"
    DIRECTION_CLOSED = "direction-closed"
    CROSSPOST_OFF = "crosspost-off"
    NOT_PICKED = "not-picked"


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
class CrossPostFacts:
    """One copy of a cross-post: the types, what each app declared, the operator's
    matrix for the pair, the person's choice (``off``/``ask``/``always``) and, for
    ``ask``, whether they picked this destination for this post."""

    source_type: str
    destination_type: str
    source_declares: frozenset[str]
    destination_declares: frozenset[str]
    direction_open: bool
    mode: str
    picked: bool


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
    crosspost: CrossPostFacts | None = None
    holds_copy: bool = False  # the receiver was sent a copy of the cross-post concerned
    # The person asked, in the console, that the copy be deleted (their right to erasure):
    # the app holding it hears so even after its link was removed.
    deletion_asked: bool = False


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
        # "Contacts", a Cyrillic-o "contacts", "contact_list": refused as what they name.
        return _DENIED[Reason.NEVER_SHARED if names_never_shared(flow.category)
                       else Reason.UNKNOWN_CATEGORY]
    # A field called "last_message" inside device data is messages all the same.
    if any(names_never_shared(name) for name in flow.fields):
        return _DENIED[Reason.NEVER_SHARED]
    purpose = _PURPOSES.get(flow.purpose)
    if purpose is None:
        return _DENIED[Reason.UNKNOWN_PURPOSE]
    refused = _links_refuse(flow, facts)
    if refused is not None:
        return refused
    if flow.source != HUB and flow.category not in facts.sends.get(flow.source, ()):
        return _DENIED[Reason.SENDER_NOT_DECLARED]
    if flow.destination == HUB and category not in HUB_ACCEPTS:
        return _DENIED[Reason.HUB_DOES_NOT_ACCEPT]
    if flow.destination != HUB and flow.category not in facts.receives.get(
            flow.destination, ()):
        return _DENIED[Reason.RECEIVER_NOT_DECLARED]
    if purpose not in ALLOWED_PURPOSES[category]:
        return _DENIED[Reason.PURPOSE_NOT_ALLOWED]
    if purpose is Purpose.ADVERTISING and not facts.ad_consent:
        return _DENIED[Reason.NO_AD_CONSENT]
    return _ALLOW


def _links_refuse(flow: Flow, facts: Facts) -> Decision | None:
    for app_id in (flow.source, flow.destination):
        if app_id == HUB:
            continue
        link = facts.links.get(app_id)
        if link is None or not link.active:
            return _DENIED[Reason.LINK_NOT_ACTIVE]
        if link.identity_id != flow.identity_id:
            return _DENIED[Reason.DIFFERENT_PERSON]
    return None


def decide_crosspost(flow: Flow, facts: Facts) -> Decision:
    """One copy of a cross-post, from the source app to one destination app (issue 14,
    point 4): an `activity` flow for `cross_app_features` between two of the person's
    active links, of a type each app declared, in a direction the operator opened, to a
    destination the person set to ``always`` or set to ``ask`` and picked for this post.
    Declaring cross-post types is what declares the activity they carry, so the apps'
    ``sends``/``receives`` lists are not asked (they govern the data API)."""
    post = facts.crosspost
    if flow.category != DataCategory.ACTIVITY or post is None:
        return _DENIED[Reason.UNKNOWN_CATEGORY]
    if flow.purpose != Purpose.CROSS_APP_FEATURES:
        return _DENIED[Reason.PURPOSE_NOT_ALLOWED]
    if HUB in (flow.source, flow.destination) or flow.source == flow.destination:
        return _DENIED[Reason.ABOUT_ANOTHER_APP]
    refused = _links_refuse(flow, facts)
    if refused is not None:
        return refused
    if post.source_type not in post.source_declares:
        return _DENIED[Reason.SOURCE_TYPE_NOT_DECLARED]
    if post.destination_type not in post.destination_declares:
        return _DENIED[Reason.DESTINATION_TYPE_NOT_DECLARED]
    if not post.direction_open:
        return _DENIED[Reason.DIRECTION_CLOSED]
    if post.mode == "always":
        return _ALLOW
    if post.mode == "ask":
        return _ALLOW if post.picked else _DENIED[Reason.NOT_PICKED]
    return _DENIED[Reason.CROSSPOST_OFF]


@dataclass(frozen=True, slots=True)
class Notice:
    """An event about one person that the hub would send ``receiver``. ``concerns`` is
    the app whose link, consent or data the event is about; ``categories`` the data
    categories an erasure names."""

    event: str
    receiver: str
    identity_id: str
    concerns: str
    categories: tuple[str, ...] = ()


def decide_event(notice: Notice, facts: Facts) -> Decision:
    """Who may hear what (issue 10, point 1). An app is told about its own link and its
    own consent only; that the person added or removed *another* app reaches no one
    (cross-app features the person turns on will add their rules here). Data an event
    carries is decided as a hub → app flow of its category, like a read."""
    try:
        spec = CATALOGUE[EventType(notice.event)]
    except ValueError:
        return _DENIED[Reason.UNKNOWN_EVENT]
    link = facts.links.get(notice.receiver)
    if link is None:
        return _DENIED[Reason.LINK_NOT_ACTIVE]
    if link.identity_id != notice.identity_id:
        return _DENIED[Reason.DIFFERENT_PERSON]
    if spec.rule is SharingRule.OWN_LINK and notice.concerns == notice.receiver:
        # The one thing an app still hears after its link is removed: that it was.
        return _ALLOW
    if not link.active:
        if (spec.rule is SharingRule.CROSSPOST_COPY and facts.holds_copy
                and facts.deletion_asked and spec.type is EventType.CROSSPOST_DELETED):
            # A removed app keeps the copies it was sent; asking it to delete one
            # carries nothing new about the person and is theirs to ask.
            return _ALLOW
        return _DENIED[Reason.LINK_NOT_ACTIVE]
    if spec.rule is SharingRule.CATEGORY:
        assert spec.carries is not None
        return decide(Flow(HUB, notice.receiver, notice.identity_id, spec.carries,
                           spec.purpose, spec.fields), facts)
    if spec.rule is SharingRule.FIELD_CATEGORY:
        if len(notice.categories) != 1:
            return _DENIED[Reason.UNKNOWN_CATEGORY]
        return decide(Flow(HUB, notice.receiver, notice.identity_id, notice.categories[0],
                           spec.purpose, spec.fields), facts)
    if spec.rule is SharingRule.CROSSPOST:
        # The app the post came from is the one it concerns; the copy is decided whole.
        return decide_crosspost(Flow(notice.concerns, notice.receiver, notice.identity_id,
                                     DataCategory.ACTIVITY.value, spec.purpose.value),
                                facts)
    if spec.rule is SharingRule.CROSSPOST_COPY:
        # What became of a copy goes to the app that holds it, and to no other; and the
        # app a post came from hears of its own post's end (the person deleted it
        # everywhere from the console), which tells it nothing about another app.
        if facts.holds_copy or notice.concerns == notice.receiver:
            return _ALLOW
        return _DENIED[Reason.ABOUT_ANOTHER_APP]
    if spec.rule is SharingRule.ERASURE:
        if notice.concerns == notice.receiver:
            return _ALLOW  # what the app itself shared was erased
        if any(category in NEVER_SHARED for category in notice.categories):
            return _DENIED[Reason.NEVER_SHARED]
        received = facts.receives.get(notice.receiver, frozenset())
        if notice.categories and all(c in received for c in notice.categories):
            return _ALLOW
        return _DENIED[Reason.RECEIVER_NOT_DECLARED]
    # OWN_LINK about another app, OWN_CONSENT about another app.
    if notice.concerns != notice.receiver or spec.rule is SharingRule.OWN_LINK:
        return _DENIED[Reason.ABOUT_ANOTHER_APP]
    return _ALLOW


def own_account_claims(sub: str, app_user_id: str) -> dict[str, str]:
    """The one exception to "every flow is decided and ledgered", as a rule: what an app
    learns of its *own* linked account when the person signs in (ID token, userinfo,
    introspection). It names the person only as the app already knows them — its pairwise
    ``sub`` and the app's own user id — and carries no category of person data, so there
    is nothing to decide per token: the link itself was decided and ledgered when the app
    redeemed it, and anything more an app wants goes through the data API or an event."""
    return {"sub": sub, "app_user_id": app_user_id}
