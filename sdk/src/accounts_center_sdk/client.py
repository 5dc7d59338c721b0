"""``AccountsCenter``: the hub, as a member app's backend talks to it (blocking)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from accounts_center_sdk.creations import Creation
from accounts_center_sdk.crossposts import CopyReported, CrossPost, CrossPostDestination
from accounts_center_sdk.flows import Authorization, Pending, SignedIn, Tokens
from accounts_center_sdk.operations import Operations, run_sync

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class AccountsCenter:
    """One per app process; safe to share between threads.

    ``issuer`` is the hub's URL (its discovery document must name the same issuer),
    ``client_id``/``client_secret`` what ``accounts-center apps add`` printed, and
    ``redirect_uri`` the app's registered callback. Nothing is fetched until the first
    call, so the app starts while the hub is down. Failures raise the exceptions in
    ``accounts_center_sdk.errors``: a ``HubError`` carries the hub's problem body.
    """

    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str,
                 *, http: httpx.Client | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._ops = Operations(issuer, client_id, client_secret, redirect_uri, clock)
        self._owns_http = http is None
        # The hub does not redirect its API; following one could leak the client secret.
        self._http = http or httpx.Client(timeout=DEFAULT_TIMEOUT, follow_redirects=False)

    def start_link(self, app_user_id: str, handle: str,
                   birth_date: str | None = None) -> Authorization:
        """"Add to Accounts Center" for the logged-in ``app_user_id``, shown as ``handle``."""
        return run_sync(self._ops.start_link(app_user_id, handle, birth_date), self._http.send)

    def start_sign_in(self, prompt: str | None = None,
                      max_age: int | None = None) -> Authorization:
        """"Continue with Accounts Center"."""
        return run_sync(self._ops.start_sign_in(prompt, max_age), self._http.send)

    def finish(self, pending: Pending, callback: Mapping[str, str]) -> SignedIn:
        """The browser came back to ``redirect_uri`` with ``callback`` (its query)."""
        return run_sync(self._ops.finish(pending, callback), self._http.send)

    def refresh(self, refresh_token: str) -> Tokens:
        return run_sync(self._ops.refresh(refresh_token), self._http.send)

    def revoke(self, token: str) -> None:
        run_sync(self._ops.revoke(token), self._http.send)

    def unlink(self, app_user_id: str) -> None:
        """Remove the user's link at the hub (nothing happens if there is none)."""
        run_sync(self._ops.unlink(app_user_id), self._http.send)

    def push(self, app_user_id: str, category: str, fields: Mapping[str, Any],
             purpose: str = "security_and_integrity") -> None:
        """Send data of a category the app declared it ``sends``."""
        run_sync(self._ops.push(app_user_id, category, fields, purpose), self._http.send)

    def read(self, app_user_id: str, category: str,
             purpose: str = "cross_app_features") -> list[dict[str, Any]]:
        """What the hub holds of the person's ``category`` (one the app ``receives``)."""
        return run_sync(self._ops.read(app_user_id, category, purpose), self._http.send)

    def read_profile(self, app_user_id: str) -> dict[str, Any]:
        """The profile fields the person keeps in sync with this app (``profile``), and
        those the hub withheld, with why (``withheld``)."""
        return run_sync(self._ops.read_profile(app_user_id), self._http.send)

    def update_profile(self, app_user_id: str, **fields: Any) -> dict[str, bool]:
        """Your user changed ``name``, ``photo`` or ``avatar`` in your app: send only
        fields the person keeps in sync with it (else `FieldNotSynced`). Answers whether
        each field won (last writer wins by the hub's clock)."""
        return run_sync(self._ops.update_profile(app_user_id, fields), self._http.send)

    def list_creations(self, app_user_id: str) -> list[Creation]:
        """The person's creations (stickers and images), newest first. Your app must
        declare ``"creations": true`` (else `CreationsNotDeclared`)."""
        return run_sync(self._ops.list_creations(app_user_id), self._http.send)

    def get_creation(self, app_user_id: str, creation_id: str) -> Creation:
        """One creation; `CreationNotFound` when deleted, hidden or unknown."""
        return run_sync(self._ops.get_creation(app_user_id, creation_id), self._http.send)

    def add_creation(self, app_user_id: str, content: bytes, media_type: str,
                     title: str | None = None) -> Creation:
        """An image your user made in your app (JPEG, PNG, WebP or HEIC bytes) joins the
        person's creations; their other apps that use creations are told."""
        return run_sync(self._ops.add_creation(app_user_id, content, media_type, title),
                        self._http.send)

    def crosspost_destinations(self, app_user_id: str,
                               post_type: str) -> list[CrossPostDestination]:
        """Where your user's post of ``post_type`` (e.g. ``status``) may go: only the
        destinations the person set to ``ask`` (offer a checkbox) or ``always``. Your app
        must declare the type in ``crosspost.sources`` (else `CrossPostTypeNotDeclared`)."""
        return run_sync(self._ops.crosspost_destinations(app_user_id, post_type),
                        self._http.send)

    def create_crosspost(self, app_user_id: str, *, post_type: str, media: bytes,
                         media_type: str, caption: str | None = None,
                         expires_at: datetime | None = None,
                         destinations: Sequence[str] = ()) -> CrossPost:
        """Cross-post your user's item: the hub sends it to every ``always`` destination
        and to the ``ask`` ones in ``destinations`` (their ids). No audience is sent: each
        destination uses its own default. `CrossPostDestinationNotOffered` for an id not
        offered now, `CrossPostNoDestination` when it would reach none."""
        return run_sync(self._ops.create_crosspost(
            app_user_id, post_type, media, media_type, caption, expires_at, destinations),
            self._http.send)

    def get_crosspost(self, crosspost_id: str) -> CrossPost:
        """Your post, with each destination's state; `CrossPostNotFound` if not yours."""
        return run_sync(self._ops.get_crosspost(crosspost_id), self._http.send)

    def delete_crosspost(self, crosspost_id: str) -> CrossPost:
        """Your user deleted the item: every destination that was sent a copy is told
        (``crosspost.deleted``). Deleting again changes nothing."""
        return run_sync(self._ops.delete_crosspost(crosspost_id), self._http.send)

    def report_crosspost_copy(self, crosspost_id: str, *, state: str,
                              item_id: str | None = None,
                              post_type: str | None = None) -> CopyReported:
        """As a destination: what became of the copy you were sent (``created`` with your
        ``item_id``, ``failed`` or ``deleted``); ``post_type`` only when you were sent the
        post as several types."""
        return run_sync(self._ops.report_crosspost_copy(crosspost_id, state, item_id,
                                                        post_type), self._http.send)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> AccountsCenter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
