"""Fixed-window request limits: at most ``limit`` requests per key in each window of
``seconds``, counted in storage every hub process shares. Simple and cheap (one counter
per key); a burst across a window boundary may reach twice the limit, which is fine for
a generous limit that only has to stop floods."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class FixedWindow:
    limit: int
    seconds: int = 60

    @property
    def length(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    def start_of(self, now: datetime) -> datetime:
        """The start of the window ``now`` falls in (windows are aligned to the epoch)."""
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.seconds, UTC)

    def allows(self, hits: int) -> bool:
        """Whether the request that brought the window's count to ``hits`` may go on."""
        return hits <= self.limit

    def retry_after(self, now: datetime) -> int:
        """Whole seconds (at least 1) until the next window opens."""
        remaining = (self.start_of(now) + self.length - now).total_seconds()
        return max(1, int(-(-remaining // 1)))


def address_bucket(ip: str) -> str:
    """What one client controls: an IPv4 address, or an IPv6 /64 (one subnet is routinely
    handed to one customer, who could otherwise rotate through its addresses)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def sign_up_key(ip: str) -> str:
    return "signup:" + address_bucket(ip)


def authorize_key(ip: str) -> str:
    return "authorize:" + address_bucket(ip)
