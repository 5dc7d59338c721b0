"""The operator's registry of member apps (DESIGN §3, MemberApp).

The client secret is shown once, at registration or rotation; only its digest is kept and
it is compared in constant time (SECURITY-CHECKLIST 16).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from accounts_center.crypto.tokens import digest, new_token, same_digest
from accounts_center.crypto.webhook_secrets import new_webhook_secret
from accounts_center.domain.capabilities import Capabilities, parse_capabilities
from accounts_center.domain.errors import AlreadyRegistered, InvalidInput, NotFound
from accounts_center.domain.uris import check_app_url
from accounts_center.hub import Hub
from accounts_center.services.client_cache import forget_clients
from accounts_center.store.models import MemberAppRow

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$")
MAX_REDIRECT_URIS = 20
MAX_WEBHOOK_OVERLAP = timedelta(days=30)


@dataclass(frozen=True)
class MemberApp:
    id: str
    name: str
    client_id: str
    redirect_uris: list[str]
    webhook_url: str
    capabilities: Capabilities
    created_at: datetime
    secret_rotated_at: datetime
    subject_salt: str
    connect_url: str | None
    backchannel_logout_uri: str | None
    post_logout_redirect_uris: list[str]
    webhook_has_secret: bool = True
    webhook_previous_until: datetime | None = None
    webhook_disabled_at: datetime | None = None
    webhook_disabled_reason: str | None = None


@dataclass(frozen=True)
class Credentials:
    app: MemberApp
    client_secret: str
    webhook_secret: str | None = None


@dataclass(frozen=True)
class WebhookSecret:
    app: MemberApp
    secret: str
    previous_valid_until: datetime | None  # the old secret still signs until then


def register_app(hub: Hub, name: str, redirect_uris: list[str], webhook_url: str,
                 capabilities: Any = None, *, connect_url: str | None = None,
                 backchannel_logout_uri: str | None = None,
                 post_logout_redirect_uris: list[str] | None = None) -> Credentials:
    name = name.strip()
    if not _NAME.match(name):
        raise InvalidInput("name: use 1 to 80 letters, digits, spaces, dots, dashes or "
                           "underscores, starting with a letter or digit", field="name")
    if not redirect_uris:
        raise InvalidInput("redirect_uri: give at least one", field="redirect_uri")
    if len(redirect_uris) > MAX_REDIRECT_URIS:
        raise InvalidInput(f"redirect_uri: at most {MAX_REDIRECT_URIS}", field="redirect_uri")
    uris = [check_app_url(u, field="redirect_uri") for u in redirect_uris]
    hook = check_app_url(webhook_url, field="webhook_url")
    connect = check_app_url(connect_url, field="connect_url") if connect_url else None
    logout_hook = (check_app_url(backchannel_logout_uri, field="backchannel_logout_uri")
                   if backchannel_logout_uri else None)
    after_logout = [check_app_url(u, field="post_logout_redirect_uri")
                    for u in post_logout_redirect_uris or []]
    declared = parse_capabilities(capabilities if capabilities is not None else {})
    secret, webhook_secret = new_token(), new_webhook_secret()
    now = hub.clock.now()
    with hub.unit_of_work() as uow:
        if uow.member_apps.by_name(name) is not None:
            raise AlreadyRegistered(f"name: an app called {name!r} is already registered",
                                    field="name")
        row = MemberAppRow(id=hub.new_id(), name=name, client_id="app_" + new_token(16),
                           client_secret_digest=digest(secret), redirect_uris=uris,
                           webhook_url=hook, capabilities=declared.to_document(),
                           created_at=now, secret_rotated_at=now,
                           subject_salt=secrets.token_hex(32), connect_url=connect,
                           backchannel_logout_uri=logout_hook,
                           post_logout_redirect_uris=after_logout,
                           webhook_secret_sealed=hub.secret_box.seal(webhook_secret))
        uow.member_apps.add(row)
        uow.commit()
        return Credentials(_view(row), secret, webhook_secret)


def list_apps(hub: Hub) -> Sequence[MemberApp]:
    with hub.unit_of_work() as uow:
        return [_view(r) for r in uow.member_apps.all()]


def show_app(hub: Hub, key: str) -> MemberApp:
    with hub.unit_of_work() as uow:
        return _view(_find(uow.member_apps.by_name_or_client_id(key), key))


def rotate_secret(hub: Hub, key: str) -> Credentials:
    secret = new_token()
    with hub.unit_of_work() as uow:
        row = _find(uow.member_apps.by_name_or_client_id(key), key)
        row.client_secret_digest, row.secret_rotated_at = digest(secret), hub.clock.now()
        uow.commit()
        view = _view(row)
    forget_clients(hub.memo)
    return Credentials(view, secret)


def rotate_webhook_secret(hub: Hub, key: str, overlap: timedelta) -> WebhookSecret:
    """A new signing secret, in force at once; the current one goes on signing beside it
    for ``overlap`` so the app can switch without refusing a delivery (CHECKLIST 47)."""
    if overlap < timedelta(0) or overlap > MAX_WEBHOOK_OVERLAP:
        raise InvalidInput("overlap: give between 0 and 30 days", field="overlap")
    secret, now = new_webhook_secret(), hub.clock.now()
    with hub.unit_of_work() as uow:
        row = _find(uow.member_apps.by_name_or_client_id(key), key)
        keep_old = row.webhook_secret_sealed is not None and overlap > timedelta(0)
        row.webhook_previous_secret_sealed = row.webhook_secret_sealed if keep_old else None
        row.webhook_previous_until = now + overlap if keep_old else None
        row.webhook_secret_sealed = hub.secret_box.seal(secret)
        uow.commit()
        return WebhookSecret(_view(row), secret, row.webhook_previous_until)


def enable_webhook(hub: Hub, key: str) -> MemberApp:
    """Sends to the app's endpoint again after it answered 410 Gone; what waited is sent."""
    with hub.unit_of_work() as uow:
        row = _find(uow.member_apps.by_name_or_client_id(key), key)
        row.webhook_disabled_at = row.webhook_disabled_reason = None
        uow.outbox.announce()  # what waited for the endpoint goes now
        uow.commit()
        return _view(row)


