"""How a cross-post ends (issue 14, points 5 and 6), whoever ends it: its source app, the
expiry sweep, or the person in the console.

Each copy hears of its post's end once (`crosspost.deleted` or `crosspost.expired`),
through the gate: an app removed since hears nothing of a deletion its source made or of
an expiry, and keeps its copy as the person left it (as the source article's "previously
shared data") — listed for the person, who may ask it to delete the copy: that request,
and "delete everywhere", are the person's to make, and reach a removed app too
(`policy.decide_event`, ``deletion_asked``). Once no live post of the person shows the
picture and nothing else holds it, the picture leaves the hub."""

from __future__ import annotations

from datetime import datetime

from accounts_center.domain.events import EventType
from accounts_center.hub import Hub
from accounts_center.services.media import forget_cached_media
from accounts_center.services.sharing import Party, party, send_event
from accounts_center.store.crosspost_models import CrossPostCopyRow, CrossPostRow
from accounts_center.store.unit_of_work import UnitOfWork

MEDIA = "crosspost"  # the media store's purpose for cross-posts' pictures
SENT, REFUSED, CREATED, FAILED, DELETED = "sent", "refused", "created", "failed", "deleted"


def untold(copy: CrossPostCopyRow) -> bool:
    """The copy was sent, its app has not said it deleted it, and it has not heard of
    its post's end."""
    return copy.state not in (REFUSED, DELETED) and copy.end_told_at is None


def tell_copies(uow: UnitOfWork, hub: Hub, event: EventType, post: CrossPostRow,
                source: Party, now: datetime, *, deletion_asked: bool = False) -> list[str]:
    """The post's end for each copy that has not heard of it (the callers mark the post
    first); the names of the apps told. Each app's grant of the picture goes unless it
    still holds the picture otherwise."""
    told = []
    holders = PictureHolders(uow, post)  # read once for all the post's copies
    for copy in uow.crossposts.copies(post.id):
        if untold(copy) and tell_copy(uow, hub, event, post, copy, source, now,
                                      deletion_asked=deletion_asked, holders=holders):
            destination = uow.member_apps.by_id(copy.destination_app_id)
            told.append(destination.name if destination else "")
    return told


def tell_copy(uow: UnitOfWork, hub: Hub, event: EventType, post: CrossPostRow,
              copy: CrossPostCopyRow, source: Party, now: datetime, *,
              deletion_asked: bool = False, holders: PictureHolders | None = None) -> bool:
    """One copy told (through the gate); whether it was allowed."""
    destination = uow.member_apps.by_id(copy.destination_app_id)
    if destination is None:
        return False
    receiver = party(destination, uow.links.get(copy.destination_link_id))
    decision = send_event(uow, hub, event, receiver, post.identity_id, concerns=source,
                          data={"crosspost_id": post.id, "post_type": copy.destination_type},
                          now=now, holds_copy=True,
                          deletion_asked=deletion_asked)
    if decision.allowed:
        copy.end_told_at = now
    if post.digest is not None and not (holders or PictureHolders(uow, post)).need(
            receiver.app_id):
        uow.media.revoke_app_digest(post.identity_id, receiver.app_id, post.digest)
    return decision.allowed


class PictureHolders:
    """Who still needs an ended post's picture: the apps holding a copy of another live
    post of the person's with it — or everyone, when the person holds it for another
    purpose (a profile photo, a creation). Read once, on first use: telling a post's
    copies changes neither."""

    def __init__(self, uow: UnitOfWork, post: CrossPostRow) -> None:
        self._uow, self._post = uow, post
        self._apps: set[str] | None = None
        self._elsewhere = False

    def need(self, app_id: str) -> bool:
        post = self._post
        assert post.digest is not None
        if self._apps is None:
            self._apps = self._uow.crossposts.apps_with_live_copies(post.identity_id,
                                                                   post.digest)
            self._elsewhere = self._uow.media.held_for_other_purposes(
                post.identity_id, MEDIA, post.digest)
        return self._elsewhere or app_id in self._apps


def release_media(uow: UnitOfWork, hub: Hub, post: CrossPostRow) -> bool:
    """After ``post`` ended: unless another live post of the person's shows its picture,
    the person no longer holds it as a cross-post's; and when nobody holds it any more
    (for a profile photo, a creation, or another person's post), its bytes are deleted.
    Whether they were."""
    digest = post.digest
    if digest is None or uow.crossposts.live_posts_with(post.identity_id, digest):
        return False
    uow.media.disown_digest(post.identity_id, MEDIA, digest)
    if not uow.media.held_for_other_purposes(post.identity_id, MEDIA, digest):
        uow.media.revoke_digest(post.identity_id, digest)
    if not uow.media.delete_if_unowned(digest):
        return False
    post.digest = None  # as the database did to every post that showed it (SET NULL)
    forget_cached_media(hub, digest)
    return True


def source_of(uow: UnitOfWork, post: CrossPostRow) -> Party:
    app = uow.member_apps.by_id(post.source_app_id)
    assert app is not None  # the post goes with its app (ON DELETE CASCADE)
    return party(app, uow.links.get(post.source_link_id))
