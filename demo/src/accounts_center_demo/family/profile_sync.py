"""The profile fields a person keeps in sync with this app from Accounts Center: applying
``profile.updated`` (the name's text; a photo's or an avatar's image, fetched before the
transaction by ``HubConnection.fetch_picture``) and ``data.erasure_requested``.

The hub stamps each value with when it took it (``updated_at``); a delivery older than
what this app holds is ignored, so a retried old event never undoes a newer one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from accounts_center_demo.family.hub import Picture
from accounts_center_demo.family.models import SyncedField, User
from accounts_center_demo.family.store import utcnow
from accounts_center_sdk import ProfileUpdated

MAX_NAME = 64
PICTURE_FIELDS = frozenset({"photo", "avatar"})
# What the person erased in the hub → the synced fields this app forgets.
FIELDS_OF_CATEGORY = {"account_details": "name", "profile_photo": "photo", "avatar": "avatar"}


def wants_picture(event: ProfileUpdated) -> bool:
    """A photo or an avatar was set (not removed): its image must be fetched now."""
    return event.field in PICTURE_FIELDS and event.value is not None


def apply_profile_update(db: Session, user: User, event: ProfileUpdated,
                         picture: Picture | None, log: logging.Logger) -> None:
    """``picture``: the fetched image of a set photo or avatar; None when it could not be
    fetched, and then the picture held so far stays."""
    if event.field not in {"name", *PICTURE_FIELDS}:
        log.warning("profile.updated of an unknown field ignored")
        return
    at = _hub_time(event.updated_at) or _hub_time(event.occurred_at) or utcnow()
    held = db.get(SyncedField, (user.id, event.field))
    if held is not None and held.updated_at > at:
        return  # a late delivery of an older value
    if event.field == "name":
        name = _checked_name(event.value)
        if event.value is not None and name is None:
            log.warning("profile.updated with an unusable name ignored")
            return
        values: dict[str, object] = {"text": name}
    elif event.value is None:
        values = {"media_type": None, "digest": None, "data": None}
    elif picture is None:
        return  # not fetched: keep the picture held so far
    else:
        values = {"media_type": picture.media_type, "digest": picture.digest,
                  "data": picture.data}
    if held is None:
        held = SyncedField(user_id=user.id, field=event.field, updated_at=at)
        user.synced.append(held)
    held.updated_at = at
    for name, value in values.items():
        setattr(held, name, value)


def forget_erased(db: Session, user: User, categories: tuple[str, ...]) -> None:
    """The person erased these categories in the hub: what was received of them goes."""
    fields = [FIELDS_OF_CATEGORY[c] for c in categories if c in FIELDS_OF_CATEGORY]
    if fields:
        db.execute(delete(SyncedField).where(SyncedField.user_id == user.id,
                                             SyncedField.field.in_(fields)))
        db.expire(user, ["synced"])


def _checked_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name = " ".join(value.split())
    return name if 0 < len(name) <= MAX_NAME and name.isprintable() else None


def _hub_time(value: object) -> datetime | None:
    """The hub's ISO 8601 time as this app stores times: naive UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
