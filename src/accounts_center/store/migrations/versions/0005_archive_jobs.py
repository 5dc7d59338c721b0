"""archive jobs: "Download your information" archives, built in the background

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 13:42:31.660198
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('archive_jobs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_archive_jobs_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_jobs'))
    )
    with op.batch_alter_table('archive_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_jobs_identity_id'), ['identity_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('archive_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_jobs_identity_id'))

    op.drop_table('archive_jobs')
