"""cross-posting: the operator's direction matrix, the person's choices, posts and copies
(issue 14, points 1 to 4)

New tables only; nothing existing changes meaning. No row in `crosspost_directions` means
the default (status → story open, every other direction closed); no row in
`crosspost_choices` means off, so every person starts with cross-posting off everywhere.

Revision ID: 0012_crossposts
Revises: 0011_creations
Create Date: 2026-11-27 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012_crossposts'
down_revision = '0011_creations'
branch_labels = None
depends_on = None


def _link(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ['linked_accounts.id'],
                                   name=op.f(f'fk_{table}_{column}_linked_accounts'),
                                   ondelete='CASCADE')


def upgrade() -> None:
    op.create_table(
        'crosspost_directions',
        sa.Column('source_type', sa.String(length=16), nullable=False),
        sa.Column('destination_type', sa.String(length=16), nullable=False),
        sa.Column('allowed', sa.Boolean(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('source_type', 'destination_type',
                                name=op.f('pk_crosspost_directions')))
    op.create_table(
        'crosspost_choices',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('identity_id', sa.String(length=36), nullable=False),
        sa.Column('source_link_id', sa.String(length=36), nullable=False),
        sa.Column('destination_link_id', sa.String(length=36), nullable=False),
        sa.Column('source_type', sa.String(length=16), nullable=False),
        sa.Column('destination_type', sa.String(length=16), nullable=False),
        sa.Column('mode', sa.String(length=8), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['identity_id'], ['identities.id'],
                                name=op.f('fk_crosspost_choices_identity_id_identities'),
                                ondelete='CASCADE'),
        _link('source_link_id', 'crosspost_choices'),
        _link('destination_link_id', 'crosspost_choices'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crosspost_choices')),
        sa.UniqueConstraint('source_link_id', 'destination_link_id', 'source_type',
                            'destination_type', name='uq_crosspost_choices_pair'))
    for column in ('destination_link_id', 'identity_id', 'source_link_id'):
        op.create_index(op.f(f'ix_crosspost_choices_{column}'), 'crosspost_choices',
                        [column], unique=False)
    op.create_table(
        'crossposts',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('identity_id', sa.String(length=36), nullable=False),
        sa.Column('source_app_id', sa.String(length=36), nullable=False),
        sa.Column('source_link_id', sa.String(length=36), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('caption', sa.Text(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=40), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('deleted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['digest'], ['media_blobs.digest'],
                                name=op.f('fk_crossposts_digest_media_blobs')),
        sa.ForeignKeyConstraint(['identity_id'], ['identities.id'],
                                name=op.f('fk_crossposts_identity_id_identities'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_app_id'], ['member_apps.id'],
                                name=op.f('fk_crossposts_source_app_id_member_apps'),
                                ondelete='CASCADE'),
        _link('source_link_id', 'crossposts'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_crossposts')))
    for column in ('digest', 'expires_at', 'source_app_id'):
        op.create_index(op.f(f'ix_crossposts_{column}'), 'crossposts', [column],
                        unique=False)
    op.create_index('ix_crossposts_identity_created', 'crossposts',
                    ['identity_id', 'created_at'], unique=False)
    op.create_table(
        'crosspost_copies',
        sa.Column('crosspost_id', sa.String(length=36), nullable=False),
        sa.Column('choice_id', sa.String(length=36), nullable=False),
        sa.Column('destination_app_id', sa.String(length=36), nullable=False),
        sa.Column('destination_link_id', sa.String(length=36), nullable=False),
        sa.Column('destination_type', sa.String(length=16), nullable=False),
        sa.Column('mode', sa.String(length=8), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=64), nullable=True),
        sa.Column('item_id', sa.String(length=200), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['crosspost_id'], ['crossposts.id'],
                                name=op.f('fk_crosspost_copies_crosspost_id_crossposts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['destination_app_id'], ['member_apps.id'],
            name=op.f('fk_crosspost_copies_destination_app_id_member_apps'),
            ondelete='CASCADE'),
        _link('destination_link_id', 'crosspost_copies'),
        sa.PrimaryKeyConstraint('crosspost_id', 'choice_id',
                                name=op.f('pk_crosspost_copies')))
    op.create_index(op.f('ix_crosspost_copies_destination_app_id'), 'crosspost_copies',
                    ['destination_app_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_crosspost_copies_destination_app_id'),
                  table_name='crosspost_copies')
    op.drop_table('crosspost_copies')
    op.drop_index('ix_crossposts_identity_created', table_name='crossposts')
    for column in ('digest', 'expires_at', 'source_app_id'):
        op.drop_index(op.f(f'ix_crossposts_{column}'), table_name='crossposts')
    op.drop_table('crossposts')
    for column in ('destination_link_id', 'identity_id', 'source_link_id'):
        op.drop_index(op.f(f'ix_crosspost_choices_{column}'),
                      table_name='crosspost_choices')
    op.drop_table('crosspost_choices')
    op.drop_table('crosspost_directions')
