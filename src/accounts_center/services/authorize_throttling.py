"""Anonymous /oauth2/authorize calls are counted per client address: each one may store a
pending request row, so a flood from one address is refused before it fills the table.
A logged-in person's single sign-on is never counted (issue 10, point 7)."""

from __future__ import annotations

from accounts_center.domain.errors import TooManyRequests
from accounts_center.domain.rate_limit import FixedWindow, authorize_key
from accounts_center.hub import Hub

WINDOW_SECONDS = 60


def authorize_window(hub: Hub) -> FixedWindow:
    return FixedWindow(hub.settings.authorize_anonymous_per_minute, WINDOW_SECONDS)


def count_anonymous_authorize(hub: Hub, ip: str) -> None:
    """Counts one anonymous call from ``ip``; raises `TooManyRequests` over the limit."""
    window = authorize_window(hub)
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        hits = uow.request_counters.hit(authorize_key(ip), window.start_of(now))
        uow.commit()
    if not window.allows(hits):
        raise TooManyRequests(window.retry_after(now))
