"""Recording and listing the security events a person sees (SECURITY-CHECKLIST 31)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.hub import Hub
from accounts_center.store.models import SecurityEventRow
from accounts_center.store.unit_of_work import UnitOfWork

MAX_PAGE = 100


@dataclass(frozen=True)
class SecurityEvent:
    id: int
    kind: SecurityEventKind
    description: str
    occurred_at: datetime
    ip: str
    user_agent: str


def record_security_event(uow: UnitOfWork, identity_id: str, kind: SecurityEventKind,
                          origin: RequestOrigin, now: datetime,
                          detail: dict[str, Any] | None = None) -> None:
    """Part of the caller's transaction: the event exists exactly when the change does."""
    clipped = origin.clipped()
    uow.security_events.add(SecurityEventRow(
        identity_id=identity_id, kind=kind.value, occurred_at=now, ip=clipped.ip,
        user_agent=clipped.user_agent, detail=detail or {}))


def list_security_events(hub: Hub, identity_id: str, *, limit: int = 50,
                         before_id: int | None = None) -> Sequence[SecurityEvent]:
    limit = max(1, min(limit, MAX_PAGE))
    with hub.unit_of_work() as uow:
        rows = uow.security_events.of_identity(identity_id, limit=limit, before_id=before_id)
        return [SecurityEvent(id=r.id, kind=SecurityEventKind(r.kind),
                              description=SecurityEventKind(r.kind).description,
                              occurred_at=r.occurred_at, ip=r.ip, user_agent=r.user_agent)
                for r in rows]
