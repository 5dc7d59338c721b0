"""Asking a logged-in person for their password again before a sensitive change.

Throttled per address like logins and on the same counter: whoever holds someone's
session (a borrowed laptop, a stolen cookie) could otherwise guess the password here
without limit, and would then own the account outright.
"""

from __future__ import annotations

from accounts_center.domain.errors import InvalidInput, LoginFailed, PasswordCheckThrottled
from accounts_center.domain.origin import RequestOrigin
from accounts_center.hub import Hub
from accounts_center.services.login_throttling import (
    address_keys,
    count_failure_now,
    refuse_if_throttled,
)
from accounts_center.store.models import IdentityRow


def login_name_of(identity: IdentityRow) -> str:
    return identity.email or identity.phone or ""


def confirm_current_password(hub: Hub, identity_id: str, password: str,
                             origin: RequestOrigin, *, wrong: InvalidInput) -> str:
    """Returns the person's login name; raises ``wrong`` for a wrong password, and
    `PasswordCheckThrottled`, checking nothing, while the address is throttled."""
    keys = address_keys(origin.ip)
    with hub.unit_of_work() as uow:
        refuse_if_throttled(uow, keys, hub.clock.now(), PasswordCheckThrottled)
        identity = uow.identities.get(identity_id)
        if identity is None:
            raise LoginFailed()
        stored_hash, login_value = identity.password_hash, login_name_of(identity)
    if not hub.passwords.verify(stored_hash, password):  # slow: outside any transaction
        count_failure_now(hub, keys)
        raise wrong
    return login_value
