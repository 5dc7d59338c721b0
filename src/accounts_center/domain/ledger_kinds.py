"""What a ledger entry records (DESIGN §3 Ledger): one kind per sort of fact."""

from __future__ import annotations

from enum import StrEnum


class LedgerKind(StrEnum):
    DECISION = "decision"  # an app pushed or asked for data: the decision, either way
    EVENT = "event"  # the hub told (or refused to tell) an app something about the person
    CONSENT = "consent"  # the person's ad choice for one app
    LINK = "link"  # an app account was added
    UNLINK = "unlink"  # an app account was removed
    ERASURE = "erasure"  # the person erased what an app shared
    AGE = "age"  # the age band apps see changed
    AGE_CONFIRMED = "age.confirmed"  # the person confirmed their birth date
    PROFILE = "profile"  # a write to the person's profile (won or lost), by them or an app
    PROFILE_SYNC = "profile.sync"  # the person turned a profile field's sync on or off
    CREATION = "creation"  # a creation made, added by an app, hidden, shown or deleted
    CROSSPOST_CHOICE = "crosspost.choice"  # the person's off/ask/always for a pair of apps
    CROSSPOST_DELETED = "crosspost.deleted"  # the person deleted a cross-post, or a kept copy
