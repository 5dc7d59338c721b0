"""Deleting what has expired: pending authorization requests, authorization codes, links
confirmed but never redeemed, token grants, "Download your information" archives,
request and login-throttle counters, media blobs nobody owns. The rules and why each
holds: `domain/retention.py`.

Runs hourly in every delivery worker (so in `serve` on SQLite, and in `accounts-center
worker` on PostgreSQL) and on demand as `accounts-center prune`. Each kind is one DELETE
over an index on the moment it is judged by; on PostgreSQL one process prunes at a time.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from accounts_center.domain.retention import cutoffs
from accounts_center.hub import Hub
from accounts_center.services.authorize_throttling import WINDOW_SECONDS
from accounts_center.store.unit_of_work import UnitOfWork

log = logging.getLogger("accounts_center.retention")
_LOCK = "retention"


@dataclass(frozen=True)
class Pruned:
    authorization_requests: int = 0
    authorization_codes: int = 0
    lapsed_links: int = 0
    token_rows: int = 0
    archives: int = 0
    request_counters: int = 0
    login_throttles: int = 0
    unowned_media: int = 0

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


def remove_expired(uow: UnitOfWork, now: datetime) -> Pruned | None:
    """Deletes, in the caller's transaction, everything past its cutoff at ``now``.
    None when another process is pruning right now (PostgreSQL)."""
    if not uow.try_lock(_LOCK):
        return None
    cut = cutoffs(now, counter_window=timedelta(seconds=WINDOW_SECONDS))
    oauth = uow.oauth
    pruned = Pruned(
        authorization_requests=oauth.delete_requests_expired_before(cut.requests_expired),
        authorization_codes=oauth.delete_codes_expired_before(cut.codes_expired),
        lapsed_links=uow.links.delete_lapsed_before(cut.links_lapsed),
        token_rows=(oauth.delete_grants_ended_before(cut.grants_ended)
                    + oauth.delete_rotated_expired_before(cut.rotated_expired)),
        archives=uow.archives.delete_made_before(cut.archives_made),
        request_counters=uow.request_counters.delete_windows_before(cut.counter_windows),
        login_throttles=uow.throttles.delete_idle_before(cut.throttles_idle, now),
        unowned_media=uow.media.delete_unowned_put_before(cut.media_unowned),
    )
    if pruned.total:
        log.info("pruned expired rows: %s", ", ".join(
            f"{count} {kind.replace('_', ' ')}" for kind, count in asdict(pruned).items()
            if count))
    return pruned


def prune_expired(hub: Hub) -> Pruned | None:
    """`remove_expired` in a transaction of its own (`accounts-center prune`)."""
    with hub.unit_of_work() as uow:
        pruned = remove_expired(uow, hub.clock.now())
        uow.commit()
    return pruned
