"""The person's creations library (issue 13, point 5): stickers made from their avatar
and images they upload, made in the console or added by a linked app; hidden, shown
again or deleted by the person. Each change is one transaction, ledgered, and told
through the sharing gate to the linked apps that declare ``creations``:
`creation.added` (a new one, or one shown again) and `creation.deleted` (deleted, or
hidden: a hidden creation is gone for apps). A creation gone for apps takes its
picture's media grants with it, so a URL an app holds stops working at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts_center.domain.avatar import parse_avatar_spec
from accounts_center.domain.categories import DataCategory
from accounts_center.domain.creations import (
    CREATION_MEDIA,
    MADE_IN_HUB,
    STICKER_SIZE,
    CreationKind,
    check_expression,
    check_title,
    sticker_title,
)
from accounts_center.domain.errors import CreationNotFound, InvalidInput
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.profile import CONSOLE
from accounts_center.hub import Hub
from accounts_center.services.avatar_render import render_sticker
from accounts_center.services.creation_images import CreationPicture, render_creation_image
from accounts_center.services.ledger import append_entry
from accounts_center.services.media import grant_media, put_media, signed_media_url
from accounts_center.services.profiles import hub_render_cache
from accounts_center.services.sharing import Party, linked_parties, send_event
from accounts_center.store.creation_models import CreationRow
from accounts_center.store.unit_of_work import UnitOfWork

# An app is sent a URL signed for it alone, to fetch the picture now; later fetches use
# its client credentials while the grant stands.
MEDIA_URL_TTL = timedelta(hours=1)
CREATIONS = DataCategory.CREATIONS.value


class NoAvatarYet(InvalidInput):
    code = "creations/no-avatar"
    title = "No avatar yet"

    def __init__(self) -> None:
        super().__init__("Stickers are made from your avatar: make your avatar on the "
                         "Profile page first.", field="expression")


@dataclass(frozen=True)
class Creation:
    id: str
    kind: str
    title: str
    expression: str | None
    digest: str
    media_type: str
    width: int
    height: int
    made_in: str  # the app's name, or "Accounts Center"
    made_in_app_id: str | None
    hidden: bool
    created_at: datetime


def view(uow: UnitOfWork, row: CreationRow) -> Creation:
    app = uow.member_apps.by_id(row.made_in_app_id) if row.made_in_app_id else None
    return Creation(row.id, row.kind, row.title, row.expression, row.digest, row.media_type,
                    row.width, row.height, app.name if app else MADE_IN_HUB,
                    row.made_in_app_id, row.hidden, row.created_at)


def creation_document(creation: Creation, url: str) -> dict[str, Any]:
    """A creation as an app receives it (API answers and `creation.added`)."""
    return {"id": creation.id, "kind": creation.kind, "title": creation.title,
            "expression": creation.expression, "media_type": creation.media_type,
            "width": creation.width, "height": creation.height, "url": url,
            "made_in": creation.made_in, "created_at": creation.created_at.isoformat()}


# --- the person ----------------------------------------------------------------------------
def list_creations(hub: Hub, identity_id: str) -> list[Creation]:
    """All of the person's creations, hidden ones too, newest first."""
    with hub.unit_of_work() as uow:
        return [view(uow, row) for row in uow.creations.of_person(identity_id,
                                                                  include_hidden=True)]


def make_sticker(hub: Hub, identity_id: str, expression: str,
                 title: str | None = None) -> Creation:
    """A sticker of the person's saved avatar with ``expression``."""
    chosen = check_expression(expression)
    clean_title = check_title(title, sticker_title(chosen))
    with hub.unit_of_work() as uow:
        profile = uow.profiles.get(identity_id)
        document = profile.avatar if profile is not None else None
    if document is None:
        raise NoAvatarYet()
    try:
        spec = parse_avatar_spec(document)
    except InvalidInput:
        raise NoAvatarYet() from None
    made = render_sticker(spec, chosen, hub_render_cache(hub), size=STICKER_SIZE)
    picture = CreationPicture(made.content, made.media_type, STICKER_SIZE, STICKER_SIZE)
    return _store(hub, identity_id, CreationKind.STICKER, clean_title, chosen, picture)


def upload_creation(hub: Hub, identity_id: str, data: bytes,
                    title: str | None = None) -> Creation:
    """An image the person uploaded in the console (decoded before any transaction)."""
    clean_title = check_title(title, "Image")
    picture = render_creation_image(hub.settings, data)
    return _store(hub, identity_id, CreationKind.IMAGE, clean_title, None, picture)


def _store(hub: Hub, identity_id: str, kind: CreationKind, title: str,
           expression: str | None, picture: CreationPicture) -> Creation:
    with hub.unit_of_work() as uow:
        creation = add_creation(uow, hub, identity_id, kind, title, expression, picture,
                                maker=None)
        uow.commit()
    return creation


