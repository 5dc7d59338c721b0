"""Writing events for member apps into the outbox, inside the change's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from accounts_center.domain.pairwise import pairwise_subject
from accounts_center.hub import Hub
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.outbox_models import OutboxEventRow
from accounts_center.store.unit_of_work import UnitOfWork


def emit_event(uow: UnitOfWork, hub: Hub, event_type: str, *, app_id: str,
               subject_salt: str, identity_id: str, app_user_id: str,
               data: dict[str, Any], now: datetime) -> None:
    """One event for one app about one person, named as that app knows them (its
    pairwise ``sub`` and its own user id), in the change's transaction."""
    payload = {"sub": pairwise_subject(subject_salt, identity_id),
               "app_user_id": app_user_id, **data, "occurred_at": now.isoformat()}
    uow.outbox.add(OutboxEventRow(id=hub.new_id(), app_id=app_id, identity_id=identity_id,
                                  type=event_type, payload=payload, created_at=now))


def emit_link_event(uow: UnitOfWork, hub: Hub, event_type: str, changed: LinkedAccountRow,
                    now: datetime) -> None:
    """One row for the app whose link changed and one for each other app the person has
    linked; each names the person only as that receiving app knows them."""
    changed_app = uow.member_apps.by_id(changed.app_id)
    receivers = [changed] + [link for link in uow.links.active_of_identity(changed.identity_id)
                             if link.id != changed.id]
    for link in receivers:
        app = uow.member_apps.by_id(link.app_id)
        if app is None or changed_app is None:
            continue
        emit_event(uow, hub, event_type, app_id=app.id, subject_salt=app.subject_salt,
                   identity_id=link.identity_id, app_user_id=link.app_user_id,
                   data={"app": changed_app.name, "your_account": link.id == changed.id},
                   now=now)
