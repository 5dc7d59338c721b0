"""Adding and removing app accounts (linking), and the person's view of them
(DESIGN §4.1, §4.3; SECURITY-CHECKLIST 18-22).

Adding is two steps. The person confirms at the hub (`confirm_link`): that makes a
*pending* link and an authorization code for the app. Only when the app that pushed the
request redeems that code with its PKCE verifier (`activate_link`, from the token
endpoint) does the link become active — before that nothing is shared, no sign-in uses
it, and it lapses with the code. Otherwise an attacker could start "Add to Accounts
Center" in an app as themselves and have a victim confirm it, tying the attacker's app
account to the victim (issue 10, point 3): the app would refuse that code, since the
browser that brings it is not the one that started, so the link never becomes active.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts_center.domain.categories import DataCategory, Purpose
from accounts_center.domain.errors import LinkConflict, NotFound
from accounts_center.domain.events import EventType
from accounts_center.domain.ledger_kinds import LedgerKind
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.hub import Hub
from accounts_center.services.crosspost_on_link import apply_link_choices, checked_choices
from accounts_center.services.data_flows import push_in
from accounts_center.services.ledger import append_entry
from accounts_center.services.media import revoke_media_grants
from accounts_center.services.member_apps import member_app_view
from accounts_center.services.profiles import syncable_field, turn_sync
from accounts_center.services.security_log import record_security_event
from accounts_center.services.sharing import Party, party, tell_linked_apps
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE, PENDING, REMOVED
from accounts_center.store.models import MemberAppRow
from accounts_center.store.unit_of_work import UnitOfWork

# Longer than the authorization code (60 s): the confirmation lapses with it.
CONFIRMATION_LIFETIME = timedelta(minutes=2)


@dataclass(frozen=True)
class LinkView:
    id: str
    app_name: str
    app_client_id: str
    handle: str
    linked_at: datetime
    sign_in_enabled: bool


@dataclass(frozen=True)
class Unlinked:
    link_id: str
    app_name: str


def confirm_link(uow: UnitOfWork, hub: Hub, identity_id: str, app: MemberAppRow,
                 app_user_id: str, handle: str, origin: RequestOrigin, now: datetime,
                 birth_date: str | None = None,
                 profile_sync: Sequence[str] = (),
                 crosspost: Sequence[str] = ()) -> LinkedAccountRow:
    """The person's confirmation, inside the caller's transaction: a pending link (or the
    active one, when this very account is already added to this person). ``crosspost``:
    the disclosure page's cross-posting answers (`crosspost_on_link.checked_choices`)."""
    existing = uow.links.active_for_app_user(app.id, app_user_id)
    if existing is not None:
        if existing.identity_id == identity_id:
            return existing  # confirming twice is harmless
        raise _taken(app)
    _refuse_second_account(uow, identity_id, app)
    crossposting = checked_choices(uow, identity_id, app, crosspost)
    row = LinkedAccountRow(
        id=hub.new_id(), identity_id=identity_id, app_id=app.id, app_user_id=app_user_id,
        handle=handle, status=PENDING, sign_in_enabled=True, linked_at=now,
        expires_at=now + CONFIRMATION_LIFETIME,
        activation={"ip": origin.ip, "user_agent": origin.user_agent,
                    **({"birth_date": birth_date} if birth_date else {}),
                    **({"profile_sync": [syncable_field(f).value for f in profile_sync]}
                       if profile_sync else {}),
                    **({"crosspost": crossposting} if crossposting else {})})
    uow.links.add(row)
    return row


def activate_link(uow: UnitOfWork, hub: Hub, link_id: str,
                  now: datetime) -> LinkedAccountRow | None:
    """The app redeemed the code of a confirmation (after its PKCE verifier was checked),
    inside the token request's transaction: the link becomes active, and only now is the
    person told, the ledger written, the app told, and a birth date the app brought
    taken in. None when the confirmation lapsed or the link is gone."""
    link = uow.links.lock(link_id)
    if link is None or link.status == REMOVED:
        return None
    if link.status == ACTIVE:
        return link
    if link.expires_at is None or link.expires_at <= now:
        return None
    app = uow.member_apps.by_id(link.app_id)
    if app is None:
        return None
    # Someone else may have added this app account, or this person another one, since.
    taken = uow.links.active_for_app_user(app.id, link.app_user_id)
    if taken is not None:
        raise _taken(app)
    _refuse_second_account(uow, link.identity_id, app)
    activation = dict(link.activation or {})
    link.status, link.linked_at, link.expires_at, link.activation = ACTIVE, now, None, None
    uow.session.flush()
    origin = RequestOrigin(str(activation.get("ip", "")), str(activation.get("user_agent", "")))
    record_security_event(uow, link.identity_id, SecurityEventKind.ACCOUNT_LINKED, origin, now,
                          {"app": app.name, "handle": link.handle})
    append_entry(uow, hub, link.identity_id, LedgerKind.LINK,
                 {"app_id": app.id, "app": app.name, "link_id": link.id}, now,
                 values={"app_user_id": link.app_user_id, "handle": link.handle})
    added = party(app, link)
    _tell_of_link(uow, hub, EventType.ACCOUNT_LINKED, added, now)
    for field in activation.get("profile_sync") or ():
        # The choices of the disclosure page, only now that the link is real.
        turn_sync(uow, hub, link, syncable_field(str(field)), True, now)
    if activation.get("crosspost"):
        apply_link_choices(uow, hub, link, activation["crosspost"], now)
    if activation.get("birth_date"):
        # Age the app brought with its request: one push through the policy, ledgered.
        push_in(uow, hub, member_app_view(app), link, DataCategory.AGE,
                Purpose.CROSS_APP_FEATURES, {"birth_date": activation["birth_date"]}, now)
    return link


