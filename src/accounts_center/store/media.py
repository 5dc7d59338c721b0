"""Repository of media: content-addressed blobs, their owners and the apps granted them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from accounts_center.store.base import storable, table_of
from accounts_center.store.media_models import MediaBlobRow, MediaGrantRow, MediaOwnershipRow
from accounts_center.store.models import MemberAppRow

_BLOBS = table_of(MediaBlobRow)
_GRANTS = table_of(MediaGrantRow)
_OWNERSHIPS = table_of(MediaOwnershipRow)
_APPS = table_of(MemberAppRow)
# The checks that run on every media fetch, prebuilt Core statements that read the blob's
# type but not its content (the bytes may come from the process's cache): one round trip
# each, the app found by its client id in the same statement.
_DIGEST: BindParameter[str] = bindparam("digest")
_TYPE_GRANTED_TO_CLIENT = select(_BLOBS.c.media_type).where(
    _BLOBS.c.digest == _DIGEST,
    exists().where(_GRANTS.c.digest == _DIGEST, _GRANTS.c.app_id == _APPS.c.id,
                   _APPS.c.client_id == bindparam("client_id")))
_TYPE_GRANTED_TO_APP = select(_BLOBS.c.media_type).where(
    _BLOBS.c.digest == _DIGEST,
    exists().where(_GRANTS.c.digest == _DIGEST, _GRANTS.c.app_id == bindparam("app_id")))
_TYPE_OWNED_BY = select(_BLOBS.c.media_type).where(
    _BLOBS.c.digest == _DIGEST,
    exists().where(_OWNERSHIPS.c.digest == _DIGEST,
                   _OWNERSHIPS.c.identity_id == bindparam("identity_id")))
_CONTENT = select(_BLOBS.c.content).where(_BLOBS.c.digest == _DIGEST)


class Media:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _insert(self):
        postgres = self._session.get_bind().dialect.name == "postgresql"
        return pg_insert if postgres else sqlite_insert

    def put_blob(self, digest: str, media_type: str, content: bytes, now: datetime) -> None:
        """Stores the bytes unless a blob of that digest exists: a digest names its
        content, so the one already stored is the same (and two processes storing the
        same upload at once both succeed). An existing blob is only touched
        (``created_at``), which locks it and keeps the pruner of unowned blobs off it
        until this transaction's owner row is there."""
        insert = self._insert()(_BLOBS).values(
            digest=digest, media_type=media_type, size=len(content), content=content,
            created_at=now)
        self._session.execute(insert.on_conflict_do_update(
            index_elements=["digest"], set_={"created_at": insert.excluded.created_at}))

    def blob(self, digest: str) -> MediaBlobRow | None:
        return self._session.get(MediaBlobRow, digest)

    def blob_count(self) -> int:
        return self._session.scalar(select(func.count()).select_from(MediaBlobRow)) or 0

    def own(self, identity_id: str, purpose: str, rendition: int, digest: str,
            now: datetime) -> None:
        self._session.merge(MediaOwnershipRow(identity_id=identity_id, purpose=purpose,
                                              rendition=rendition, digest=digest,
                                              created_at=now))
        self._session.flush()

    def disown(self, identity_id: str, purpose: str) -> None:
        """The person no longer holds anything for ``purpose`` (e.g. a new profile photo
        replaces every rendition of the old one)."""
        self._session.execute(delete(MediaOwnershipRow).where(
            MediaOwnershipRow.identity_id == identity_id,
            MediaOwnershipRow.purpose == purpose))

    def disown_digest(self, identity_id: str, purpose: str, digest: str) -> None:
        """The person no longer holds this one blob for ``purpose``."""
        self._session.execute(delete(MediaOwnershipRow).where(
            MediaOwnershipRow.identity_id == identity_id,
            MediaOwnershipRow.purpose == purpose, MediaOwnershipRow.digest == digest))

    def held_for_other_purposes(self, identity_id: str, purpose: str, digest: str) -> bool:
        """Whether the person holds this blob for another purpose than ``purpose`` (a
        sticker can be the very PNG their avatar is sent as)."""
        return self._session.scalar(select(exists().where(
            MediaOwnershipRow.identity_id == identity_id,
            MediaOwnershipRow.purpose != purpose,
            MediaOwnershipRow.digest == digest))) or False

    def owned(self, identity_id: str, purpose: str) -> Sequence[MediaOwnershipRow]:
        return self._session.scalars(select(MediaOwnershipRow).where(
            MediaOwnershipRow.identity_id == identity_id,
            MediaOwnershipRow.purpose == purpose).order_by(MediaOwnershipRow.rendition)).all()

    def owners(self, digest: str) -> Sequence[str]:
        return self._session.scalars(select(MediaOwnershipRow.identity_id).where(
            MediaOwnershipRow.digest == digest).distinct()).all()

    # The checks of every media fetch, and the bytes apart: single reads (`Hub.single_read`,
    # one round trip on PostgreSQL), so static, on any connection.
    @staticmethod
    def type_if_owned_by(connection: Connection, identity_id: str, digest: str) -> str | None:
        """The blob's media type if the person owns it; None whether it is someone
        else's or none (its content is not read)."""
        return connection.execute(_TYPE_OWNED_BY, {
            "digest": digest, "identity_id": identity_id}).scalar()

    @staticmethod
    def type_if_granted_to_app(connection: Connection, app_id: str,
                               digest: str) -> str | None:
        """The blob's media type if some person granted it to the app; None otherwise."""
        return connection.execute(_TYPE_GRANTED_TO_APP, {
            "digest": digest, "app_id": app_id}).scalar()

    @staticmethod
    def type_if_granted_to_client(connection: Connection, client_id: str,
                                  digest: str) -> str | None:
        """The same for the app with ``client_id``; None for a client id nobody has."""
        if not storable(client_id):
            return None
        return connection.execute(_TYPE_GRANTED_TO_CLIENT, {
            "digest": digest, "client_id": client_id}).scalar()

    @staticmethod
    def content(connection: Connection, digest: str) -> bytes | None:
        return connection.execute(_CONTENT, {"digest": digest}).scalar()

    def owned_by(self, identity_id: str, digest: str) -> MediaBlobRow | None:
        """The blob if the person owns it; None whether it is someone else's or none."""
        return self._session.scalars(select(MediaBlobRow).where(
            MediaBlobRow.digest == digest,
            exists().where(MediaOwnershipRow.digest == digest,
                           MediaOwnershipRow.identity_id == identity_id))).first()

    def delete_if_unowned(self, digest: str) -> bool:
        """Deletes the blob if nobody owns it; whether it did. The blob's row is locked
        first: an upload of the same bytes in flight touched it (`put_blob`) and holds
        it until its owner row is in, so this sees that owner, or the upload waits and
        stores the bytes afresh."""
        locked = self._session.scalar(select(MediaBlobRow.digest).where(
            MediaBlobRow.digest == digest).with_for_update())
        if locked is None or self.owners(digest):
            return False
        self._session.execute(delete(MediaBlobRow).where(MediaBlobRow.digest == digest))
        return True

    def delete_unowned_put_before(self, cutoff: datetime) -> int:
        """Deletes blobs nobody owns that were last put before ``cutoff``."""
        result = self._session.execute(delete(MediaBlobRow).where(
            MediaBlobRow.created_at < cutoff,
            ~exists().where(MediaOwnershipRow.digest == MediaBlobRow.digest)))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def grant(self, identity_id: str, app_id: str, digest: str) -> None:
        statement = self._insert()(_GRANTS).values(
            identity_id=identity_id, app_id=app_id, digest=digest).on_conflict_do_nothing(
            index_elements=["identity_id", "app_id", "digest"])
        self._session.execute(statement)

    def revoke(self, identity_id: str, app_id: str) -> None:
        self._session.execute(delete(MediaGrantRow).where(
            MediaGrantRow.identity_id == identity_id, MediaGrantRow.app_id == app_id))

    def revoke_digest(self, identity_id: str, digest: str) -> None:
        """No app fetches this blob of the person's any more."""
        self._session.execute(delete(MediaGrantRow).where(
            MediaGrantRow.identity_id == identity_id, MediaGrantRow.digest == digest))

    def revoke_app_digest(self, identity_id: str, app_id: str, digest: str) -> None:
        """This one app no longer fetches this blob of the person's."""
        self._session.execute(delete(MediaGrantRow).where(
            MediaGrantRow.identity_id == identity_id, MediaGrantRow.app_id == app_id,
            MediaGrantRow.digest == digest))
