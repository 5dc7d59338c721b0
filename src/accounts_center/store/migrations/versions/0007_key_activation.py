"""key activation and retention: signing keys sign from `signs_from`; request counters;
indexes that make pruning expired rows cheap

Existing keys have signed since they were created, so `signs_from` is their `created_at`
(their `retired_at` already says when their successor took over).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_REVOKED_ONLY = sa.text("revoked_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signs_from', sa.DateTime(), nullable=True))
    op.execute(sa.text("UPDATE signing_keys SET signs_from = created_at"))
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.alter_column('signs_from', existing_type=sa.DateTime(), nullable=False)

    op.create_table('request_counters',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_request_counters'))
    )
    with op.batch_alter_table('request_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_counters_window_start'), ['window_start'], unique=False)

    with op.batch_alter_table('authorization_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorization_requests_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('authorization_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorization_codes_expires_at'), ['expires_at'], unique=False)
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_oauth_tokens_revoked', ['revoked_at'], unique=False,
                              postgresql_where=_REVOKED_ONLY, sqlite_where=_REVOKED_ONLY)
        batch_op.create_index('ix_oauth_tokens_refresh_expires_at', ['refresh_expires_at'], unique=False)
    with op.batch_alter_table('archive_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_jobs_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))
    with op.batch_alter_table('archive_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_jobs_created_at'))
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_tokens_refresh_expires_at')
        batch_op.drop_index('ix_oauth_tokens_revoked')
    with op.batch_alter_table('authorization_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorization_codes_expires_at'))
    with op.batch_alter_table('authorization_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorization_requests_expires_at'))

    with op.batch_alter_table('request_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_counters_window_start'))
    op.drop_table('request_counters')

    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_column('signs_from')