def _taken(app: MemberAppRow) -> LinkConflict:
    return LinkConflict(f"This {app.name} account is already added to another Accounts "
                        "Center login. Remove it there first, then add it here.")


def _refuse_second_account(uow: UnitOfWork, identity_id: str, app: MemberAppRow) -> None:
    held = uow.links.lock_active_of_identity(identity_id)
    same_app = [link for link in held if link.app_id == app.id]
    if same_app and not app.capabilities.get("multiple_accounts_per_identity", False):
        raise LinkConflict(f"Your Accounts Center already holds a {app.name} account "
                           f"({same_app[0].handle}). Remove it first to add a different one.")


def _tell_of_link(uow: UnitOfWork, hub: Hub, event: EventType, changed: Party,
                  now: datetime) -> None:
    """The app whose link changed hears of it; the person's other apps do not (the gate
    ledgers that they were not told)."""
    assert changed.link is not None
    tell_linked_apps(uow, hub, event, changed.link.identity_id, concerns=changed, now=now,
                     also=[changed], data_for=lambda receiver: {
                         "app": changed.name, "your_account": receiver.app_id == changed.app_id})


def list_links(hub: Hub, identity_id: str) -> list[LinkView]:
    with hub.unit_of_work() as uow:
        views = []
        for link in uow.links.active_of_identity(identity_id):
            app = uow.member_apps.by_id(link.app_id)
            if app is not None:
                views.append(LinkView(link.id, app.name, app.client_id, link.handle,
                                      link.linked_at, link.sign_in_enabled))
        return views


def set_sign_in(hub: Hub, identity_id: str, link_id: str, enabled: bool) -> None:
    with hub.unit_of_work() as uow:
        link = _own_active_link(uow, identity_id, link_id)
        link.sign_in_enabled = enabled
        uow.commit()


def unlink_account(hub: Hub, identity_id: str, link_id: str,
                   origin: RequestOrigin) -> Unlinked:
    """One transaction: link removed, that app's tokens revoked, the ledger written, the
    app told (a webhook and a back-channel logout, both through the outbox)."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        removed = uow.links.get(link_id)
        if (removed is not None and removed.identity_id == identity_id
                and removed.status == REMOVED):  # a second click: done already
            app = uow.member_apps.by_id(removed.app_id)
            return Unlinked(removed.id, app.name if app else "app")
        link = _own_active_link(uow, identity_id, link_id)
        result = _remove(uow, hub, link, origin, now, by="person")
        uow.commit()
    return result


def unlink_by_app(hub: Hub, app_id: str, app_user_id: str,
                  origin: RequestOrigin) -> Unlinked | None:
    """The app's own API call; None when that user has no active link (no enumeration)."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = uow.links.active_for_app_user(app_id, app_user_id)
        if link is None:
            return None
        result = _remove(uow, hub, link, origin, now, by="app")
        uow.commit()
    return result


def _remove(uow: UnitOfWork, hub: Hub, link: LinkedAccountRow, origin: RequestOrigin,
            now: datetime, *, by: str) -> Unlinked:
    """``by``: who acted, "person" (the console) or "app" (its own API call); the ledger
    and the security log say so."""
    link.status, link.removed_at = REMOVED, now
    uow.session.flush()
    uow.oauth.revoke_where(now, link_id=link.id)
    uow.profiles.stop_sync(link.id, now)  # no profile.updated reaches it from now on
    # Nor any of the person's media: its grants go, and with them every signed URL.
    revoke_media_grants(uow, link.identity_id, link.app_id)
    app = uow.member_apps.by_id(link.app_id)
    name = app.name if app else "app"
    record_security_event(uow, link.identity_id, SecurityEventKind.ACCOUNT_UNLINKED, origin,
                          now, {"app": name, "handle": link.handle, "by": by})
    append_entry(uow, hub, link.identity_id, LedgerKind.UNLINK,
                 {"app_id": link.app_id, "app": name, "link_id": link.id, "by": by}, now)
    if app is not None:
        _tell_of_link(uow, hub, EventType.ACCOUNT_UNLINKED, party(app, link), now)
    return Unlinked(link.id, name)


def _own_active_link(uow: UnitOfWork, identity_id: str, link_id: str) -> LinkedAccountRow:
    link = uow.links.get(link_id)
    if link is None or link.identity_id != identity_id or link.status != ACTIVE:
        raise NotFound("There is no such added account.")
    return link
