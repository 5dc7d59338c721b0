"""Operators' view of webhook delivery: the queue per app, one event's attempts, replay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from accounts_center.domain.errors import InvalidInput, NotFound
from accounts_center.hub import Hub
from accounts_center.store.outbox_models import DEAD, DELIVERED


@dataclass(frozen=True)
class QueueRow:
    app: str
    app_id: str
    enabled: bool  # deliveries go out: not disabled by a 410, and a secret exists
    endpoint: str  # "enabled", "disabled since …" or "no secret: …", for people
    pending: int
    retrying: int
    dead: int
    oldest: datetime | None  # the oldest event still to deliver


@dataclass(frozen=True)
class AttemptView:
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class DeliveryView:
    id: str
    app: str
    type: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    history: Sequence[AttemptView]


def queue_overview(hub: Hub) -> list[QueueRow]:
    """Every app, with what waits for it (apps with an empty queue too)."""
    rows = []
    with hub.unit_of_work() as uow:
        counts = {row.app_id: row for row in uow.outbox.queue_by_app()}
        for app in uow.member_apps.all():
            found = counts.get(app.id)
            if app.webhook_disabled_at is not None:
                endpoint = (f"disabled since {app.webhook_disabled_at:%Y-%m-%d %H:%M} UTC: "
                            f"{app.webhook_disabled_reason or 'by an operator'}")
            elif app.webhook_secret_sealed is None:
                endpoint = "no secret: run `apps rotate-webhook-secret`"
            else:
                endpoint = "enabled"
            rows.append(QueueRow(app.name, app.id, endpoint == "enabled", endpoint,
                                 int(found.pending or 0) if found else 0,
                                 int(found.retrying or 0) if found else 0,
                                 int(found.dead or 0) if found else 0,
                                 found.oldest if found else None))
    return rows


def show_delivery(hub: Hub, event_id: str) -> DeliveryView:
    with hub.unit_of_work() as uow:
        event = uow.outbox.event(event_id.strip())
        if event is None:
            raise NotFound(f"no event with id {event_id!r}")
        app = uow.member_apps.by_id(event.app_id)
        history = [AttemptView(a.attempted_at, a.duration_ms, a.status_code, a.error)
                   for a in uow.outbox.attempts_of(event.id)]
        return DeliveryView(event.id, app.name if app else event.app_id, event.type,
                            event.status, event.attempts, event.created_at,
                            None if event.status != "pending" else event.next_attempt_at,
                            event.delivered_at, event.last_error, history)


def replay(hub: Hub, app_key: str, since: datetime | None, *,
           include_delivered: bool = False) -> int:
    """Queues the app's dead-lettered events (and, with ``include_delivered``, the
    delivered ones) created since ``since`` to be sent again, under their own ids."""
    now = hub.clock.now()
    if since is not None and since > now:
        raise InvalidInput("since: that moment is in the future", field="since")
    with hub.unit_of_work() as uow:
        app = uow.member_apps.by_name_or_client_id(app_key)
        if app is None:
            raise NotFound(f"no member app named or with client id {app_key!r}")
        statuses = [DEAD, DELIVERED] if include_delivered else [DEAD]
        count = uow.outbox.requeue(app.id, since, statuses, now)
        uow.commit()
    return count
