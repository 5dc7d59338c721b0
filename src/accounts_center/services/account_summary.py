"""What the person's own account looks like, for the API and the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from accounts_center.domain.errors import NotAuthenticated
from accounts_center.hub import Hub


@dataclass(frozen=True)
class AccountSummary:
    id: str
    email: str | None
    phone: str | None
    created_at: datetime
    two_factor_enabled: bool


def account_summary(hub: Hub, identity_id: str) -> AccountSummary:
    with hub.unit_of_work() as uow:
        identity = uow.identities.get(identity_id)
        if identity is None:
            raise NotAuthenticated("Log in to Accounts Center first.")
        return AccountSummary(identity.id, identity.email, identity.phone, identity.created_at,
                              identity.totp_enabled_at is not None)
