"""This app's connection to Accounts Center, through the SDK only.

Pushes (``device`` on sign-in, ``activity`` on posting) happen only for linked users and
after the answer is sent; a refusal or an unreachable hub never breaks the app: it is
logged (status and problem type, never a secret or a field) and kept on the user's row for
the settings page.

A ``profile.updated`` event carries a photo or an avatar (and ``creation.added`` a
creation's picture) as a URL the hub signed for this app (valid an hour):
``fetch_picture`` downloads it at once, from the hub's own origin
only, and keeps nothing of it but checked pixels.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session

from accounts_center_demo.family.config import AppConfig
from accounts_center_demo.family.images import NotAPhoto, checked_photo
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
# A 256 px photo or avatar is tens of kilobytes; anything near this is not one.
MAX_PICTURE_BYTES = 2 * 1024 * 1024
PICTURE_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class PictureUnavailable(Exception):
    """A picture the hub sent could not be fetched or is not an image. ``transient``: the
    hub could not be reached or failed, so the same URL may work a little later."""

    def __init__(self, reason: str, transient: bool = False) -> None:
        super().__init__(reason)
        self.transient = transient


@dataclass(frozen=True)
class Picture:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


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
        # Not the SDK's client: a media URL needs no credentials, and must never get them.
        self.media = httpx.Client(timeout=PICTURE_TIMEOUT, follow_redirects=False)

    @property
    def your_information_url(self) -> str | None:
        return f"{self.issuer}/your-information" if self.issuer else None

    @property
    def profile_url(self) -> str | None:
        return f"{self.issuer}/profile" if self.issuer else None

    def fetch_picture(self, url: str | None, max_bytes: int = MAX_PICTURE_BYTES) -> Picture:
        """The image at a media URL of this app's hub, re-encoded without metadata;
        PictureUnavailable otherwise. Only the hub's own ``/media/`` addresses are
        fetched: a URL from elsewhere would make this app fetch what an attacker names.
        ``max_bytes``: a profile picture's limit unless said (a creation may be larger)."""
        if self.issuer is None or not url:
            raise PictureUnavailable("no media URL")
        hub, sent = urlsplit(self.issuer), urlsplit(url)
        if ((sent.scheme, sent.netloc) != (hub.scheme, hub.netloc)
                or not sent.path.startswith(hub.path.rstrip("/") + "/media/")):
            raise PictureUnavailable("not a media URL of this app's Accounts Center")
        try:
            with self.media.stream("GET", url) as answer:
                if answer.status_code != 200:
                    raise PictureUnavailable(f"the hub answered {answer.status_code}",
                                             transient=answer.status_code >= 500)
                data = bytearray()
                for chunk in answer.iter_bytes():
                    data += chunk
                    if len(data) > max_bytes:
                        raise PictureUnavailable("larger than this picture can be")
        except httpx.HTTPError as error:
            raise PictureUnavailable(type(error).__name__, transient=True) from error
        try:
            media_type, pixels = checked_photo(bytes(data))
        except NotAPhoto as error:
            raise PictureUnavailable("not an image") from error
        return Picture(media_type, pixels)

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
        self.media.close()
        if self.client is not None:
            self.client.close()


def report_copy(hub: HubConnection, crosspost_id: str, state: str,
                item_id: str | None) -> None:
    """Tells the hub what became of a cross-posted copy; a failure is logged only (the hub
    shows the copy as sent until it hears)."""
    if hub.client is None:
        return
    try:
        hub.client.report_crosspost_copy(crosspost_id, state=state, item_id=item_id)
    except HUB_FAILURES as error:
        hub.log.warning("copy report (%s) refused or failed: %s", state, _loggable(error))


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
