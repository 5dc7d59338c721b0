"""Repository of outbox events: written inside the change's own transaction, then claimed,
recorded, listed and replayed by the delivery side (`delivery/`, `services/deliveries.py`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from accounts_center.domain.events import BACKCHANNEL_LOGOUT
from accounts_center.store.base import AnyRow, UTCDateTime, storable, table_of
from accounts_center.store.models import MemberAppRow
from accounts_center.store.outbox_models import (
    DEAD,
    DELIVERED,
    PENDING,
    DeliveryAttemptRow,
    OutboxEventRow,
)

# One channel per schema: hubs sharing a PostgreSQL database in different schemas (or
# test runs side by side) wake only their own workers. Computed by the server the same
# way for NOTIFY and LISTEN, kept under PostgreSQL's 63-byte identifier limit.
NOTIFY_CHANNEL_SQL = "'ac_outbox.' || left(current_schema(), 40)"

_EVENTS = table_of(OutboxEventRow)
_EARLIER = _EVENTS.alias("earlier")
_APPS = table_of(MemberAppRow)
_ATTEMPTS = table_of(DeliveryAttemptRow)
_NOW = bindparam("now", type_=UTCDateTime())
# Written into the SQL, not bound: the partial indexes (WHERE status = 'pending' / 'dead')
# can serve a query only when the planner sees the very value, prepared plans included.
_IS_PENDING = _EVENTS.c.status == literal_column(f"'{PENDING}'")
_EARLIER_PENDING = _EARLIER.c.status == literal_column(f"'{PENDING}'")
_IS_DEAD = _EVENTS.c.status == literal_column(f"'{DEAD}'")

# Due, not being delivered by a live worker, for an app whose endpoint is enabled and has
# a secret, with no earlier event for the same app and person still waiting (order per
# app and person). Locked rows are skipped on PostgreSQL, so workers never share an event.
# A back-channel logout goes to its own endpoint and has no person on its row, so it
# neither waits for the webhooks nor holds them up.
_READY = (
    select(_EVENTS.c.id)
    .where(_IS_PENDING, _EVENTS.c.next_attempt_at <= _NOW,
           or_(_EVENTS.c.lease_until.is_(None), _EVENTS.c.lease_until < _NOW),
           or_(_EVENTS.c.type == literal_column(f"'{BACKCHANNEL_LOGOUT}'"),
               _EVENTS.c.app_id.in_(select(_APPS.c.id).where(
                   _APPS.c.webhook_disabled_at.is_(None),
                   _APPS.c.webhook_secret_sealed.is_not(None)))),
           ~exists().where(_EARLIER_PENDING,
                           _EARLIER.c.app_id == _EVENTS.c.app_id,
                           _EARLIER.c.identity_id == _EVENTS.c.identity_id,
                           _EARLIER.c.seq < _EVENTS.c.seq))
    .order_by(_EVENTS.c.seq)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_CLAIM = (
    update(_EVENTS)
    .where(_EVENTS.c.id.in_(_READY.scalar_subquery()))
    .values(lease_until=bindparam("lease_until", type_=UTCDateTime()))
    .returning(_EVENTS.c.id, _EVENTS.c.app_id, _EVENTS.c.identity_id, _EVENTS.c.type,
               _EVENTS.c.payload, _EVENTS.c.created_at, _EVENTS.c.attempts)
)
# A worker records only what it still holds: if its lease ran out and another worker took
# the event over, the newer lease wins.
_SETTLE = (
    update(_EVENTS)
    .where(_EVENTS.c.id == bindparam("event_id"),
           _EVENTS.c.lease_until == bindparam("held_until", type_=UTCDateTime()))
    .values(status=bindparam("new_status"), attempts=_EVENTS.c.attempts + 1,
            lease_until=None,
            next_attempt_at=bindparam("next_at", type_=UTCDateTime()),
            delivered_at=bindparam("delivered", type_=UTCDateTime()),
            last_error=bindparam("error"))
)
_APP_TARGETS = select(
    _APPS.c.id, _APPS.c.name, _APPS.c.client_id, _APPS.c.webhook_url,
    _APPS.c.webhook_secret_sealed, _APPS.c.webhook_previous_secret_sealed,
    _APPS.c.webhook_previous_until, _APPS.c.backchannel_logout_uri,
).where(_APPS.c.id.in_(bindparam("app_ids", expanding=True)))


_PERSON_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def _lock_key(identity_id: str) -> int:
    """The person's outbox lock: a signed 64-bit key, apart from other advisory locks."""
    digest = hashlib.sha256(b"accounts-center outbox " + identity_id.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class Claimed:
    id: str
    app_id: str
    identity_id: str | None
    type: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int  # made before this one
    held_until: datetime


@dataclass(frozen=True)
class Settlement:
    """What one attempt came to, to be written back."""
    event: Claimed
    attempted_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    new_status: str  # PENDING (again later), DELIVERED or DEAD
    next_attempt_at: datetime


# In-process wake-up: callbacks run after a commit that wrote events (a worker in this
# process then claims at once); other processes learn of it through NOTIFY or polling.
_listeners: list[Callable[[], None]] = []
_listeners_lock = threading.Lock()


def on_events_committed(callback: Callable[[], None]) -> Callable[[], None]:
    """Registers ``callback``; returns the function that unregisters it."""
    with _listeners_lock:
        _listeners.append(callback)

    def stop() -> None:
        with _listeners_lock:
            if callback in _listeners:
                _listeners.remove(callback)
    return stop


def events_committed() -> None:
    with _listeners_lock:
        callbacks = list(_listeners)
    for callback in callbacks:
        callback()


class Outbox:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._next_seq: int | None = None
        self._locked: set[str] = set()
        self.wrote = False

    def add(self, row: OutboxEventRow) -> None:
        """Inside the change's transaction. On SQLite, where this transaction is the only
        writer, the next order number is taken here. PostgreSQL draws it from a sequence
        when the row is flushed, after this transaction has taken the person's outbox
        lock (held to commit): of two concurrent changes for one person, the one that
        numbers its events first also commits first, so a worker never sees a later
        number before an earlier one. (Services write events for one person per
        transaction; one writing for several takes their locks in the order it adds
        rows, and PostgreSQL ends any deadlock between two such by failing one.)"""
        postgres = self.announce()
        row.status, row.attempts, row.next_attempt_at = PENDING, 0, row.created_at
        if postgres and row.identity_id and row.identity_id not in self._locked:
            self._locked.add(row.identity_id)
            self._session.execute(_PERSON_LOCK, {"key": _lock_key(row.identity_id)})
        if not postgres:
            if self._next_seq is None:
                top = self._session.execute(select(func.max(_EVENTS.c.seq))).scalar()
                self._next_seq = (top or 0) + 1
            row.seq, self._next_seq = self._next_seq, self._next_seq + 1
        self._session.add(row)

    def announce(self) -> bool:
        """Wakes workers when this transaction commits: NOTIFY on PostgreSQL (sent only on
        commit), the in-process wake-up after ``commit``. Returns whether on PostgreSQL."""
        postgres = self._session.get_bind().dialect.name == "postgresql"
        if postgres and not self.wrote:
            self._session.execute(text(f"SELECT pg_notify({NOTIFY_CHANNEL_SQL}, NULL)"))
        self.wrote = True
        return postgres

    def for_app(self, app_id: str) -> Sequence[OutboxEventRow]:
        return self._session.scalars(select(OutboxEventRow).where(
            OutboxEventRow.app_id == app_id).order_by(OutboxEventRow.seq)).all()

    # --- delivery ---------------------------------------------------------------------
    def claim(self, now: datetime, held_until: datetime, limit: int) -> list[Claimed]:
        rows = self._session.connection().execute(
            _CLAIM, {"now": now, "lease_until": held_until, "limit": limit}).all()
        claimed = [Claimed(r.id, r.app_id, r.identity_id, r.type, r.payload, r.created_at,
                           r.attempts, held_until) for r in rows]
        return sorted(claimed, key=lambda c: (c.created_at, c.id))

    def targets(self, app_ids: Iterable[str]) -> Sequence[AnyRow]:
        """Where and with which secrets each app's events go."""
        return self._session.connection().execute(
            _APP_TARGETS, {"app_ids": sorted(set(app_ids))}).all()

    def settle(self, settlements: Sequence[Settlement], new_id: Callable[[], str]) -> int:
        """Writes the attempts and the events' new state; returns how many events were
        still held by this worker (the others had been taken over and are left alone)."""
        if not settlements:
            return 0
        connection = self._session.connection()
        connection.execute(insert(_ATTEMPTS), [
            {"id": new_id(), "event_id": s.event.id, "attempted_at": s.attempted_at,
             "duration_ms": s.duration_ms, "status_code": s.status_code, "error": s.error}
            for s in settlements])
        result = connection.execute(_SETTLE, [
            {"event_id": s.event.id, "held_until": s.event.held_until,
             "new_status": s.new_status, "next_at": s.next_attempt_at,
             "delivered": s.attempted_at if s.new_status == DELIVERED else None,
             "error": s.error} for s in settlements])
        return result.rowcount if result.rowcount is not None and result.rowcount >= 0 \
            else len(settlements)

    def disable_endpoint(self, app_id: str, now: datetime, reason: str) -> None:
        self._session.connection().execute(
            update(_APPS).where(_APPS.c.id == app_id, _APPS.c.webhook_disabled_at.is_(None))
            .values(webhook_disabled_at=now, webhook_disabled_reason=reason))

    def prune_delivered(self, before: datetime) -> int:
        result = self._session.execute(delete(OutboxEventRow).where(
            OutboxEventRow.status == DELIVERED, OutboxEventRow.delivered_at < before))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # --- operators --------------------------------------------------------------------
    def queue_by_app(self) -> Sequence[AnyRow]:
        """Per app: waiting (never tried), retrying, dead, and the oldest waiting event."""
        waiting = _IS_PENDING
        return self._session.execute(
            select(_EVENTS.c.app_id,
                   func.sum(case((waiting & (_EVENTS.c.attempts == 0), 1), else_=0))
                   .label("pending"),
                   func.sum(case((waiting & (_EVENTS.c.attempts > 0), 1), else_=0))
                   .label("retrying"),
                   func.sum(case((_IS_DEAD, 1), else_=0)).label("dead"),
                   func.min(case((waiting, _EVENTS.c.created_at), else_=None))
                   .label("oldest"))
            .where(_IS_PENDING | _IS_DEAD)
            .group_by(_EVENTS.c.app_id)).all()

    def event(self, event_id: str) -> OutboxEventRow | None:
        if not storable(event_id) or len(event_id) > 36:
            return None
        return self._session.get(OutboxEventRow, event_id)

    def attempts_of(self, event_id: str) -> Sequence[DeliveryAttemptRow]:
        return self._session.scalars(select(DeliveryAttemptRow).where(
            DeliveryAttemptRow.event_id == event_id).order_by(
            DeliveryAttemptRow.attempted_at)).all()

    def requeue(self, app_id: str, since: datetime | None, statuses: Sequence[str],
                now: datetime) -> int:
        """Makes the app's matching events due again; their ids stay the same."""
        conditions = [_EVENTS.c.app_id == app_id, _EVENTS.c.status.in_(statuses)]
        if since is not None:
            conditions.append(_EVENTS.c.created_at >= since)
        result = self._session.execute(
            update(_EVENTS).where(*conditions).values(
                status=PENDING, attempts=0, next_attempt_at=now, lease_until=None,
                delivered_at=None, last_error=None))
        self.announce()
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
