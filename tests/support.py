"""Test helpers shared across the suite: a controllable clock and cheap settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import Hub
from accounts_center.services.links import activate_link, confirm_link
from accounts_center.settings import Settings
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.models import MemberAppRow
from accounts_center.store.unit_of_work import UnitOfWork

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-hkdf-0123456789"


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def cheap_settings(database_url: str, **overrides: object) -> Settings:
    """Real argon2id, with parameters small enough for a fast suite."""
    values: dict[str, object] = {
        "database_url": database_url, "secret_key": TEST_SECRET_KEY,
        "argon2_time_cost": 1, "argon2_memory_kib": 1024, "argon2_parallelism": 1,
        "run_migrations_on_start": False,
        # Tests sign many people up from one address; the limit has tests of its own.
        "signups_per_address_per_hour": 100_000, **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)


def link_now(uow: UnitOfWork, hub: Hub, identity_id: str, app: MemberAppRow,
             app_user_id: str, handle: str = "@p",
             origin: RequestOrigin = RequestOrigin("127.0.0.1", "test")) -> LinkedAccountRow:
    """The person confirms and the app redeems at once: an active link, for tests whose
    subject is what happens after linking (the real flow is in tests/oidc)."""
    now = hub.clock.now()
    pending = confirm_link(uow, hub, identity_id, app, app_user_id, handle, origin, now)
    active = activate_link(uow, hub, pending.id, now)
    assert active is not None
    return active
