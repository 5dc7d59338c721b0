"""A unit of work owns one database transaction and the repositories that use it."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accounts_center.store.advisory_locks import try_lock
from accounts_center.store.creations import Creations
from accounts_center.store.crossposts import CrossPosts
from accounts_center.store.hub_sessions import HubSessions
from accounts_center.store.identities import Identities
from accounts_center.store.ledger import Ledger
from accounts_center.store.links import LinkedAccounts
from accounts_center.store.media import Media
from accounts_center.store.member_apps import MemberApps
from accounts_center.store.oauth import OAuthStore
from accounts_center.store.outbox import Outbox, events_committed
from accounts_center.store.privacy import (
    AgeConfirmations,
    ArchiveJobs,
    Consents,
    SharedData,
)
from accounts_center.store.profiles import Profiles
from accounts_center.store.request_counters import RequestCounters
from accounts_center.store.security_events import SecurityEvents
from accounts_center.store.throttles import LoginThrottles


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — leaving without commit rolls back."""

    def __init__(self, session_factory: sessionmaker[Session],
                 write_lock: threading.RLock | None = None) -> None:
        self._factory = session_factory
        self._lock = write_lock

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            # SQLite allows one writer; waiting here wakes the next thread the moment the
            # previous commits, where SQLite's own busy handler would sleep up to 100 ms.
            self._lock.acquire()
        self.session = self._factory()
        # Values read once per transaction by callers that ask repeatedly (Authlib asks
        # for the same client several times per request).
        self.memo: dict[str, Any] = {}
        self.identities = Identities(self.session)
        self.hub_sessions = HubSessions(self.session)
        self.security_events = SecurityEvents(self.session)
        self.throttles = LoginThrottles(self.session)
        self.request_counters = RequestCounters(self.session)
        self.member_apps = MemberApps(self.session)
        self.links = LinkedAccounts(self.session)
        self.oauth = OAuthStore(self.session)
        self.outbox = Outbox(self.session)
        self.ledger = Ledger(self.session)
        self.consents = Consents(self.session)
        self.shared_data = SharedData(self.session)
        self.age_confirmations = AgeConfirmations(self.session)
        self.archives = ArchiveJobs(self.session)
        self.profiles = Profiles(self.session)
        self.media = Media(self.session)
        self.creations = Creations(self.session)
        self.crossposts = CrossPosts(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
            if self._lock is not None:
                self._lock.release()

    def try_lock(self, name: str) -> bool:
        """A lock on ``name`` until this transaction ends, unless another one holds it."""
        return try_lock(self.session, name)

    def commit(self) -> None:
        self.session.commit()
        if self.outbox.wrote:
            self.outbox.wrote = False
            events_committed()
