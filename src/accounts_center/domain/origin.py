"""Where a request came from, as recorded on sessions and security events."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_USER_AGENT = 512
# Kept in text columns and shown to the person: PostgreSQL text cannot hold NUL, and no
# honest user agent sends a control character.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class RequestOrigin:
    ip: str = ""
    user_agent: str = ""

    def clipped(self) -> RequestOrigin:
        return RequestOrigin(ip=_CONTROL.sub("", self.ip)[:64],
                             user_agent=_CONTROL.sub("", self.user_agent)[:MAX_USER_AGENT])