def remove_app(hub: Hub, key: str) -> MemberApp:
    with hub.unit_of_work() as uow:
        row = _find(uow.member_apps.by_name_or_client_id(key), key)
        view = _view(row)
        uow.member_apps.remove(row)
        uow.commit()
    forget_clients(hub.memo)
    return view


def authenticate_client(hub: Hub, client_id: str, client_secret: str) -> MemberApp | None:
    with hub.unit_of_work() as uow:
        row = uow.member_apps.by_name_or_client_id(client_id)
        if row is None or row.client_id != client_id:
            same_digest(client_secret, digest("decoy"))  # same work either way
            return None
        return _view(row) if same_digest(client_secret, row.client_secret_digest) else None


def _find(row: MemberAppRow | None, key: str) -> MemberAppRow:
    if row is None:
        raise NotFound(f"no member app named or with client id {key!r}")
    return row


def member_app_view(row: MemberAppRow) -> MemberApp:
    """The app as use cases see it (capabilities parsed)."""
    return _view(row)


def _view(row: MemberAppRow) -> MemberApp:
    return MemberApp(id=row.id, name=row.name, client_id=row.client_id,
                     redirect_uris=list(row.redirect_uris), webhook_url=row.webhook_url,
                     capabilities=parse_capabilities(row.capabilities),
                     created_at=row.created_at, secret_rotated_at=row.secret_rotated_at,
                     subject_salt=row.subject_salt, connect_url=row.connect_url,
                     backchannel_logout_uri=row.backchannel_logout_uri,
                     post_logout_redirect_uris=list(row.post_logout_redirect_uris or []),
                     webhook_has_secret=row.webhook_secret_sealed is not None,
                     webhook_previous_until=row.webhook_previous_until,
                     webhook_disabled_at=row.webhook_disabled_at,
                     webhook_disabled_reason=row.webhook_disabled_reason)
