"""The canonical profile (issue 13, points 1, 2, 7): the person edits it in the console; a
linked app whose user edits their profile there writes the fields the person keeps in
sync with it; every write is one transaction, merged last-writer-wins by the hub's clock
(the loser kept in the person's history), ledgered, and told as `profile.updated` through
the sharing gate to each other linked app that keeps that field in sync.

The photo and avatar features set their fields with `set_profile_photo` and
`set_profile_avatar`; they are opaque values here (a media digest, an avatar spec)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from accounts_center.domain.avatar import parse_avatar_spec
from accounts_center.domain.categories import Purpose
from accounts_center.domain.errors import (
    InvalidInput,
    InvalidInputs,
    NotFound,
    ProfileFieldNotSynced,
    UnknownAppUser,
)
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.policy import HUB, Flow
from accounts_center.domain.profile import (
    CATEGORY_OF,
    CONSOLE,
    LABELS,
    SYNCABLE,
    ProfileField,
    Written,
    check_changes,
    merge,
)
from accounts_center.hub import Hub
from accounts_center.services.avatar_render import (
    AvatarRenderCache,
    InProcessRenderCache,
    render_avatar,
)
from accounts_center.services.ledger import append_entry
from accounts_center.services.media import DIGEST, grant_media, put_media, signed_media_url
from accounts_center.services.member_apps import MemberApp
from accounts_center.services.sharing import (
    Party,
    decide_flow,
    linked_parties,
    party,
    record_flow,
    send_event,
)
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE
from accounts_center.store.profile_models import ProfileHistoryRow, ProfileRow
from accounts_center.store.unit_of_work import UnitOfWork

_COLUMN = {ProfileField.NAME: "display_name", ProfileField.HANDLE: "handle",
           ProfileField.BIO: "bio", ProfileField.PHOTO: "photo",
           ProfileField.AVATAR: "avatar"}

_LABEL_OF = {field.value: label for field, label in LABELS.items()}
# An app is sent a signed URL for the photo or the avatar's PNG, valid this long: to fetch
# it now (a later fetch uses its client credentials while the grant stands).
MEDIA_URL_TTL = timedelta(hours=1)
AVATAR_PNG = "avatar"
AVATAR_PNG_SIZE = 256


@dataclass(frozen=True)
class ProfileView:
    name: str | None
    handle: str | None
    bio: str | None
    photo: str | None
    avatar: dict[str, Any] | None
    updated_at: datetime | None

    def get(self, field: ProfileField) -> Any:
        return getattr(self, field.value)


@dataclass(frozen=True)
class HistoryItem:
    field: str
    label: str
    old: Any
    new: Any
    by: str
    by_name: str
    at: datetime
    won: bool


@dataclass(frozen=True)
class SyncSwitches:
    link_id: str
    app_name: str
    handle: str
    enabled: Mapping[str, bool]  # syncable field → on


@dataclass(frozen=True)
class Outcome:
    """What one write did, field by field: whether each change won."""

    profile: ProfileView
    won: Mapping[str, bool]


EMPTY = ProfileView(None, None, None, None, None, None)


def _view(row: ProfileRow | None) -> ProfileView:
    if row is None:
        return EMPTY
    return ProfileView(row.display_name, row.handle, row.bio, row.photo,
                       dict(row.avatar) if row.avatar is not None else None, row.updated_at)


# --- the person --------------------------------------------------------------------------
def read_profile(hub: Hub, identity_id: str) -> ProfileView:
    with hub.unit_of_work() as uow:
        return _view(uow.profiles.get(identity_id))


def edit_profile(hub: Hub, identity_id: str, changes: Mapping[str, object],
                 by: str = CONSOLE) -> Outcome:
    """The person's own edit (``by`` = console). Every bad value is refused at once
    (`InvalidInputs`, each naming its field)."""
    clean = check_changes(changes)
    now = hub.clock.now()
    try:
        with hub.unit_of_work() as uow:
            outcome = apply_changes(uow, hub, identity_id, clean, by, "You", None, now)
            uow.commit()
    except IntegrityError:
        # Someone else took the handle between our check and our write (the unique
        # constraint is the arbiter; the check above only makes the usual case readable).
        if ProfileField.HANDLE not in clean:
            raise
        raise _handle_taken() from None
    return outcome


def set_profile_photo(hub: Hub, identity_id: str, digest: str | None) -> Outcome:
    """The photo feature's seam: the profile photo becomes the media ``digest`` (None
    removes it); synced apps are told like for any change."""
    return edit_profile(hub, identity_id, {ProfileField.PHOTO.value: digest})


def set_profile_avatar(hub: Hub, identity_id: str,
                       spec: Mapping[str, Any] | None) -> Outcome:
    """The avatar feature's seam: the avatar becomes the spec document ``spec`` (None
    removes it)."""
    return edit_profile(hub, identity_id, {ProfileField.AVATAR.value: spec})


def profile_history(hub: Hub, identity_id: str) -> list[HistoryItem]:
    with hub.unit_of_work() as uow:
        return [HistoryItem(row.field, _LABEL_OF.get(row.field, row.field), row.old,
                            row.new, row.by, row.by_name, row.at, row.won)
                for row in uow.profiles.history(identity_id)]


def apply_changes(uow: UnitOfWork, hub: Hub, identity_id: str,
                  changes: Mapping[ProfileField, Any], by: str, by_name: str,
                  writer: Party | None, at: datetime) -> Outcome:
    """Checked changes, inside the caller's transaction, stamped ``at`` (the hub's clock
    when the write arrived): merged field by field, kept in history, ledgered, and told to
    the apps that keep a changed field in sync (not the app that wrote it)."""
    row = uow.profiles.lock(identity_id)
    if row is None:
        row = ProfileRow(identity_id=identity_id, updated_at=at, updated_by=by,
                         field_times={})
        uow.profiles.add(row)
        row = uow.profiles.lock(identity_id)
        assert row is not None
    handle = changes.get(ProfileField.HANDLE)
    if handle is not None and handle != row.handle \
            and uow.profiles.handle_taken(handle, identity_id):
        raise _handle_taken()
    times = dict(row.field_times or {})
    won: dict[str, bool] = {}
    told: list[ProfileField] = []
    for field, value in changes.items():
        column = _COLUMN[field]
        held_at = times.get(field.value)
        current = (Written(getattr(row, column), datetime.fromisoformat(held_at), "")
                   if held_at else None)
        result = merge(current, Written(value, at, by))
        old = getattr(row, column)
        if result.won:
            setattr(row, column, value)
            times[field.value] = at.isoformat()
            row.updated_at, row.updated_by = at, by
            if old != value and field in SYNCABLE:
                told.append(field)
        won[field.value] = result.won
        uow.profiles.record(ProfileHistoryRow(
            id=hub.new_id(), identity_id=identity_id, field=field.value, old=old,
            new=value, by=by, by_name=by_name[:80], at=at, won=result.won))
        append_entry(uow, hub, identity_id, LedgerKind.PROFILE,
                     {"field": field.value, "label": LABELS[field], "by": by,
                      "app": by_name, "won": result.won}, at,
                     values={field.value: value})
    row.field_times = times
    uow.session.flush()
    for field in told:
        _tell_synced_apps(uow, hub, identity_id, field, getattr(row, _COLUMN[field]),
                          at, skip=writer.app_id if writer else None)
    return Outcome(_view(row), won)


def _handle_taken() -> InvalidInputs:
    return InvalidInputs([InvalidInput("Handle is taken: choose another",
                                       field=ProfileField.HANDLE.value)])


def _tell_synced_apps(uow: UnitOfWork, hub: Hub, identity_id: str, field: ProfileField,
                      value: Any, now: datetime, *, skip: str | None) -> None:
    receivers = [r for r in linked_parties(uow, identity_id) if r.app_id != skip]
    synced = uow.profiles.synced_fields_of([r.link.id for r in receivers if r.link])
    for receiver in receivers:
        assert receiver.link is not None
        if field.value in synced.get(receiver.link.id, ()):
            _send_field(uow, hub, receiver, identity_id, field, value, now, now)


def _send_field(uow: UnitOfWork, hub: Hub, receiver: Party, identity_id: str,
                field: ProfileField, value: Any, updated_at: datetime | None,
                now: datetime) -> None:
    digest = _media_digest(uow, hub, identity_id, field, value, now)
    # Minted before the decision (a signature, nothing stored); honoured only once the
    # grant below stands, which it does only if the gate allowed the event.
    url = signed_media_url(hub, digest, receiver.client_id, MEDIA_URL_TTL) if digest else None
    decision = send_event(
        uow, hub, EventType.PROFILE_UPDATED, receiver, identity_id, concerns=None,
        data={"field": field.value, "value": value, "media_url": url,
              "updated_at": updated_at.isoformat() if updated_at else None},
        now=now, categories=(CATEGORY_OF[field].value,))
    if decision.allowed and digest:
        grant_media(uow, digest, receiver.app_id)


def _media_digest(uow: UnitOfWork, hub: Hub, identity_id: str, field: ProfileField,
                  value: Any, now: datetime) -> str | None:
    """The media an app is sent with a field's value: the photo's own digest; for an
    avatar, its 256 px PNG (rendered once, kept in the media store as the person's)."""
    if value is None:
        return None
    if field is ProfileField.PHOTO:
        # Only media the person owns: a value an app wrote may name anything.
        digest = str(value)
        return digest if DIGEST.match(digest) and uow.media.owned_by(
            identity_id, digest) is not None else None
    if field is not ProfileField.AVATAR:
        return None
    try:
        spec = parse_avatar_spec(value)
    except InvalidInput:
        return None
    held = {row.rendition: row.digest for row in uow.media.owned(identity_id, AVATAR_PNG)}
    made = render_avatar(spec, hub_render_cache(hub), format="png", size=AVATAR_PNG_SIZE)
    if held.get(AVATAR_PNG_SIZE) == hashlib.sha256(made.content).hexdigest():
        return held[AVATAR_PNG_SIZE]
    uow.media.disown(identity_id, AVATAR_PNG)
    return put_media(uow, identity_id, made.content, made.media_type, AVATAR_PNG,
                     AVATAR_PNG_SIZE, now)


def hub_render_cache(hub: Hub) -> AvatarRenderCache:
    cache = hub.memo.get("avatar-renders")
    if cache is None:
        cache = hub.memo["avatar-renders"] = InProcessRenderCache()
    assert isinstance(cache, InProcessRenderCache)
    return cache


# --- sync switches -----------------------------------------------------------------------
def sync_switches(hub: Hub, identity_id: str) -> list[SyncSwitches]:
    """One row per linked app, a switch per syncable field."""
    with hub.unit_of_work() as uow:
        rows = []
        parties = linked_parties(uow, identity_id)
        # Oldest link first; apps linked in the same instant by name, on every engine.
        for linked in sorted(parties, key=lambda p: (p.link.linked_at if p.link else 0,
                                                      p.name)):
            assert linked.link is not None
            on = uow.profiles.synced_fields(linked.link.id)
            rows.append(SyncSwitches(linked.link.id, linked.name, linked.link.handle,
                                     {f.value: f.value in on for f in SYNCABLE}))
        return rows


def syncable_field(name: str) -> ProfileField:
    try:
        field = ProfileField(name)
    except ValueError:
        field = None
    if field is None or field not in SYNCABLE:
        raise InvalidInput("Only the name, photo and avatar can be kept in sync",
                           field="field")
    return field


def set_sync(hub: Hub, identity_id: str, link_id: str, field: str, enabled: bool) -> bool:
    """The person's switch for one field of one link; whether it changed. Turning it on
    sends the current value to that app (through the gate)."""
    chosen = syncable_field(field)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = uow.links.get(link_id)
        if link is None or link.identity_id != identity_id or link.status != ACTIVE:
            raise NotFound("There is no such added account.")
        changed = turn_sync(uow, hub, link, chosen, enabled, now)
        uow.commit()
    return changed


def turn_sync(uow: UnitOfWork, hub: Hub, link: LinkedAccountRow, field: ProfileField,
              enabled: bool, now: datetime) -> bool:
    """Inside the caller's transaction (also used when a link becomes active with the
    choices of its disclosure page)."""
    if not uow.profiles.set_sync(link.id, field.value, enabled, now):
        return False
    app = uow.member_apps.by_id(link.app_id)
    if app is None:
        return True
    append_entry(uow, hub, link.identity_id, LedgerKind.PROFILE_SYNC,
                 {"app_id": app.id, "app": app.name, "link_id": link.id,
                  "field": field.value, "label": LABELS[field], "enabled": enabled}, now)
    if enabled:
        row = uow.profiles.get(link.identity_id)
        if row is not None and getattr(row, _COLUMN[field]) is not None:
            held = (row.field_times or {}).get(field.value)
            _send_field(uow, hub, party(app, link), link.identity_id, field,
                        getattr(row, _COLUMN[field]),
                        datetime.fromisoformat(held) if held else row.updated_at, now)
    return True


# --- member apps --------------------------------------------------------------------------
def _active_link(uow: UnitOfWork, hub: Hub, app: MemberApp, app_user_id: str,
                 direction: str, now: datetime) -> LinkedAccountRow:
    """The user's active link. An app still asking once the person removed the link gets
    the same 404 as for a user never linked, and the person's ledger shows it asking
    (refused: link-not-active), as with the data API."""
    link = uow.links.active_for_app_user(app.id, app_user_id)
    if link is not None:
        return link
    removed = uow.links.latest_removed_for_app_user(app.id, app_user_id)
    if removed is not None:
        flow = Flow(*((HUB, app.id) if direction == "read" else (app.id, HUB)),
                    removed.identity_id, CATEGORY_OF[ProfileField.NAME].value,
                    Purpose.CROSS_APP_FEATURES.value)
        asker = party(app, removed)
        record_flow(uow, hub, flow, asker, decide_flow(uow, flow, asker), direction, now,
                    None)
        uow.commit()
    raise UnknownAppUser("This app has no linked account with that user id.")


def app_update_profile(hub: Hub, app: MemberApp, app_user_id: str,
                       changes: Mapping[str, object]) -> Outcome:
    """The app's user edited their profile there: only the fields the person keeps in
    sync with this app are taken (any other → 403, nothing written)."""
    known = {f.value for f in ProfileField}
    unknown = [name for name in changes if name not in known]
    if unknown or not changes:
        check_changes(changes)  # raises, naming each unknown field
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = _active_link(uow, hub, app, app_user_id, "push", now)
        synced = frozenset(ProfileField(f) for f in uow.profiles.synced_fields(link.id))
        refused = sorted(name for name in changes if ProfileField(name) not in synced)
        if refused:
            raise ProfileFieldNotSynced(
                f"{', '.join(refused)}: the person does not keep "
                f"{'this field' if len(refused) == 1 else 'these fields'} in sync with "
                f"{app.name}", field=refused[0])
        clean = check_changes(changes)
        writer = party(app, link)
        outcome = apply_changes(uow, hub, link.identity_id, clean, app.id, app.name,
                                writer, now)
        uow.commit()
    return outcome


@dataclass(frozen=True)
class AppProfile:
    values: Mapping[str, Any]  # the synced fields the gate allowed
    withheld: Mapping[str, str]  # synced fields the gate refused → the reason
    updated_at: datetime | None


def read_profile_for_app(hub: Hub, app: MemberApp, app_user_id: str) -> AppProfile:
    """The fields the person keeps in sync with this app: one gate decision per category
    among them, each ledgered; a refused category's fields are withheld, saying why."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = _active_link(uow, hub, app, app_user_id, "read", now)
        synced = [f for f in SYNCABLE if f.value in uow.profiles.synced_fields(link.id)]
        row = uow.profiles.get(link.identity_id)
        reader = party(app, link)
        values: dict[str, Any] = {}
        withheld: dict[str, str] = {}
        for category in dict.fromkeys(CATEGORY_OF[f] for f in synced):
            fields = [f for f in synced if CATEGORY_OF[f] is category]
            flow = Flow(HUB, app.id, link.identity_id, category.value,
                        Purpose.CROSS_APP_FEATURES.value)
            decision = decide_flow(uow, flow, reader)
            given = {f.value: getattr(row, _COLUMN[f]) if row else None for f in fields}
            record_flow(uow, hub, flow, reader, decision, "read", now,
                        given if decision.allowed else None)
            if decision.allowed:
                values.update(given)
                for field in fields:
                    digest = _media_digest(uow, hub, link.identity_id, field,
                                           given[field.value], now)
                    if digest:
                        grant_media(uow, digest, app.id)
                        values[f"{field.value}_url"] = signed_media_url(
                            hub, digest, app.client_id, MEDIA_URL_TTL)
            else:
                withheld.update({f.value: decision.reason.value for f in fields})
        uow.commit()
    return AppProfile(values, withheld, row.updated_at if row else None)
