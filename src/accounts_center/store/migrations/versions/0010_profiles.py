"""the canonical profile: profiles, their history, per-link sync (issue 13)

New tables only; nothing existing changes meaning. A person without a row has no profile
yet, and a link without sync rows syncs nothing (the default).

Revision ID: 0010_profiles
Revises: 0009_media_store
Create Date: 2026-11-27 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010_profiles'
down_revision = '0009_media_store'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'profiles',
        sa.Column('identity_id', sa.String(length=36), nullable=False),
        sa.Column('display_name', sa.String(length=64), nullable=True),
        sa.Column('handle', sa.String(length=30), nullable=True),
        sa.Column('bio', sa.String(length=160), nullable=True),
        sa.Column('photo', sa.Text(), nullable=True),
        sa.Column('avatar', sa.JSON(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('field_times', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['identity_id'], ['identities.id'],
                                name=op.f('fk_profiles_identity_id_identities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('identity_id', name=op.f('pk_profiles')),
        sa.UniqueConstraint('handle', name=op.f('uq_profiles_handle')))
    op.create_table(
        'profile_history',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('identity_id', sa.String(length=36), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('old', sa.JSON(), nullable=True),
        sa.Column('new', sa.JSON(), nullable=True),
        sa.Column('by', sa.String(length=64), nullable=False),
        sa.Column('by_name', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('won', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['identity_id'], ['identities.id'],
                                name=op.f('fk_profile_history_identity_id_identities'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_history')))
    op.create_index('ix_profile_history_identity_at', 'profile_history',
                    ['identity_id', 'at'], unique=False)
    op.create_table(
        'profile_sync',
        sa.Column('link_id', sa.String(length=36), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['link_id'], ['linked_accounts.id'],
                                name=op.f('fk_profile_sync_link_id_linked_accounts'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('link_id', 'field', name=op.f('pk_profile_sync')))


def downgrade() -> None:
    op.drop_table('profile_sync')
    op.drop_index('ix_profile_history_identity_at', table_name='profile_history')
    op.drop_table('profile_history')
    op.drop_table('profiles')
