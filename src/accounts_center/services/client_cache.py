"""A short-lived per-process cache of the token endpoint's clients (member apps).

The token endpoint is the hub's busiest: reading the member app on every request costs a
tenth of it. Entries live ``CLIENT_CACHE_SECONDS``; `apps rotate-secret` and `apps remove`
clear this process's entries at once (`forget_clients`), other processes' within that
time. A removed app's codes and tokens are deleted with it, so a cached client of a removed
app can obtain nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

CLIENT_CACHE_SECONDS = 2.0
_MEMO_KEY = "token_endpoint_clients"
_MAX_ENTRIES = 10_000


def cached_client(memo: dict[str, Any], client_id: str, load: Callable[[], Any],
                  clock: Callable[[], float] = time.monotonic) -> Any:
    """The cached client for ``client_id``, or ``load()``'s answer (cached when found)."""
    entries: dict[str, tuple[Any, float]] = memo.setdefault(_MEMO_KEY, {})
    now = clock()
    hit = entries.get(client_id)
    if hit is not None and hit[1] > now:
        return hit[0]
    client = load()
    if client is not None:
        if len(entries) >= _MAX_ENTRIES:
            entries.clear()
        entries[client_id] = (client, now + CLIENT_CACHE_SECONDS)
    return client


def forget_clients(memo: dict[str, Any]) -> None:
    memo.pop(_MEMO_KEY, None)
