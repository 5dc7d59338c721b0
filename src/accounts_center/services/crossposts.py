"""Cross-posts from member apps (issue 14, points 3 and 4): a source app lists where its
user's post may go, posts it, reads each destination's state and deletes it; each
destination reports its own copy.

What an app learns is bounded by the person's choices: a source app hears only of the
destinations the person set to `ask` or `always` for it (never of their other apps), a
destination only of the copies it was sent. Every copy is one decision of the sharing
gate (`policy.decide_crosspost` through `sharing.send_event`), ledgered, and only an
allowed one writes `crosspost.created` to the outbox and grants that app the picture.

An app that did not declare the type → `CrossPostTypeNotDeclared` (before anything about
a person is looked up); an unknown or unlinked user → the data API's `UnknownAppUser`;
a post that is not the app's → `CrossPostNotFound`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts_center.domain.categories import CrossPostType
from accounts_center.domain.crosspost import (
    CrossPostMode,
    check_caption,
    check_expiry,
    parse_post_type,
)
from accounts_center.domain.errors import (
    CrossPostDestinationNotOffered,
    CrossPostNoDestination,
    CrossPostNotFound,
    CrossPostTypeNotDeclared,
    InvalidInput,
    UnknownAppUser,
)
from accounts_center.domain.events import EventType
from accounts_center.domain.policy import CrossPostFacts
from accounts_center.hub import Hub
from accounts_center.services.creation_images import render_creation_image
from accounts_center.services.crosspost_ends import (
    MEDIA,
    REFUSED,
    SENT,
    release_media,
    source_of,
    tell_copies,
)
from accounts_center.services.crosspost_routes import (
    CrossPostPair,
    declared,
    matrix_of,
    pairs_of,
)
from accounts_center.services.media import grant_media, put_media, signed_media_url
from accounts_center.services.member_apps import MemberApp
from accounts_center.services.sharing import Party, party, send_event
from accounts_center.store.crosspost_models import CrossPostCopyRow, CrossPostRow
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.unit_of_work import UnitOfWork

# The URL in the event is for fetching at once; a destination that is told later (after
# retries) fetches with its client credentials while its grant stands.
MEDIA_URL_TTL = timedelta(hours=1)
MAX_PICKED = 32
REPORTABLE = frozenset({"created", "failed", "deleted"})


@dataclass(frozen=True)
class Destination:
    """A destination as the source app sees it: ``id`` is opaque (the person's choice
    for this pair), never a link or app id."""

    id: str
    app: str
    type: str
    mode: str


@dataclass(frozen=True)
class CopyState:
    destination: Destination
    state: str
    updated_at: datetime


@dataclass(frozen=True)
class CrossPost:
    id: str
    type: str
    caption: str
    media_type: str
    expires_at: datetime | None
    created_at: datetime
    deleted_at: datetime | None
    expired_at: datetime | None
    destinations: tuple[CopyState, ...]


def destinations_for_app(hub: Hub, app: MemberApp, app_user_id: str,
                         post_type: str) -> list[Destination]:
    """Where this user's post of ``post_type`` may go: the `ask` and `always` ones."""
    kind = _declared_source(app, post_type)
    with hub.unit_of_work() as uow:
        link = _source_link(uow, app, app_user_id)
        return [_destination(p) for p in _offered(uow, link, kind)]


