"""Repository of cross-posting: the direction matrix, the person's choices, the posts and
their copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from accounts_center.store.crosspost_models import (
    CrossPostChoiceRow,
    CrossPostCopyRow,
    CrossPostDirectionRow,
    CrossPostRow,
)
from accounts_center.store.link_models import LinkedAccountRow
from accounts_center.store.links import ACTIVE


class CrossPosts:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- the operator's matrix -----------------------------------------------------------
    def directions(self) -> Sequence[CrossPostDirectionRow]:
        return self._session.scalars(select(CrossPostDirectionRow)).all()

    def set_direction(self, source: str, destination: str, allowed: bool,
                      now: datetime) -> None:
        row = self._session.get(CrossPostDirectionRow, (source, destination),
                                with_for_update=True)
        if row is None:
            self._session.add(CrossPostDirectionRow(source_type=source,
                                                    destination_type=destination,
                                                    allowed=allowed, changed_at=now))
        else:
            row.allowed, row.changed_at = allowed, now
        self._session.flush()

    # --- the person's choices ------------------------------------------------------------
    def choices_of(self, identity_id: str) -> Sequence[CrossPostChoiceRow]:
        return self._session.scalars(select(CrossPostChoiceRow).where(
            CrossPostChoiceRow.identity_id == identity_id)).all()

    def choices_from(self, source_link_id: str) -> Sequence[CrossPostChoiceRow]:
        return self._session.scalars(select(CrossPostChoiceRow).where(
            CrossPostChoiceRow.source_link_id == source_link_id)
            .order_by(CrossPostChoiceRow.id)).all()

    def choice(self, source_link_id: str, destination_link_id: str, source_type: str,
               destination_type: str, *, lock: bool = False) -> CrossPostChoiceRow | None:
        query = select(CrossPostChoiceRow).where(
            CrossPostChoiceRow.source_link_id == source_link_id,
            CrossPostChoiceRow.destination_link_id == destination_link_id,
            CrossPostChoiceRow.source_type == source_type,
            CrossPostChoiceRow.destination_type == destination_type)
        return self._session.scalar(query.with_for_update() if lock else query)

    def add_choice(self, row: CrossPostChoiceRow) -> None:
        self._session.add(row)
        self._session.flush()

    # --- posts and copies ----------------------------------------------------------------
    def add(self, post: CrossPostRow) -> None:
        self._session.add(post)
        self._session.flush()

    def add_copy(self, row: CrossPostCopyRow) -> None:
        self._session.add(row)
        self._session.flush()

    def of_person(self, identity_id: str) -> Sequence[CrossPostRow]:
        """Newest first (ids break ties, so every engine lists the same order)."""
        return self._session.scalars(select(CrossPostRow).where(
            CrossPostRow.identity_id == identity_id)
            .order_by(CrossPostRow.created_at.desc(), CrossPostRow.id.desc())).all()

    def get(self, crosspost_id: str, *, lock: bool = False) -> CrossPostRow | None:
        return self._session.get(CrossPostRow, crosspost_id[:36], with_for_update=lock)

    def copies(self, crosspost_id: str) -> Sequence[CrossPostCopyRow]:
        return self._session.scalars(select(CrossPostCopyRow).where(
            CrossPostCopyRow.crosspost_id == crosspost_id)
            .order_by(CrossPostCopyRow.choice_id)).all()

    def apps_with_live_copies(self, identity_id: str, digest: str) -> set[str]:
        """The apps sent a copy (not refused) of one of the person's posts, neither
        deleted nor expired, with this picture.

        Two reads driven by the person's posts (their few live ones with this picture,
        then those posts' copies by the primary key), never by an app's copies: joined
        in one query, SQLite walked every copy the app ever received (the
        ``destination_app_id`` index), a cost growing with all of its copies."""
        posts = self._session.scalars(select(CrossPostRow.id).where(
            CrossPostRow.identity_id == identity_id, CrossPostRow.digest == digest,
            CrossPostRow.deleted_at.is_(None), CrossPostRow.expired_at.is_(None))).all()
        if not posts:
            return set()
        return set(self._session.scalars(select(CrossPostCopyRow.destination_app_id).where(
            CrossPostCopyRow.crosspost_id.in_(posts), CrossPostCopyRow.state != "refused")))

    def live_posts_with(self, identity_id: str, digest: str) -> int:
        """How many of the person's posts, neither deleted nor expired, show this picture."""
        return self._session.scalar(
            select(func.count()).select_from(CrossPostRow).where(
                CrossPostRow.identity_id == identity_id, CrossPostRow.digest == digest,
                CrossPostRow.deleted_at.is_(None), CrossPostRow.expired_at.is_(None))) or 0

    def live_from_app(self, identity_id: str, app_id: str) -> Sequence[CrossPostRow]:
        """The person's posts from one source app, neither deleted nor expired."""
        return self._session.scalars(select(CrossPostRow).where(
            CrossPostRow.identity_id == identity_id, CrossPostRow.source_app_id == app_id,
            CrossPostRow.deleted_at.is_(None), CrossPostRow.expired_at.is_(None))
            .order_by(CrossPostRow.created_at, CrossPostRow.id).with_for_update()).all()

    def recent_of_person(self, identity_id: str, limit: int) -> Sequence[CrossPostRow]:
        """The person's latest ``limit`` posts, newest first (ids break ties)."""
        return self._session.scalars(select(CrossPostRow).where(
            CrossPostRow.identity_id == identity_id)
            .order_by(CrossPostRow.created_at.desc(), CrossPostRow.id.desc())
            .limit(limit)).all()

    def kept_by_removed_apps(self, identity_id: str,
                             ) -> Sequence[tuple[CrossPostCopyRow, CrossPostRow]]:
        """Copies sent to an account of the person's that is no longer active, that its
        app neither reported deleted or failed nor was told the post ended: the app still
        holds them. Newest post first."""
        rows = self._session.execute(
            select(CrossPostCopyRow, CrossPostRow)
            .join(CrossPostRow, CrossPostRow.id == CrossPostCopyRow.crosspost_id)
            .join(LinkedAccountRow, LinkedAccountRow.id == CrossPostCopyRow.destination_link_id)
            .where(CrossPostRow.identity_id == identity_id,
                   LinkedAccountRow.status != ACTIVE,
                   CrossPostCopyRow.state.in_(("sent", "created")),
                   CrossPostCopyRow.end_told_at.is_(None))
            .order_by(CrossPostRow.created_at.desc(), CrossPostRow.id.desc(),
                      CrossPostCopyRow.choice_id)).all()
        return [(copy, post) for copy, post in rows]

    def copies_for_app(self, crosspost_id: str, app_id: str,
                       ) -> Sequence[CrossPostCopyRow]:
        """The copies of the post one destination app holds (with_for_update: a report
        and a deletion take turns)."""
        return self._session.scalars(select(CrossPostCopyRow).where(
            CrossPostCopyRow.crosspost_id == crosspost_id[:36],
            CrossPostCopyRow.destination_app_id == app_id)
            .order_by(CrossPostCopyRow.choice_id).with_for_update()).all()

    # --- expiry ------------------------------------------------------------------------
    def next_expiry(self) -> datetime | None:
        """The earliest ``expires_at`` of a post neither deleted nor expired (one query on
        the ``expires_at`` index)."""
        return self._session.scalar(select(func.min(CrossPostRow.expires_at)).where(
            CrossPostRow.expires_at.is_not(None), CrossPostRow.deleted_at.is_(None),
            CrossPostRow.expired_at.is_(None)))

    def claim_expired(self, now: datetime, limit: int) -> Sequence[CrossPostRow]:
        """Marks up to ``limit`` due posts expired and returns them; a post another
        worker claimed (or the source deleted) meanwhile is skipped: the UPDATE re-checks
        its WHERE on the row it waited for (PostgreSQL), and on SQLite one transaction
        writes at a time."""
        live = (CrossPostRow.expires_at <= now, CrossPostRow.deleted_at.is_(None),
                CrossPostRow.expired_at.is_(None))
        due = (select(CrossPostRow.id).where(*live)
               .order_by(CrossPostRow.expires_at, CrossPostRow.id).limit(limit))
        if self._session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        ids = self._session.scalars(
            update(CrossPostRow).where(CrossPostRow.id.in_(due), *live)
            .values(expired_at=now).returning(CrossPostRow.id)
            .execution_options(synchronize_session=False)).all()
        if not ids:
            return []
        return self._session.scalars(
            select(CrossPostRow).where(CrossPostRow.id.in_(ids))
            .order_by(CrossPostRow.expires_at, CrossPostRow.id)
            .execution_options(populate_existing=True)).all()
