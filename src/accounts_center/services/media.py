"""The media store (issue 13, point 6): content-addressed blobs a person owns, served to
that person, to apps the sharing gate allowed (with their client credentials), and
through short-lived URLs signed for one app.

Who may not have a blob is never told whether it exists: every such answer is the same
`NotFound`. A signed URL that is bad or expired is refused (`MediaLinkRefused`) before
anything is looked up, so that answer reveals nothing either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from accounts_center.crypto.media_urls import (
    PURPOSE,
    media_url_signature,
    valid_media_url_signature,
)
from accounts_center.domain.errors import MediaLinkRefused, NotFound
from accounts_center.hub import Hub
from accounts_center.services.bytes_lru import BytesLRU
from accounts_center.services.member_apps import MemberApp
from accounts_center.store.media import Media
from accounts_center.store.unit_of_work import UnitOfWork

DIGEST = re.compile(r"^[0-9a-f]{64}$")
# A signed URL lives at most this long, whatever the caller asks: it is for an app to
# fetch what it was just told about, not to keep.
MAX_URL_TTL = timedelta(hours=1)
NO_SUCH_MEDIA = "No such media, or not yours to see."
# Bytes of recently served blobs kept per process (avatars and photo renditions are tens
# of KiB): a cached avatar is served without reading its content from the database.
BLOB_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class MediaBlob:
    digest: str
    media_type: str
    content: bytes


def put_media(uow: UnitOfWork, identity_id: str, content: bytes, media_type: str,
              purpose: str, rendition: int, now: datetime) -> str:
    """Within the caller's transaction: stores ``content`` (once, however often it is
    put) as the person's for ``purpose``; returns its digest."""
    digest = hashlib.sha256(content).hexdigest()
    uow.media.put_blob(digest, media_type, content, now)
    uow.media.own(identity_id, purpose, rendition, digest, now)
    return digest


def grant_media(uow: UnitOfWork, digest: str, app_id: str) -> None:
    """Within the caller's transaction, after the sharing gate allowed the flow that
    carries ``digest`` to the app: the app may fetch it (with its client credentials or a
    signed URL). Granted for every person who owns the blob; NotFound if nobody does."""
    owners = uow.media.owners(digest) if DIGEST.match(digest) else ()
    if not owners:
        raise NotFound(NO_SUCH_MEDIA)
    for identity_id in owners:
        uow.media.grant(identity_id, app_id, digest)


def revoke_media_grants(uow: UnitOfWork, identity_id: str, app_id: str) -> None:
    """Within the caller's transaction (an unlink, a changed decision): the app fetches
    none of the person's media from the very next request (SECURITY-CHECKLIST 41)."""
    uow.media.revoke(identity_id, app_id)


def signed_media_url(hub: Hub, digest: str, app_client_id: str, ttl: timedelta) -> str:
    """An absolute URL by which the app with ``app_client_id`` alone fetches ``digest``
    for ``ttl`` (at most an hour). Mint it only after an allowed decision and
    `grant_media`: the URL is honoured only while the grant stands."""
    ttl = min(ttl, MAX_URL_TTL)
    expires = int((hub.clock.now() + ttl).timestamp())
    signature = media_url_signature(_url_key(hub), digest, app_client_id, expires)
    query = urlencode({"app": app_client_id, "exp": expires, "sig": signature})
    return f"{hub.settings.issuer}/media/{digest}?{query}"


def media_for_owner(hub: Hub, identity_id: str, digest: str) -> MediaBlob:
    if not DIGEST.match(digest):
        raise NotFound(NO_SUCH_MEDIA)
    with hub.single_read() as connection:
        media_type = Media.type_if_owned_by(connection, identity_id, digest)
    return _blob(hub, digest, media_type)


def media_for_app(hub: Hub, app: MemberApp, digest: str) -> MediaBlob:
    """For an app authenticated with its client credentials: the blob if granted."""
    if not DIGEST.match(digest):
        raise NotFound(NO_SUCH_MEDIA)
    with hub.single_read() as connection:
        media_type = Media.type_if_granted_to_app(connection, app.id, digest)
    return _blob(hub, digest, media_type)


def media_by_signed_url(hub: Hub, digest: str, app_client_id: str, expires: int,
                        signature: str) -> tuple[MediaBlob, int]:
    """The blob a signed URL names, and the seconds it stays valid."""
    valid = DIGEST.match(digest) is not None and valid_media_url_signature(
        _url_key(hub), digest, app_client_id, expires, signature)
    remaining = expires - int(hub.clock.now().timestamp())
    if not valid:
        raise MediaLinkRefused("This media link was not made by this hub for this app.")
    if remaining <= 0:
        raise MediaLinkRefused("This media link expired: ask for a new one.")
    with hub.single_read() as connection:
        media_type = Media.type_if_granted_to_client(connection, app_client_id, digest)
    return _blob(hub, digest, media_type), remaining


def forget_cached_media(hub: Hub, digest: str) -> None:
    """The blob was deleted: this process drops its bytes too (it would never serve
    them, the check finding no blob, but they need not stay in memory)."""
    _blob_cache(hub).discard(digest)


def _blob(hub: Hub, digest: str, media_type: str | None) -> MediaBlob:
    """The blob's bytes once the caller's check (``media_type``: None when refused) let
    this request have it. The check runs against the database on every request, so a
    revoked grant takes effect at once in every process; only the bytes are cached, and
    a digest names its content forever."""
    if media_type is None:
        raise NotFound(NO_SUCH_MEDIA)
    cache = _blob_cache(hub)
    content = cache.get(digest)
    if content is None:
        with hub.single_read() as connection:
            content = Media.content(connection, digest)
        if content is None:  # deleted since the check
            raise NotFound(NO_SUCH_MEDIA)
        cache.put(digest, content)
    return MediaBlob(digest=digest, media_type=media_type, content=content)


def _blob_cache(hub: Hub) -> BytesLRU[str]:
    cache = hub.memo.get("media-blobs")
    if cache is None:
        cache = hub.memo["media-blobs"] = BytesLRU[str](BLOB_CACHE_BYTES)
    assert isinstance(cache, BytesLRU)
    return cache


def _url_key(hub: Hub) -> bytes:
    key = hub.memo.get("media-url-key")
    if key is None:
        key = hub.memo["media-url-key"] = hub.secret_box.subkey(PURPOSE)
    assert isinstance(key, bytes)
    return key
