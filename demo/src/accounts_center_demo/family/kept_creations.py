"""The person's creations library, kept by an app that declares ``"creations": true``:
``creation.added`` keeps a copy (the picture fetched at once by
``HubConnection.fetch_picture``), ``creation.deleted`` forgets it, and the picker asks the
hub for the whole list (``list_creations``) when first opened or when the person asks.
A hub that refuses or cannot be reached leaves what is kept as it was."""

from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accounts_center_demo.family.creation_models import CreationsRefresh, KeptCreation
from accounts_center_demo.family.hub import (
    HUB_FAILURES,
    HubConnection,
    Picture,
    PictureUnavailable,
    note_refusal,
)
from accounts_center_demo.family.images import MAX_PHOTO_BYTES
from accounts_center_demo.family.models import User
from accounts_center_demo.family.store import utcnow
from accounts_center_sdk import Creation, CreationsNotDeclared, HubUnavailable, UnknownAppUser

MAX_TITLE = 120


def fetch_creation_picture(hub: HubConnection, creation: Creation) -> Picture:
    """The creation's picture, fetched now from its signed URL (PictureUnavailable)."""
    return hub.fetch_picture(creation.url, max_bytes=MAX_PHOTO_BYTES)


def keep_creation(db: Session, user_id: int, creation: Creation, picture: Picture) -> None:
    held = db.get(KeptCreation, (user_id, creation.id))
    if held is None:
        held = KeptCreation(user_id=user_id, creation_id=creation.id)
        db.add(held)
    held.kind = creation.kind[:20]
    held.title = " ".join(creation.title.split())[:MAX_TITLE] or "Sticker"
    held.media_type = picture.media_type
    held.digest = picture.digest
    held.data = picture.data
    held.created_at = creation.created_at[:40]
    held.kept_at = utcnow()


def forget_creation(db: Session, user_id: int, creation_id: str) -> None:
    db.execute(delete(KeptCreation).where(KeptCreation.user_id == user_id,
                                          KeptCreation.creation_id == creation_id))


def kept_creations(db: Session, user_id: int) -> list[KeptCreation]:
    """Newest first, as the hub lists them."""
    return list(db.scalars(select(KeptCreation).where(KeptCreation.user_id == user_id)
                           .order_by(KeptCreation.created_at.desc())))


def ever_refreshed(db: Session, user_id: int) -> bool:
    return db.get(CreationsRefresh, user_id) is not None


# What became of asking the hub for the list, as the page that asked says it.
REFRESH_MESSAGES = {
    "done": "Your creations are up to date with Accounts Center.",
    "not-registered": "This app is not registered with an Accounts Center.",
    "not-added": "Add your account to Accounts Center (in Settings) to use your stickers "
                 "from there.",
    "not-declared": "Accounts Center refused: this app has not declared that it uses your "
                    "creations.",
    "unreachable": "Accounts Center could not be reached. Showing the stickers kept here; "
                   "try again later.",
    "refused": "Accounts Center refused to list your creations. Showing the stickers kept "
               "here.",
    "unfetched": "Some of your creations could not be fetched from Accounts Center. Try "
                 "again later.",
}


def refresh_creations(hub: HubConnection, db: Session, user: User,
                      log: logging.Logger) -> str:
    """Brings the kept copies in line with the hub's list: new ones fetched, gone ones
    forgotten; a key of REFRESH_MESSAGES. A refusal or an unreachable hub keeps what is
    kept. The hub is asked before anything is written."""
    if hub.client is None:
        return "not-registered"
    if not user.hub_linked:
        return "not-added"
    try:
        listed = hub.client.list_creations(str(user.id))
    except CreationsNotDeclared:
        return "not-declared"
    except HUB_FAILURES as failure:
        log.warning("list_creations refused or failed: %s", type(failure).__name__)
        note_refusal(user, failure)
        if isinstance(failure, UnknownAppUser):
            user.hub_linked = False  # the hub no longer has this link
            return "not-added"
        return "unreachable" if isinstance(failure, HubUnavailable) else "refused"
    held = {k.creation_id for k in kept_creations(db, user.id)}
    unfetched = False
    for creation in listed:
        if creation.id in held:
            continue  # a creation's picture never changes: the copy kept is current
        try:
            keep_creation(db, user.id, creation, fetch_creation_picture(hub, creation))
        except PictureUnavailable as failed:
            log.warning("creation %s was not fetched: %s", creation.id, failed)
            unfetched = True
    for creation_id in held - {c.id for c in listed}:
        forget_creation(db, user.id, creation_id)
    marker = db.get(CreationsRefresh, user.id)
    if marker is None:
        db.add(CreationsRefresh(user_id=user.id))
    else:
        marker.refreshed_at = utcnow()
    return "unfetched" if unfetched else "done"
