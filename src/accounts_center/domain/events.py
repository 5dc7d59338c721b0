"""The catalogue of events member apps receive (DESIGN §3 Event): each type, the fields of
its payload, what it may carry and which rule of the sharing gate decides who gets it.

Producers build events only from here (`services/sharing.py` refuses a payload that does
not match its entry), the SDK's typed events mirror it (a test holds the two together),
and the console describes events to the person from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from accounts_center.domain.categories import DataCategory, Purpose


class EventType(StrEnum):
    ACCOUNT_LINKED = "account.linked"
    ACCOUNT_UNLINKED = "account.unlinked"
    CONSENT_UPDATED = "consent.updated"
    AGE_RECONCILED = "age.reconciled"
    DATA_ERASURE_REQUESTED = "data.erasure_requested"
    PROFILE_UPDATED = "profile.updated"
    CREATION_ADDED = "creation.added"
    CREATION_DELETED = "creation.deleted"
    CROSSPOST_CREATED = "crosspost.created"
    CROSSPOST_DELETED = "crosspost.deleted"
    CROSSPOST_EXPIRED = "crosspost.expired"


class SharingRule(StrEnum):
    """How the gate (`domain/policy.decide_event`) decides who may receive an event."""

    OWN_LINK = "own-link"  # only the app whose link it is, also once the link is removed
    OWN_CONSENT = "own-consent"  # only the app the consent is for, while linked
    CATEGORY = "category"  # carries data of a category: a hub → app flow like a read
    ERASURE = "erasure"  # the app whose data was erased, and apps that may have received it
    # carries one profile field: a hub → app flow of that field's category (the notice
    # names it), for the event's purpose
    FIELD_CATEGORY = "field-category"
    # one copy of a cross-post: `policy.decide_crosspost` (the source is the app concerned)
    CROSSPOST = "crosspost"
    # about a copy the app holds (its deletion): only an app that was sent one, while linked
    CROSSPOST_COPY = "crosspost-copy"


# What the outbox carries besides webhooks: an OpenID Connect Back-Channel Logout for the
# app whose link was removed, written beside its `account.unlinked` so that it is retried
# and survives a crash like any event; the worker signs the logout token as it sends it.
BACKCHANNEL_LOGOUT = "oidc.backchannel_logout"

# Every payload names the person as the receiving app knows them, says when, and carries
# a signed receipt of the person's ledger after this event's own entry (DESIGN §4.8).
COMMON_FIELDS = ("sub", "app_user_id", "occurred_at", "ledger_receipt")


@dataclass(frozen=True)
class EventSpec:
    type: EventType
    fields: tuple[str, ...]  # the payload's own fields, besides COMMON_FIELDS
    rule: SharingRule
    purpose: Purpose
    carries: DataCategory | None  # the category of person data in it, if any
    label: str  # what the person's "what moved" table calls it
    told: str  # completes "Told <app> …" on the person's timeline; {about}: the app concerned

    def payload(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The event's own fields, exactly: a producer cannot add or forget one (that is
        a bug in the hub, not bad input: nothing is sent, and the change rolls back)."""
        if set(data) != set(self.fields):
            raise ValueError(f"{self.type} carries exactly {', '.join(self.fields)}, "
                             f"not {', '.join(sorted(data))}")
        return {name: data[name] for name in self.fields}


CATALOGUE: Mapping[EventType, EventSpec] = {spec.type: spec for spec in (
    EventSpec(EventType.ACCOUNT_LINKED, ("app", "your_account"), SharingRule.OWN_LINK,
              Purpose.CROSS_APP_FEATURES, None, "an account added",
              "that you added your {about} account"),
    EventSpec(EventType.ACCOUNT_UNLINKED, ("app", "your_account"), SharingRule.OWN_LINK,
              Purpose.CROSS_APP_FEATURES, None, "an account removed",
              "that you removed your {about} account"),
    EventSpec(EventType.CONSENT_UPDATED, ("purpose", "granted"), SharingRule.OWN_CONSENT,
              Purpose.CROSS_APP_FEATURES, None, "your ad choice",
              "your ad choice for {about}"),
    EventSpec(EventType.AGE_RECONCILED, ("age_band",), SharingRule.CATEGORY,
              Purpose.SECURITY_AND_INTEGRITY, DataCategory.AGE, "your age band",
              "your age band"),
    EventSpec(EventType.DATA_ERASURE_REQUESTED, ("categories",), SharingRule.ERASURE,
              Purpose.CROSS_APP_FEATURES, None, "a request to forget",
              "to forget what {about} shared, which you erased"),
    # One field per event: name, photo and avatar are three categories, each decided on
    # its own, and each synced (or not) per link on its own.
    EventSpec(EventType.PROFILE_UPDATED, ("field", "value", "media_url", "updated_at"),
              SharingRule.FIELD_CATEGORY, Purpose.CROSS_APP_FEATURES, None,
              "your profile", "your profile"),
    # The creations library (issue 13, point 5): told to the apps that declare
    # `creations`. A hidden creation is gone for apps (`creation.deleted`); shown again,
    # it is new to them (`creation.added`).
    EventSpec(EventType.CREATION_ADDED, ("creation",), SharingRule.CATEGORY,
              Purpose.CROSS_APP_FEATURES, DataCategory.CREATIONS, "a creation",
              "about a sticker or image in your creations"),
    EventSpec(EventType.CREATION_DELETED, ("creation_id",), SharingRule.CATEGORY,
              Purpose.CROSS_APP_FEATURES, DataCategory.CREATIONS, "a creation removed",
              "that a creation is gone from your creations"),
    # Cross-posting (issue 14, point 4): a copy for one destination, in its own type,
    # with a media URL signed for that app alone. No audience: each destination uses its
    # own default one (DESIGN §4.4).
    EventSpec(EventType.CROSSPOST_CREATED,
              ("crosspost_id", "post_type", "caption", "media_url", "media_type", "expires_at"),
              SharingRule.CROSSPOST, Purpose.CROSS_APP_FEATURES, DataCategory.ACTIVITY,
              "a cross-post", "about a post you shared from {about}"),
    # ``post_type``: which copy (an app may hold one post as a story and as a status).
    EventSpec(EventType.CROSSPOST_DELETED, ("crosspost_id", "post_type"),
              SharingRule.CROSSPOST_COPY,
              Purpose.CROSS_APP_FEATURES, None, "a cross-post deleted",
              "that a post you shared from {about} was deleted"),
    # Issue 14, point 5: the post's `expires_at` passed; told like a deletion.
    EventSpec(EventType.CROSSPOST_EXPIRED, ("crosspost_id", "post_type"),
              SharingRule.CROSSPOST_COPY,
              Purpose.CROSS_APP_FEATURES, None, "a cross-post expired",
              "that a post you shared from {about} expired"),
)}