def create_crosspost(hub: Hub, app: MemberApp, app_user_id: str, post_type: str,
                     media: bytes, caption: str | None, expires_at: str | None,
                     picked: Sequence[str]) -> CrossPost:
    """The post, stored with its picture (checked, stripped and re-encoded like a photo),
    sent to every `always` destination and to the `ask` ones the person picked."""
    kind = _declared_source(app, post_type)
    text = check_caption(caption)
    if len(picked) > MAX_PICKED:
        raise InvalidInput(f"destinations: at most {MAX_PICKED}", field="destinations")
    now = hub.clock.now()
    expiry = check_expiry(expires_at, now)
    picture = render_creation_image(hub.settings, media, field="media")
    with hub.unit_of_work() as uow:
        link = _source_link(uow, app, app_user_id)
        offered = _offered(uow, link, kind)
        asked = {p.choice_id for p in offered if p.mode is CrossPostMode.ASK}
        strays = [choice for choice in picked if choice not in asked]
        if strays:
            raise CrossPostDestinationNotOffered(
                "destinations: not a destination offered for this person and type "
                "(list them with GET …/crosspost/destinations)", field="destinations")
        chosen = set(picked)
        going = [p for p in offered if p.mode is CrossPostMode.ALWAYS or p.choice_id in chosen]
        if not going:
            raise CrossPostNoDestination(
                "No destination: the person picked none, and none is set to always.",
                field="destinations")
        digest = put_media(uow, link.identity_id, picture.content, picture.media_type,
                           MEDIA, 0, now)
        post = CrossPostRow(id=hub.new_id(), identity_id=link.identity_id,
                            source_app_id=app.id, source_link_id=link.id, type=kind.value,
                            caption=text, digest=digest, media_type=picture.media_type,
                            expires_at=expiry, created_at=now, deleted_at=None)
        uow.crossposts.add(post)
        source = party(app, link)
        matrix = matrix_of(uow)
        for pair in going:
            _fan_out(uow, hub, post, source, pair, now, facts=CrossPostFacts(
                kind.value, pair.destination_type.value,
                frozenset(t.value for t in declared(app).crosspost_sources),
                frozenset(t.value for t in pair.destination_declares),
                direction_open=matrix.allows(kind, pair.destination_type),
                mode=pair.mode.value, picked=pair.choice_id in chosen))
        view = _view(uow, post)
        uow.commit()
    return view


def crosspost_for_source(hub: Hub, app: MemberApp, crosspost_id: str) -> CrossPost:
    with hub.unit_of_work() as uow:
        return _view(uow, _own_post(uow, app, crosspost_id))


