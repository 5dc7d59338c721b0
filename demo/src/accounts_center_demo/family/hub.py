"""This app's connection to Accounts Center, through the SDK only.

Pushes (``device`` on sign-in, ``activity`` on posting) happen only for linked users and
after the answer is sent; a refusal or an unreachable hub never breaks the app: it is
logged (status and problem type, never a secret or a field) and kept on the user's row for
the settings page.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from accounts_center_demo.family.config import AppConfig
from accounts_center_demo.family.models import User
from accounts_center_demo.family.store import Store, utcnow
from accounts_center_sdk import (
    AccountsCenter,
    AccountsCenterError,
    HubError,
    HubUnavailable,
    UnknownAppUser,
)

# Everything a call to the hub may raise that the app handles; the SDK's base class.
HUB_FAILURES: tuple[type[Exception], ...] = (AccountsCenterError,)


def describe_failure(error: Exception) -> str:
    """One sentence for the person about a refused or failed call to the hub."""
    if isinstance(error, HubUnavailable):
        return "Accounts Center could not be reached. Try again later."
    if isinstance(error, HubError):
        return f"Accounts Center refused: {error.title}"
    return "Accounts Center did not answer as expected."


def short_user_agent(user_agent: str) -> str:
    """"Chrome on Linux": enough to recognise a device, not a fingerprint."""
    browsers = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                ("Safari/", "Safari"))
    systems = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
               ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))
    browser = next((name for mark, name in browsers if mark in user_agent), "a browser")
    system = next((name for mark, name in systems if mark in user_agent), "")
    return f"{browser} on {system}" if system else browser


class HubConnection:
    def __init__(self, config: AppConfig, store: Store) -> None:
        self.config = config
        self.store = store
        self.log = logging.getLogger(f"accounts_center_demo.{config.identity.slug}")
        credentials = config.hub
        self.issuer = credentials.issuer if credentials else None
        self.client: AccountsCenter | None = (
            AccountsCenter(issuer=credentials.issuer, client_id=credentials.client_id,
                           client_secret=credentials.client_secret,
                           redirect_uri=config.redirect_uri)
            if credentials else None)

    @property
    def your_information_url(self) -> str | None:
        return f"{self.issuer}/your-information" if self.issuer else None

    def push_device(self, user_id: int, user_agent: str, signed_in_with: str) -> None:
        self._push(user_id, "device", {"user_agent": short_user_agent(user_agent),
                                       "signed_in_with": signed_in_with},
                   "security_and_integrity")

    def push_activity(self, user_id: int, action: str) -> None:
        # A kind of action only: never what was posted or sent.
        self._push(user_id, "activity", {"action": action}, "cross_app_features")

    def _push(self, user_id: int, category: str, fields: dict[str, Any], purpose: str) -> None:
        if self.client is None:
            return
        try:
            self.client.push(str(user_id), category, fields, purpose=purpose)
        except HUB_FAILURES as error:
            self.log.warning("push of %s refused or failed: %s", category, _loggable(error))
            with self.store.session() as db:
                user = db.get(User, user_id)
                if user is not None:
                    note_refusal(user, error)
                    if isinstance(error, UnknownAppUser):
                        user.hub_linked = False  # the hub no longer has this link

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def note_refusal(user: User, error: Exception) -> None:
    user.hub_last_refusal = describe_failure(error)[:300]
    user.hub_last_refusal_at = utcnow()


def _loggable(error: Exception) -> str:
    if isinstance(error, HubError):
        return f"{error.status} {error.type}"
    return type(error).__name__


def linked_user(db: Session, user_id: int) -> User | None:
    user = db.get(User, user_id)
    return user if user is not None and user.hub_linked else None
