"""The person's cross-posts in the console (issue 14, points 5 to 7): their recent posts
with what became of each copy, the copies apps they removed still hold, "delete
everywhere", and asking a removed app to delete the copy it kept.

Deleting in the console sends `crosspost.deleted` to every app holding a copy, the
removed ones too (the person's right to erasure; `policy.decide_event`). The source app
is not sent an event — the catalogue tells only apps holding a copy — but it reads the
post as deleted (`GET /v1/app/crossposts/{id}`), and keeps its own item, which is its
own to keep or delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts_center.domain.errors import CrossPostNotFound
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.hub import Hub
from accounts_center.services.crosspost_ends import (
    CREATED,
    DELETED,
    FAILED,
    REFUSED,
    SENT,
    release_media,
    source_of,
    tell_copies,
    tell_copy,
)
from accounts_center.services.ledger import append_entry
from accounts_center.services.sharing import send_event
from accounts_center.store.crosspost_models import CrossPostCopyRow, CrossPostRow
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE
from accounts_center.store.unit_of_work import UnitOfWork

RECENT = 20


@dataclass(frozen=True)
class CopyOutcome:
    """One destination of a post as the person reads it. ``state``: ``not-sent`` (the
    gate refused it), ``sent`` (waiting for the app), ``delivered``, ``failed``,
    ``deleted-by-app`` (the app reported it deleted its copy), ``deleted`` or
    ``expired`` (told so), ``kept`` (an app the person removed still holds it)."""

    choice_id: str
    app: str
    type: str
    state: str
    updated_at: datetime


@dataclass(frozen=True)
class PersonCrossPost:
    id: str
    source_app: str
    type: str
    caption: str
    picture: str | None  # the digest while the hub holds the picture
    created_at: datetime
    expires_at: datetime | None
    deleted_at: datetime | None
    expired_at: datetime | None
    copies: tuple[CopyOutcome, ...]
    # The person's account in the source app is still added: deleting the post
    # everywhere asks that app to delete its original too.
    source_added: bool = False

    @property
    def live(self) -> bool:
        return self.deleted_at is None and self.expired_at is None

    @property
    def deletable(self) -> bool:
        """Live, or a removed app still holds a copy: "delete everywhere" has work."""
        return self.live or any(c.state == "kept" for c in self.copies)


@dataclass(frozen=True)
class KeptCopy:
    """A copy an app the person removed still holds."""

    crosspost_id: str
    choice_id: str
    app: str
    type: str
    source_app: str
    caption: str
    created_at: datetime
    post_live: bool
    delivered: bool


def recent_crossposts(hub: Hub, identity_id: str, limit: int = RECENT,
                      ) -> list[PersonCrossPost]:
    with hub.unit_of_work() as uow:
        names = _AppNames(uow)
        return [_person_view(uow, names, post)
                for post in uow.crossposts.recent_of_person(identity_id, limit)]


def crosspost_of_person(hub: Hub, identity_id: str, crosspost_id: str) -> PersonCrossPost:
    with hub.unit_of_work() as uow:
        post = uow.crossposts.get(crosspost_id)
        if post is None or post.identity_id != identity_id:
            raise CrossPostNotFound()
        return _person_view(uow, _AppNames(uow), post)


def kept_copies(hub: Hub, identity_id: str) -> list[KeptCopy]:
    with hub.unit_of_work() as uow:
        names = _AppNames(uow)
        return [KeptCopy(copy.crosspost_id, copy.choice_id, names(copy.destination_app_id),
                         copy.destination_type, names(post.source_app_id), post.caption,
                         post.created_at,
                         post.deleted_at is None and post.expired_at is None,
                         copy.state == CREATED)
                for copy, post in uow.crossposts.kept_by_removed_apps(identity_id)]


def delete_everywhere(hub: Hub, identity_id: str, crosspost_id: str) -> list[str]:
    """The person deletes a post: marked deleted (if it was live), every copy not yet
    told hears `crosspost.deleted` — at a removed app too — and the picture leaves the
    hub unless something else holds it. Ledgered; the names of the apps told. Deleting
    again tells no one twice."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        told = end_everywhere(uow, hub, _persons_post(uow, identity_id, crosspost_id), now)
        uow.commit()
    return told