def delete_crosspost(hub: Hub, app: MemberApp, crosspost_id: str) -> CrossPost:
    """The source deleted its item: the post is marked deleted and every destination
    that was sent a copy hears `crosspost.deleted` (once; deleting again is a no-op, and
    deleting a post that expired tells nobody again: each copy hears of one end)."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        post = _own_post(uow, app, crosspost_id, lock=True)
        if post.deleted_at is None:
            post.deleted_at = now
            uow.session.flush()
            if post.expired_at is None:  # an expired post's copies heard of it already
                tell_copies(uow, hub, EventType.CROSSPOST_DELETED, post,
                            party(app, uow.links.get(post.source_link_id)), now)
                release_media(uow, hub, post)
        view = _view(uow, post)
        uow.commit()
    return view


@dataclass(frozen=True)
class ReportedCopy:
    crosspost_id: str
    type: str
    state: str
    item_id: str | None


def report_copy(hub: Hub, app: MemberApp, crosspost_id: str, state: str,
                item_id: str | None, post_type: str | None = None) -> ReportedCopy:
    """A destination tells the hub what became of the copy it was sent: `created` (with
    its own item id), `failed` or `deleted`. Only a destination the copy was sent to
    finds the post; ``post_type`` picks among several copies of one post in one app."""
    if state not in REPORTABLE:
        raise InvalidInput("state: one of created, failed, deleted", field="state")
    if state == "created" and not item_id:
        raise InvalidInput("item_id: say which item the copy became", field="item_id")
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        copies = [c for c in uow.crossposts.copies_for_app(crosspost_id, app.id)
                  if c.state != REFUSED]
        if not copies:
            raise CrossPostNotFound()
        if post_type is not None:
            copies = [c for c in copies if c.destination_type == post_type]
            if not copies:
                raise CrossPostNotFound()
        if len(copies) > 1:
            raise InvalidInput("type: your app holds several copies of this post; say "
                               "which type this report is for", field="type")
        copy = copies[0]
        copy.state, copy.item_id, copy.updated_at = state, item_id, now
        uow.commit()
        return ReportedCopy(copy.crosspost_id, copy.destination_type, state, item_id)


def expire_due_crossposts(hub: Hub, now: datetime, limit: int = 100,
                          ) -> tuple[int, datetime | None]:
    """Posts whose ``expires_at`` ≤ ``now``, neither deleted nor expired: up to ``limit``
    marked expired, each copy told `crosspost.expired` (like a deletion) in the same
    transaction. Claimed atomically (`CrossPosts.claim_expired`), so workers racing
    tell each copy once. Returns how many expired and the next ``expires_at`` to come;
    when none is due, it costs one indexed query."""
    with hub.unit_of_work() as uow:
        upcoming = uow.crossposts.next_expiry()
        if upcoming is None or upcoming > now:
            return 0, upcoming
        expired = uow.crossposts.claim_expired(now, limit)
        for post in expired:
            tell_copies(uow, hub, EventType.CROSSPOST_EXPIRED, post, source_of(uow, post),
                        now)
            release_media(uow, hub, post)
        upcoming = uow.crossposts.next_expiry()
        uow.commit()
    return len(expired), upcoming


# --- inside ------------------------------------------------------------------------------
def _declared_source(app: MemberApp, post_type: str) -> CrossPostType:
    kind = parse_post_type(post_type)
    if kind not in declared(app).crosspost_sources:
        raise CrossPostTypeNotDeclared(app.name, kind.value)
    return kind


def _source_link(uow: UnitOfWork, app: MemberApp, app_user_id: str) -> LinkedAccountRow:
    link = uow.links.active_for_app_user(app.id, app_user_id)
    if link is None:
        raise UnknownAppUser("This app has no linked account with that user id.")
    return link


def _offered(uow: UnitOfWork, link: LinkedAccountRow,
             kind: CrossPostType) -> list[CrossPostPair]:
    return sorted((p for p in pairs_of(uow, link.identity_id)
                   if p.source_link_id == link.id and p.source_type is kind
                   and p.mode is not CrossPostMode.OFF), key=lambda p: p.choice_id or "")


def _destination(pair: CrossPostPair) -> Destination:
    assert pair.choice_id is not None
    return Destination(pair.choice_id, pair.destination_app, pair.destination_type.value,
                       pair.mode.value)


def _fan_out(uow: UnitOfWork, hub: Hub, post: CrossPostRow, source: Party,
             pair: CrossPostPair, now: datetime, *, facts: CrossPostFacts) -> None:
    """One copy: decided by the gate on the facts read now, ledgered, and only if
    allowed sent and granted."""
    destination_app = uow.member_apps.by_id(pair.destination_app_id)
    destination_link = uow.links.get(pair.destination_link_id)
    assert destination_app is not None and destination_link is not None
    receiver = party(destination_app, destination_link)
    # Minted before the decision (a signature, nothing stored); honoured only once the
    # grant below stands, which it does only if the gate allowed the copy.
    assert post.digest is not None  # a new post holds its picture
    url = signed_media_url(hub, post.digest, receiver.client_id, MEDIA_URL_TTL)
    decision = send_event(
        uow, hub, EventType.CROSSPOST_CREATED, receiver, post.identity_id,
        concerns=source,
        data={"crosspost_id": post.id, "post_type": pair.destination_type.value,
              "caption": post.caption, "media_url": url, "media_type": post.media_type,
              "expires_at": post.expires_at.isoformat() if post.expires_at else None},
        now=now, crosspost=facts)
    if decision.allowed:
        grant_media(uow, post.digest, receiver.app_id)
    assert pair.choice_id is not None
    uow.crossposts.add_copy(CrossPostCopyRow(
        crosspost_id=post.id, choice_id=pair.choice_id, destination_app_id=receiver.app_id,
        destination_link_id=destination_link.id,
        destination_type=pair.destination_type.value, mode=pair.mode.value,
        state=SENT if decision.allowed else REFUSED,
        reason=None if decision.allowed else decision.reason.value, updated_at=now))


def _own_post(uow: UnitOfWork, app: MemberApp, crosspost_id: str,
              lock: bool = False) -> CrossPostRow:
    post = uow.crossposts.get(crosspost_id, lock=lock)
    if post is None or post.source_app_id != app.id:
        raise CrossPostNotFound()
    return post


def _view(uow: UnitOfWork, post: CrossPostRow) -> CrossPost:
    copies = []
    for row in uow.crossposts.copies(post.id):
        app = uow.member_apps.by_id(row.destination_app_id)
        copies.append(CopyState(Destination(row.choice_id, app.name if app else "",
                                            row.destination_type, row.mode),
                                row.state, row.updated_at))
    return CrossPost(post.id, post.type, post.caption, post.media_type, post.expires_at,
                     post.created_at, post.deleted_at, post.expired_at, tuple(copies))
