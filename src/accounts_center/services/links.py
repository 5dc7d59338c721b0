"""Adding and removing app accounts (linking), and the person's view of them
(DESIGN §4.1, §4.3; SECURITY-CHECKLIST 20-22)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts_center.domain.errors import LinkConflict, NotFound
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.hub import Hub
from accounts_center.services.backchannel_logout import send_logout
from accounts_center.services.ledger import append_entry
from accounts_center.services.outbox_events import emit_link_event
from accounts_center.services.security_log import record_security_event
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE, REMOVED
from accounts_center.store.models import MemberAppRow
from accounts_center.store.unit_of_work import UnitOfWork


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
    backchannel_logout_uri: str | None
    client_id: str
    sub: str


def link_account(uow: UnitOfWork, hub: Hub, identity_id: str, app: MemberAppRow,
                 app_user_id: str, handle: str, origin: RequestOrigin,
                 now: datetime) -> LinkedAccountRow:
    """Inside the caller's transaction (the confirmed authorization request)."""
    existing = uow.links.active_for_app_user(app.id, app_user_id)
    if existing is not None:
        if existing.identity_id == identity_id:
            return existing  # confirming twice is harmless
        raise LinkConflict(f"This {app.name} account is already added to another Accounts "
                           "Center login. Remove it there first, then add it here.")
    held = uow.links.lock_active_of_identity(identity_id)
    same_app = [link for link in held if link.app_id == app.id]
    if same_app and not app.capabilities.get("multiple_accounts_per_identity", False):
        raise LinkConflict(f"Your Accounts Center already holds a {app.name} account "
                           f"({same_app[0].handle}). Remove it first to add a different one.")
    row = LinkedAccountRow(id=hub.new_id(), identity_id=identity_id, app_id=app.id,
                           app_user_id=app_user_id, handle=handle, status=ACTIVE,
                           sign_in_enabled=True, linked_at=now)
    uow.links.add(row)
    record_security_event(uow, identity_id, SecurityEventKind.ACCOUNT_LINKED, origin, now,
                          {"app": app.name, "handle": handle})
    emit_link_event(uow, hub, "account.linked", row, now)
    append_entry(uow, hub, identity_id, "link",
                 {"app_id": app.id, "app": app.name, "link_id": row.id}, now,
                 values={"app_user_id": app_user_id, "handle": handle})
    return row


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
    """One transaction: link removed, that app's tokens revoked, events written."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = _own_active_link(uow, identity_id, link_id)
        result = _remove(uow, hub, link, origin, now)
        uow.commit()
    _log_app_out(hub, result)
    return result


def unlink_by_app(hub: Hub, app_id: str, app_user_id: str,
                  origin: RequestOrigin) -> Unlinked | None:
    """The app's own API call; None when that user has no active link (no enumeration)."""
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        link = uow.links.active_for_app_user(app_id, app_user_id)
        if link is None:
            return None
        result = _remove(uow, hub, link, origin, now)
        uow.commit()
    _log_app_out(hub, result)
    return result


def _log_app_out(hub: Hub, unlinked: Unlinked) -> None:
    if unlinked.backchannel_logout_uri:
        send_logout(hub, unlinked.backchannel_logout_uri, unlinked.client_id, unlinked.sub)


def _remove(uow: UnitOfWork, hub: Hub, link: LinkedAccountRow, origin: RequestOrigin,
            now: datetime) -> Unlinked:
    link.status, link.removed_at = REMOVED, now
    uow.oauth.revoke_where(now, link_id=link.id)
    app = uow.member_apps.by_id(link.app_id)
    name = app.name if app else "app"
    record_security_event(uow, link.identity_id, SecurityEventKind.ACCOUNT_UNLINKED, origin,
                          now, {"app": name, "handle": link.handle})
    emit_link_event(uow, hub, "account.unlinked", link, now)
    append_entry(uow, hub, link.identity_id, "unlink",
                 {"app_id": link.app_id, "app": name, "link_id": link.id}, now)
    return Unlinked(link.id, name, app.backchannel_logout_uri if app else None,
                    app.client_id if app else "",
                    pairwise_subject(app.subject_salt, link.identity_id) if app else "")


def _own_active_link(uow: UnitOfWork, identity_id: str, link_id: str) -> LinkedAccountRow:
    link = uow.links.get(link_id)
    if link is None or link.identity_id != identity_id or link.status != ACTIVE:
        raise NotFound("There is no such added account.")
    return link