def end_everywhere(uow: UnitOfWork, hub: Hub, post: CrossPostRow, now: datetime,
                   ) -> list[str]:
    """Inside the caller's transaction: `delete_everywhere` of one post."""
    was_live = post.deleted_at is None and post.expired_at is None
    if was_live:
        post.deleted_at = now
        uow.session.flush()
    source = source_of(uow, post)
    told = tell_copies(uow, hub, EventType.CROSSPOST_DELETED, post, source, now,
                       deletion_asked=True)
    if was_live:
        # "Everywhere" includes the post's own app: it hears its post was deleted (an app
        # the person removed hears nothing: the gate reads its link).
        send_event(uow, hub, EventType.CROSSPOST_DELETED, source, post.identity_id,
                   concerns=source, data={"crosspost_id": post.id, "post_type": post.type},
                   now=now)
    release_media(uow, hub, post)
    if was_live or told:
        _ledger(uow, hub, post, told, now)
    return told


def delete_kept_copy(hub: Hub, identity_id: str, crosspost_id: str, choice_id: str) -> str:
    """The person asks an app they removed to delete the copy it kept: that app alone
    hears `crosspost.deleted`; ledgered. Its name. A copy it no longer holds, or one at
    an app still added (use "delete everywhere"), → `CrossPostNotFound`."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        post = _persons_post(uow, identity_id, crosspost_id)
        copy = next((c for c in uow.crossposts.copies(post.id)
                     if c.choice_id == choice_id[:36] and _kept(uow, c)), None)
        if copy is None:
            raise CrossPostNotFound("No copy of this post is kept by an app you removed.")
        told = tell_copy(uow, hub, EventType.CROSSPOST_DELETED, post, copy,
                         source_of(uow, post), now, deletion_asked=True)
        app = uow.member_apps.by_id(copy.destination_app_id)
        name = app.name if app else ""
        if told:
            _ledger(uow, hub, post, [name], now)
        uow.commit()
    return name


# --- inside ------------------------------------------------------------------------------
class _AppNames:
    def __init__(self, uow: UnitOfWork) -> None:
        self._uow, self._names = uow, dict[str, str]()

    def __call__(self, app_id: str) -> str:
        if app_id not in self._names:
            app = self._uow.member_apps.by_id(app_id)
            self._names[app_id] = app.name if app else "an app since gone"
        return self._names[app_id]


def _persons_post(uow: UnitOfWork, identity_id: str, crosspost_id: str) -> CrossPostRow:
    post = uow.crossposts.get(crosspost_id, lock=True)
    if post is None or post.identity_id != identity_id:
        raise CrossPostNotFound()
    return post


def _kept(uow: UnitOfWork, copy: CrossPostCopyRow) -> bool:
    link = uow.links.get(copy.destination_link_id)
    return (copy.state in (SENT, CREATED) and copy.end_told_at is None
            and not _active(link))


def _outcome(uow: UnitOfWork, post: CrossPostRow, copy: CrossPostCopyRow) -> str:
    if copy.state == REFUSED:
        return "not-sent"
    if copy.state == DELETED:
        return "deleted-by-app"
    if copy.state == FAILED:
        return "failed"
    if copy.end_told_at is not None:
        # Told by the expiry sweep, or of a deletion (the source's, or one the person
        # asked for, of the post or of this copy alone).
        return "expired" if copy.end_told_at == post.expired_at else "deleted"
    if _kept(uow, copy):
        return "kept"
    return "delivered" if copy.state == CREATED else "sent"


def _person_view(uow: UnitOfWork, names: _AppNames, post: CrossPostRow) -> PersonCrossPost:
    return PersonCrossPost(
        # The picture only while the post is live: after, the person may no longer hold it.
        post.id, names(post.source_app_id), post.type, post.caption,
        post.digest if post.deleted_at is None and post.expired_at is None else None,
        post.created_at, post.expires_at, post.deleted_at, post.expired_at,
        tuple(CopyOutcome(c.choice_id, names(c.destination_app_id), c.destination_type,
                          _outcome(uow, post, c), c.updated_at)
              for c in uow.crossposts.copies(post.id)),
        _active(uow.links.get(post.source_link_id)))


def _active(link: LinkedAccountRow | None) -> bool:
    return link is not None and link.status == ACTIVE


def _ledger(uow: UnitOfWork, hub: Hub, post: CrossPostRow, told: list[str],
            now: datetime) -> None:
    source = uow.member_apps.by_id(post.source_app_id)
    append_entry(uow, hub, post.identity_id, LedgerKind.CROSSPOST_DELETED,
                 {"crosspost_id": post.id, "app_id": post.source_app_id,
                  "app": source.name if source else "an app", "type": post.type,
                  "told": sorted(told)}, now)
