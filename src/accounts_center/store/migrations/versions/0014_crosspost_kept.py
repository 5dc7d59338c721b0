"""cross-posts release their picture, and each copy says whether it heard its post's end
(issue 14, points 5 and 6)

- `crossposts.digest` becomes nullable, its foreign key `ON DELETE SET NULL`: once a post
  is deleted or expired and nothing else holds its picture, the hub deletes the blob,
  and the post keeps its caption and dates without it.
- `crosspost_copies.end_told_at`: when the destination was told the post ended
  (`crosspost.deleted` or `crosspost.expired`). A copy not told while its app is removed
  is a copy the app kept, listed for the person, who may ask for its deletion.

Existing copies of posts that ended are marked told when their link was still active
then (the gate told exactly those).

Revision ID: 0014_crosspost_kept
Revises: 0013_crosspost_expiry
Create Date: 2026-12-08 04:15:00
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = '0014_crosspost_kept'
down_revision = '0013_crosspost_expiry'
branch_labels = None
depends_on = None

FK = 'fk_crossposts_digest_media_blobs'


@contextmanager
def copies_kept_aside() -> Iterator[None]:
    """SQLite alters `crossposts` by copying it to a new table and dropping the old one;
    with foreign keys on, that drop deletes every copy (ON DELETE CASCADE). The copies
    wait in a temporary table meanwhile."""
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute("CREATE TEMPORARY TABLE crosspost_copies_aside AS "
                   "SELECT * FROM crosspost_copies")
    yield
    if sqlite:
        op.execute("DELETE FROM crosspost_copies")
        op.execute("INSERT INTO crosspost_copies SELECT * FROM crosspost_copies_aside")
        op.execute("DROP TABLE crosspost_copies_aside")


def upgrade() -> None:
    with copies_kept_aside(), op.batch_alter_table('crossposts', schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.alter_column('digest', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_foreign_key(FK, 'media_blobs', ['digest'], ['digest'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('crosspost_copies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_told_at', sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE crosspost_copies SET end_told_at = ("
        " SELECT COALESCE(p.deleted_at, p.expired_at) FROM crossposts p"
        " WHERE p.id = crosspost_copies.crosspost_id)"
        " WHERE state NOT IN ('refused', 'deleted') AND EXISTS ("
        " SELECT 1 FROM crossposts p JOIN linked_accounts l"
        " ON l.id = crosspost_copies.destination_link_id"
        " WHERE p.id = crosspost_copies.crosspost_id"
        " AND COALESCE(p.deleted_at, p.expired_at) IS NOT NULL"
        " AND (l.removed_at IS NULL"
        " OR l.removed_at > COALESCE(p.deleted_at, p.expired_at)))")


def downgrade() -> None:
    with op.batch_alter_table('crosspost_copies', schema=None) as batch_op:
        batch_op.drop_column('end_told_at')
    op.execute("DELETE FROM crossposts WHERE digest IS NULL")
    with copies_kept_aside(), op.batch_alter_table('crossposts', schema=None) as batch_op:
        batch_op.drop_constraint(FK, type_='foreignkey')
        batch_op.alter_column('digest', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_foreign_key(FK, 'media_blobs', ['digest'], ['digest'])
