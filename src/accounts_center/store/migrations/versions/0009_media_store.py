"""media store: content-addressed blobs, their owners, and the apps granted them

Blobs live in the database (not on a disk) so every hub process serves every one, on
SQLite and PostgreSQL alike. Nothing existing changes: three new tables.

Revision ID: 0009_media_store
Revises: 0008
Create Date: 2026-11-27 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009_media_store'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('media_blobs',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_media_blobs'))
    )
    with op.batch_alter_table('media_blobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_blobs_created_at'), ['created_at'], unique=False)
    op.create_table('media_ownerships',
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('rendition', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['digest'], ['media_blobs.digest'], name=op.f('fk_media_ownerships_digest_media_blobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_media_ownerships_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', 'purpose', 'rendition', 'digest', name=op.f('pk_media_ownerships'))
    )
    with op.batch_alter_table('media_ownerships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_ownerships_digest'), ['digest'], unique=False)
    op.create_table('media_grants',
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_media_grants_app_id_member_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['digest'], ['media_blobs.digest'], name=op.f('fk_media_grants_digest_media_blobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_media_grants_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', 'app_id', 'digest', name=op.f('pk_media_grants'))
    )
    with op.batch_alter_table('media_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_grants_digest'), ['digest'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('media_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_grants_digest'))
    op.drop_table('media_grants')
    with op.batch_alter_table('media_ownerships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_ownerships_digest'))
    op.drop_table('media_ownerships')
    with op.batch_alter_table('media_blobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_blobs_created_at'))
    op.drop_table('media_blobs')