def add_creation(uow: UnitOfWork, hub: Hub, identity_id: str, kind: CreationKind,
                 title: str, expression: str | None, picture: CreationPicture, *,
                 maker: Party | None) -> Creation:
    """Within the caller's transaction: the creation, stored, ledgered and told to every
    linked app that declares creations except ``maker`` (the app it was made in)."""
    now = hub.clock.now()
    digest = put_media(uow, identity_id, picture.content, picture.media_type,
                       CREATION_MEDIA, 0, now)
    row = CreationRow(id=hub.new_id(), identity_id=identity_id, kind=kind.value,
                      title=title, expression=expression, digest=digest,
                      media_type=picture.media_type, width=picture.width,
                      height=picture.height,
                      made_in_app_id=maker.app_id if maker else None, hidden=False,
                      created_at=now)
    uow.creations.add(row)
    creation = view(uow, row)
    _ledger(uow, hub, identity_id, creation, "made" if maker is None else "added", maker, now)
    tell_added(uow, hub, identity_id, creation, now,
               skip=maker.app_id if maker else None)
    return creation


def set_hidden(hub: Hub, identity_id: str, creation_id: str, hidden: bool) -> bool:
    """Hides (apps are told it is deleted) or shows again (apps are told it is added);
    whether anything changed."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        row = uow.creations.get(identity_id, creation_id)
        if row is None:
            raise CreationNotFound()
        if row.hidden == hidden:
            return False
        row.hidden = hidden
        uow.session.flush()
        creation = view(uow, row)
        _ledger(uow, hub, identity_id, creation, "hidden" if hidden else "shown", None, now)
        if hidden:
            tell_deleted(uow, hub, identity_id, creation, now)
        else:
            tell_added(uow, hub, identity_id, creation, now, skip=None)
        uow.commit()
    return True


def delete_creation(hub: Hub, identity_id: str, creation_id: str) -> None:
    """Gone for the person and for every app at once: the row, the picture (unless
    another creation shows it), its grants, and a `creation.deleted` for each app."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        row = uow.creations.get(identity_id, creation_id)
        if row is None:
            raise CreationNotFound()
        creation = view(uow, row)
        uow.creations.delete(row)
        if not uow.creations.holding(identity_id, creation.digest, visible_only=False):
            uow.media.disown_digest(identity_id, CREATION_MEDIA, creation.digest)
        _ledger(uow, hub, identity_id, creation, "deleted", None, now)
        if not creation.hidden:  # a hidden one was already gone for apps
            tell_deleted(uow, hub, identity_id, creation, now)
        uow.commit()


def _ledger(uow: UnitOfWork, hub: Hub, identity_id: str, creation: Creation, action: str,
            maker: Party | None, now: datetime) -> None:
    append_entry(uow, hub, identity_id, LedgerKind.CREATION,
                 {"action": action, "kind": creation.kind,
                  "by": maker.app_id if maker else CONSOLE,
                  "app": maker.name if maker else "You"}, now,
                 values={"creation_id": creation.id, "title": creation.title,
                         "picture": creation.digest})


# --- telling the apps ----------------------------------------------------------------------
def declares_creations(receiver: Party) -> bool:
    return CREATIONS in receiver.receives


def tell_added(uow: UnitOfWork, hub: Hub, identity_id: str, creation: Creation,
               now: datetime, *, skip: str | None) -> None:
    """`creation.added` for each linked app that declares creations (but ``skip``),
    each through the gate; an allowed one is granted the picture its URL names."""
    for receiver in linked_parties(uow, identity_id):
        if receiver.app_id == skip or not declares_creations(receiver):
            continue
        # Minted before the decision (a signature, nothing stored); honoured only once
        # the grant below stands, which it does only if the gate allowed the event.
        url = signed_media_url(hub, creation.digest, receiver.client_id, MEDIA_URL_TTL)
        decision = send_event(uow, hub, EventType.CREATION_ADDED, receiver, identity_id,
                              concerns=None, now=now,
                              data={"creation": creation_document(creation, url)})
        if decision.allowed:
            grant_media(uow, creation.digest, receiver.app_id)


def tell_deleted(uow: UnitOfWork, hub: Hub, identity_id: str, creation: Creation,
                 now: datetime) -> None:
    """`creation.deleted` for each linked app that declares creations, and the picture's
    grants revoked unless the person still shares it (another visible creation, their
    photo or avatar)."""
    for receiver in linked_parties(uow, identity_id):
        if declares_creations(receiver):
            send_event(uow, hub, EventType.CREATION_DELETED, receiver, identity_id,
                       concerns=None, now=now, data={"creation_id": creation.id})
    still_shared = uow.creations.holding(identity_id, creation.digest, visible_only=True) \
        or uow.media.held_for_other_purposes(identity_id, CREATION_MEDIA, creation.digest)
    if not still_shared:
        uow.media.revoke_digest(identity_id, creation.digest)
