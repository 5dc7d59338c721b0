"""The person's ledger in plain words (issue 11, point 9): one vocabulary for the
timeline and the "what moved" table. Whatever an app wrote (a category or purpose the hub
does not know) is never said as if it were the hub's words: it reads "an unknown
category", and the raw value travels beside the sentence, to be shown as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accounts_center.domain.categories import DataCategory, Purpose
from accounts_center.domain.events import CATALOGUE, EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.policy import Reason
from accounts_center.domain.profile import CONSOLE

CATEGORY_WORDS: Mapping[str, str] = {
    DataCategory.ACCOUNT_DETAILS: "account details",
    DataCategory.PROFILE_PHOTO: "your profile photo",
    DataCategory.AVATAR: "your avatar",
    DataCategory.ACTIVITY: "activity",
    DataCategory.DEVICE: "device information",
    DataCategory.AGE: "your age",
    DataCategory.CREATIONS: "your creations",
    "messages": "messages", "calls": "calls", "contacts": "contacts",
}
PURPOSE_WORDS: Mapping[str, str] = {
    Purpose.CROSS_APP_FEATURES: "features across your apps",
    Purpose.SECURITY_AND_INTEGRITY: "security and integrity",
    Purpose.ADVERTISING: "advertising",
}
# Why a data flow was refused.
REFUSED_BECAUSE: Mapping[str, str] = {
    Reason.NEVER_SHARED: "messages, calls and contacts are never shared",
    Reason.UNKNOWN_CATEGORY: "Accounts Center knows no such information",
    Reason.UNKNOWN_PURPOSE: "Accounts Center knows no such use",
    Reason.LINK_NOT_ACTIVE: "the account is not added",
    Reason.DIFFERENT_PERSON: "the accounts belong to different people",
    Reason.SENDER_NOT_DECLARED: "the app did not say it sends this",
    Reason.RECEIVER_NOT_DECLARED: "the app did not say it takes this",
    Reason.PURPOSE_NOT_ALLOWED: "it may not be used for that",
    Reason.NO_AD_CONSENT: "you have not allowed ads with your information there",
    Reason.HUB_DOES_NOT_ACCEPT: "Accounts Center does not take this from apps",
}
# Why an app was not told something.
NOT_TOLD_BECAUSE: Mapping[str, str] = {
    Reason.ABOUT_ANOTHER_APP: "it is not about its own account",
    Reason.RECEIVER_NOT_DECLARED: "it does not take that information",
    Reason.LINK_NOT_ACTIVE: "its account is not added",
    Reason.PURPOSE_NOT_ALLOWED: "that use is not allowed",
    Reason.SOURCE_TYPE_NOT_DECLARED: "the app it came from does not offer that kind of post",
    Reason.DESTINATION_TYPE_NOT_DECLARED: "it does not take that kind of post",
    Reason.DIRECTION_CLOSED: "Accounts Center does not offer that direction",
    Reason.CROSSPOST_OFF: "you turned sharing there off",
    Reason.NOT_PICKED: "you did not pick it for that post",
}
CROSSPOST_MODE_WORDS: Mapping[str, str] = {"off": "off", "ask": "ask each time",
                                           "always": "always"}
AGE_BAND_WORDS: Mapping[str, str] = {"under_13": "under 13", "13_17": "13 to 17",
                                     "18_plus": "18 or over"}


@dataclass(frozen=True)
class Said:
    """A sentence in the hub's words, and what an app wrote that the hub does not know
    (shown beside it as data, never inside it)."""

    text: str
    raw: str | None = None


def category_words(category: object) -> Said:
    name = str(category)
    if name in CATEGORY_WORDS:
        return Said(CATEGORY_WORDS[name])
    return Said("an unknown category", name)


def purpose_words(purpose: object) -> Said:
    name = str(purpose)
    if name in PURPOSE_WORDS:
        return Said(PURPOSE_WORDS[name])
    return Said("an unknown purpose", name)


def event_label(body: Mapping[str, Any]) -> str:
    try:
        return CATALOGUE[EventType(str(body.get("event")))].label
    except ValueError:
        return "an unknown event"


def _event(body: Mapping[str, Any]) -> Said:
    app = body.get("app", "an app")
    try:
        spec = CATALOGUE[EventType(str(body.get("event")))]
    except ValueError:
        return Said(f"Something was decided for {app}")
    told = spec.told.format(about=body.get("about_app") or "an app")
    if body.get("allowed"):
        return Said(f"Told {app} {told}")
    why = NOT_TOLD_BECAUSE.get(str(body.get("reason")), "the rules do not allow it")
    return Said(f"{app} was not told {told} ({why})")


def _decision(body: Mapping[str, Any]) -> Said:
    app = body.get("app", "an app")
    what, use = category_words(body.get("category")), purpose_words(body.get("purpose"))
    way = "sent" if body.get("direction") == "push" else "asked for"
    outcome = ("allowed" if body.get("allowed") else "refused: " + REFUSED_BECAUSE.get(
        str(body.get("reason")), "the rules do not allow it"))
    raw = ", ".join(r for r in (what.raw, use.raw) if r is not None) or None
    return Said(f"{app} {way} {what.text} for {use.text}: {outcome}", raw)


CREATION_ACTIONS: Mapping[str, str] = {
    "made": "You made {what} in your creations",
    "added": "{app} added {what} to your creations",
    "hidden": "You hid {what} of your creations from your apps",
    "shown": "You showed {what} of your creations to your apps again",
    "deleted": "You deleted {what} from your creations",
}


def _creation(body: Mapping[str, Any]) -> Said:
    what = "a sticker" if body.get("kind") == "sticker" else "an image"
    sentence = CREATION_ACTIONS.get(str(body.get("action")), "Your creations changed")
    return Said(sentence.format(what=what, app=body.get("app", "an app")))


def say(kind: str, body: Mapping[str, Any]) -> Said:
    """One ledger entry as the person reads it."""
    app = body.get("app", "an app")
    if kind == LedgerKind.EVENT:
        return _event(body)
    if kind == LedgerKind.DECISION:
        return _decision(body)
    if kind == LedgerKind.CONSENT:
        return Said(f"Ads with your information in {app}: "
                    f"{'on' if body.get('granted') else 'off'}")
    if kind == LedgerKind.LINK:
        return Said(f"You added your {app} account")
    if kind == LedgerKind.UNLINK:
        # Who acted is part of the record: an app may remove its own link.
        if body.get("by") == "app":
            return Said(f"{app} removed this account from Accounts Center")
        return Said(f"You removed your {app} account")
    if kind == LedgerKind.AGE:
        band = AGE_BAND_WORDS.get(str(body.get("band")), "unknown")
        return Said(f"The age band your apps see became {band}")
    if kind == LedgerKind.AGE_CONFIRMED:
        return Said("You confirmed your birth date")
    if kind == LedgerKind.PROFILE:
        field = str(body.get("label") or body.get("field", "profile")).lower()
        who = "You" if body.get("by") == CONSOLE else app
        lost = "" if body.get("won", True) else " (a later change won)"
        return Said(f"{who} changed your {field}{lost}")
    if kind == LedgerKind.PROFILE_SYNC:
        field = str(body.get("label") or body.get("field", "profile")).lower()
        state = "on" if body.get("enabled") else "off"
        return Said(f"Keeping your {field} in sync with {app}: {state}")
    if kind == LedgerKind.CREATION:
        return _creation(body)
    if kind == LedgerKind.CROSSPOST_CHOICE:
        mode = CROSSPOST_MODE_WORDS.get(str(body.get("mode")), "off")
        return Said(f"Sharing {body.get('source_type')} posts from {app} as "
                    f"{body.get('destination_type')} posts in "
                    f"{body.get('destination_app', 'an app')}: {mode}")
    if kind == LedgerKind.CROSSPOST_DELETED:
        told = [str(name) for name in body.get("told") or ()]
        return Said(f"You deleted a {body.get('type', '')} post shared from {app}"
                    + (f"; told {', '.join(told)}" if told else ""))
    if kind == LedgerKind.ERASURE:
        return Said(f"You erased what {app} shared ({body.get('erased', 0)} items)")
    return Said("An entry of a kind this page does not know", kind)
