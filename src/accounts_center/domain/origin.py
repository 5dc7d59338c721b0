"""Where a request came from, as recorded on sessions and security events."""

from __future__ import annotations

from dataclasses import dataclass

MAX_USER_AGENT = 512


@dataclass(frozen=True)
class RequestOrigin:
    ip: str = ""
    user_agent: str = ""

    def clipped(self) -> RequestOrigin:
        return RequestOrigin(ip=self.ip[:64], user_agent=self.user_agent[:MAX_USER_AGENT])
