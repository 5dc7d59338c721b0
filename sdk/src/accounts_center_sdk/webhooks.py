"""Receiving the hub's webhooks in a member app (Standard Webhooks; issue 5, point 5).

    receiver = WebhookReceiver("whsec_…")            # the app's webhook secret(s)
    event = receiver.receive(request_body, request_headers)
    if isinstance(event, AccountUnlinked): …

`receive` checks the `webhook-signature` (HMAC-SHA256 by the `standardwebhooks` package,
any of several secrets during a rotation), refuses a `webhook-timestamp` more than five
minutes off, and returns a typed event. Once the app has acted on it, it calls
``receiver.applied(event)``:

    try:
        event = receiver.receive(body, headers)
    except DuplicateWebhook:
        return 204          # already applied: the hub sent it again; do nothing
    except InvalidWebhook:
        return 400          # not from the hub, or stale: do nothing
    apply(event)            # if this fails, answer 5xx: the hub retries
    receiver.applied(event)
    return 204

The hub sends an event again after a lost answer, a 5xx or a worker's crash, always
under the same `webhook-id`; a 4xx to a repeat would only make it retry until it gives up.
`SeenIds` remembers applied ids in memory for ten minutes, which stops replays within
the timestamp tolerance. Retries span more than 24 hours, so an app that must apply each
event exactly once also records the `webhook-id` in the transaction that applies it (or
passes a durable ``seen`` store with the same `has`/`add` methods).
The body is the Standard Webhooks envelope ``{"type", "timestamp", "data"}``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from accounts_center_sdk.creations import Creation

REPLAY_WINDOW_SECONDS = 10 * 60  # longer than the timestamp tolerance (5 minutes)


class InvalidWebhook(Exception):
    """The request is not a genuine, fresh delivery of a hub event: answer 400."""


class DuplicateWebhook(Exception):
    """A genuine delivery of an event already received: answer 2xx and do nothing."""

    def __init__(self, event: Event) -> None:
        super().__init__(f"webhook {event.id} was already received")
        self.event = event


@dataclass(frozen=True)
class Event:
    id: str  # the webhook-id: stable across retries, the key for "apply once"
    type: str
    timestamp: str
    sub: str  # the person as this app knows them (pairwise)
    app_user_id: str
    occurred_at: str
    # The hub's signed receipt of the person's ledger after this event was recorded: keep
    # it, and the hub can later be held to the history it shows (a JWS; verify it with
    # the hub's JWKS).
    ledger_receipt: str


@dataclass(frozen=True)
class _LinkChange(Event):
    app: str  # the app whose link changed: today always this app
    your_account: bool  # True when that app is the receiver


@dataclass(frozen=True)
class AccountLinked(_LinkChange):
    pass


@dataclass(frozen=True)
class AccountUnlinked(_LinkChange):
    pass


@dataclass(frozen=True)
class ConsentUpdated(Event):
    purpose: str
    granted: bool


@dataclass(frozen=True)
class AgeReconciled(Event):
    age_band: str


@dataclass(frozen=True)
class DataErasureRequested(Event):
    """The person erased information in the hub: forget what you hold of these
    categories about them (received from the hub, or what you yourself shared)."""

    categories: tuple[str, ...]


@dataclass(frozen=True)
class ProfileUpdated(Event):
    """A profile field the person keeps in sync with your app changed, or the person
    just turned its sync on: ``field`` is ``name``, ``photo`` or ``avatar``; ``value``
    the display name, the photo's reference or the avatar's spec (``None``: removed);
    ``media_url`` for a photo or an avatar, a URL signed for your app alone (valid an
    hour) of the photo's 256 px JPEG or the avatar's 256 px PNG, else ``None``;
    ``updated_at`` when the hub took the value."""

    field: str
    value: Any
    media_url: str | None
    updated_at: str


@dataclass(frozen=True)
class CreationAdded(Event):
    """A creation is new to your app: the person made it (in the hub or another app), or
    showed a hidden one again. Your app declared ``"creations": true``."""

    creation: Creation


@dataclass(frozen=True)
class CreationDeleted(Event):
    """A creation is gone for your app: the person deleted it, or hid it from their apps.
    Forget it; its URL no longer works."""

    creation_id: str


@dataclass(frozen=True)
class CrossPostCreated(Event):
    """The person cross-posted an item to your app: create it as a ``post_type`` item (e.g.
    ``story``) for your user, with your own default audience (the source's is never sent),
    then tell the hub its state (``PUT /v1/app/crossposts/{crosspost_id}/copy``).
    ``media_url`` is signed for your app alone, for an hour (later, fetch it with your
    client credentials); ``expires_at`` (ISO 8601) or ``None``."""

    crosspost_id: str
    post_type: str
    caption: str
    media_url: str
    media_type: str
    expires_at: str | None


@dataclass(frozen=True)
class CrossPostDeleted(Event):
    """A cross-post was deleted (by its source app, or by the person in the hub's
    console): delete your copy (its picture's URL stops working). When ``crosspost_id``
    is a post your app made (`create_crosspost`), the person deleted it everywhere from
    the console: delete your own item too."""

    crosspost_id: str
    post_type: str  # which copy: what it became in your app (e.g. "story")


@dataclass(frozen=True)
class CrossPostExpired(Event):
    """A post the person cross-posted to your app reached its ``expires_at``: remove your
    copy (its picture's URL stops working)."""

    crosspost_id: str
    post_type: str  # which copy: what it became in your app (e.g. "story")


@dataclass(frozen=True)
class UnknownEvent(Event):
    """An event type this SDK version does not know; its data is kept as received."""

    data: Mapping[str, Any]


class SeenStore(Protocol):
    """Where applied webhook ids are remembered: ``SeenIds`` in memory, or the app's own
    (e.g. a table in its database, written in the transaction that applies the event)."""

    def has(self, webhook_id: str) -> bool: ...

    def add(self, webhook_id: str) -> bool: ...


class SeenIds:
    """Webhook ids applied recently (in memory, per process). An app running several
    processes passes its own store with the same `has` and `add`, e.g. on its database."""

    def __init__(self, window_seconds: float = REPLAY_WINDOW_SECONDS) -> None:
        self._window = window_seconds
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def has(self, webhook_id: str) -> bool:
        with self._lock:
            self._forget_old(time.monotonic())
            return webhook_id in self._seen

    def add(self, webhook_id: str) -> bool:
        """Records the id; False when it was already there within the window."""
        now = time.monotonic()
        with self._lock:
            self._forget_old(now)
            if webhook_id in self._seen:
                return False
            self._seen[webhook_id] = now
            return True

    def _forget_old(self, now: float) -> None:
        while self._seen and next(iter(self._seen.values())) < now - self._window:
            self._seen.popitem(last=False)


# The hub's event catalogue (its `domain/events.py`), as this SDK knows it: each type's
# own fields, besides the common ones every event carries.
COMMON_FIELDS = ("sub", "app_user_id", "occurred_at", "ledger_receipt")
_TYPES: dict[str, tuple[type[Event], tuple[str, ...]]] = {
    "account.linked": (AccountLinked, ("app", "your_account")),
    "account.unlinked": (AccountUnlinked, ("app", "your_account")),
    "consent.updated": (ConsentUpdated, ("purpose", "granted")),
    "age.reconciled": (AgeReconciled, ("age_band",)),
    "data.erasure_requested": (DataErasureRequested, ("categories",)),
    "profile.updated": (ProfileUpdated, ("field", "value", "media_url", "updated_at")),
    "creation.added": (CreationAdded, ("creation",)),
    "creation.deleted": (CreationDeleted, ("creation_id",)),
    "crosspost.created": (CrossPostCreated, ("crosspost_id", "post_type", "caption",
                                             "media_url", "media_type", "expires_at")),
    "crosspost.deleted": (CrossPostDeleted, ("crosspost_id", "post_type")),
    "crosspost.expired": (CrossPostExpired, ("crosspost_id", "post_type")),
}


class WebhookReceiver:
    def __init__(self, secrets: str | Sequence[str], seen: SeenStore | None = None) -> None:
        keys = [secrets] if isinstance(secrets, str) else list(secrets)
        if not keys:
            raise ValueError("at least one webhook secret is needed")
        self._webhooks = [Webhook(key) for key in keys]
        self._seen = seen or SeenIds()

    def receive(self, body: bytes | str, headers: Mapping[str, str]) -> Event:
        envelope = self._verified(body, headers)
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        event = _parse(webhook_id, envelope)
        if self._seen.has(webhook_id):
            raise DuplicateWebhook(event)
        return event

    def applied(self, event: Event) -> None:
        """The app has acted on ``event``: a later delivery of its id is a duplicate."""
        self._seen.add(event.id)

    def _verified(self, body: bytes | str, headers: Mapping[str, str]) -> Any:
        last_error = "no secret matched"
        for webhook in self._webhooks:  # several during a secret rotation
            try:
                return webhook.verify(body, dict(headers))
            except WebhookVerificationError as error:
                last_error = str(error)
            except (ValueError, TypeError, UnicodeDecodeError):
                last_error = "malformed webhook headers or body"
        raise InvalidWebhook(f"webhook not verified: {last_error}")


def _parse(webhook_id: str, envelope: Any) -> Event:
    if not isinstance(envelope, dict) or not isinstance(envelope.get("data"), dict):
        raise InvalidWebhook("the body is not a webhook envelope with type and data")
    kind, data = str(envelope.get("type", "")), envelope["data"]
    common = {"id": webhook_id, "type": kind, "timestamp": str(envelope.get("timestamp", "")),
              **{name: str(data.get(name, "")) for name in COMMON_FIELDS}}
    known = _TYPES.get(kind)
    if known is None:
        return UnknownEvent(**common, data=dict(data))
    cls, fields = known
    try:
        values = {name: data[name] for name in fields}
    except KeyError as missing:
        raise InvalidWebhook(f"{kind} event without {missing}") from None
    if "categories" in values:
        values["categories"] = tuple(values["categories"])
    if "creation" in values:
        document = values["creation"]
        try:
            values["creation"] = Creation.from_document(
                document if isinstance(document, dict) else {})
        except ValueError as error:
            raise InvalidWebhook(f"{kind} event with a creation that is {error}") from None
    return cls(**common, **values)
