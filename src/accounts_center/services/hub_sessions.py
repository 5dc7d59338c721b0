"""People's hub sessions: start, look up, list and end (SECURITY-CHECKLIST 28).

The cookie holds a 256-bit random token; the database holds only its SHA-256, so a copy of
the database does not let anyone in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from accounts_center.crypto.tokens import derived_token, digest, new_token
from accounts_center.domain.errors import NotFound
from accounts_center.domain.origin import RequestOrigin
from accounts_center.domain.security_event_kinds import SecurityEventKind
from accounts_center.hub import Hub
from accounts_center.services.security_log import record_security_event
from accounts_center.store.hub_sessions import HubSessions
from accounts_center.store.models import HubSessionRow
from accounts_center.store.unit_of_work import UnitOfWork

FULL = "full"
PARTIAL = "partial"
# A password-accepted session waiting for its second factor lives only this long.
PARTIAL_LIFETIME = timedelta(minutes=10)
# Writing last-seen on every request would make every page view a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CurrentSession:
    session_id: str
    identity_id: str
    auth_level: str
    token: str
    authenticated_at: datetime
    # Set by a full login (password, second factor, sign-up): the signed device cookie
    # the browser should now keep (`crypto/device_cookies.py`).
    device_cookie: str | None = None

    @property
    def is_full(self) -> bool:
        return self.auth_level == FULL

    @property
    def csrf_token(self) -> str:
        return derived_token(self.token, "csrf")


@dataclass(frozen=True)
class SessionView:
    id: str
    user_agent: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def start_session(uow: UnitOfWork, hub: Hub, identity_id: str, level: str,
                  origin: RequestOrigin, now: datetime) -> CurrentSession:
    """Inside the caller's transaction; a new random token every time (rotation)."""
    token = new_token()
    lifetime = (PARTIAL_LIFETIME if level == PARTIAL
                else timedelta(days=hub.settings.session_absolute_days))
    clipped = origin.clipped()
    row = HubSessionRow(id=hub.new_id(), token_digest=digest(token), identity_id=identity_id,
                        auth_level=level, created_at=now, authenticated_at=now,
                        last_seen_at=now, expires_at=now + lifetime,
                        user_agent=clipped.user_agent, ip=clipped.ip)
    uow.hub_sessions.add(row)
    return CurrentSession(row.id, identity_id, level, token, now)


def resolve_session(hub: Hub, token: str, origin: RequestOrigin) -> CurrentSession | None:
    """The live session behind a cookie value, or None (expired sessions are removed)."""
    if not token or len(token) > 128:
        return None
    now = hub.clock.now()
    with hub.single_read() as connection:  # every page resolves one: keep it cheap
        row = HubSessions.fields_by_token_digest(connection, digest(token))
    if row is None:
        return None
    idle_limit = row.last_seen_at + timedelta(minutes=hub.settings.session_idle_minutes)
    if now >= row.expires_at or now >= idle_limit:
        with hub.unit_of_work() as uow:
            uow.hub_sessions.remove_by_id(row.id)
            uow.commit()
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        clipped = origin.clipped()
        with hub.unit_of_work() as uow:
            uow.hub_sessions.touch(row.id, now, clipped.ip, clipped.user_agent)
            uow.commit()
    return CurrentSession(row.id, row.identity_id, row.auth_level, token,
                          row.authenticated_at)


def list_sessions(hub: Hub, current: CurrentSession) -> list[SessionView]:
    with hub.unit_of_work() as uow:
        return [SessionView(id=r.id, user_agent=r.user_agent, ip=r.ip, created_at=r.created_at,
                            last_seen_at=r.last_seen_at, is_current=r.id == current.session_id)
                for r in uow.hub_sessions.of_identity(current.identity_id)
                if r.auth_level == FULL]


def log_out(hub: Hub, current: CurrentSession, origin: RequestOrigin) -> None:
    with hub.unit_of_work() as uow:
        row = uow.hub_sessions.by_token_digest(digest(current.token))
        if row is not None:
            uow.hub_sessions.remove(row)
            if row.auth_level == FULL:
                record_security_event(uow, row.identity_id, SecurityEventKind.LOGGED_OUT,
                                      origin, hub.clock.now())
        uow.commit()


def log_out_other_sessions(hub: Hub, current: CurrentSession, origin: RequestOrigin) -> int:
    with hub.unit_of_work() as uow:
        ended = uow.hub_sessions.remove_all_of(current.identity_id, except_id=current.session_id)
        record_security_event(uow, current.identity_id, SecurityEventKind.SESSIONS_ENDED,
                              origin, hub.clock.now(), {"count": ended})
        uow.commit()
        return ended


def end_session(hub: Hub, current: CurrentSession, session_id: str,
                origin: RequestOrigin) -> None:
    """Ends one of the person's own sessions; anyone else's is simply not found."""
    with hub.unit_of_work() as uow:
        target = next((r for r in uow.hub_sessions.of_identity(current.identity_id)
                       if r.id == session_id), None)
        if target is None:
            raise NotFound("There is no such session.")
        uow.hub_sessions.remove(target)
        record_security_event(uow, current.identity_id, SecurityEventKind.SESSIONS_ENDED,
                              origin, hub.clock.now(), {"count": 1})
        uow.commit()
