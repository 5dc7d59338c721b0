"""the creations library: a person's stickers and images (issue 13, point 5)

A new table only; nothing existing changes meaning. People start with no creations.

Revision ID: 0011_creations
Revises: 0010_profiles
Create Date: 2026-11-27 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011_creations'
down_revision = '0010_profiles'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'creations',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('identity_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=80), nullable=False),
        sa.Column('expression', sa.String(length=32), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=40), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('made_in_app_id', sa.String(length=36), nullable=True),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['identity_id'], ['identities.id'],
                                name=op.f('fk_creations_identity_id_identities'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['digest'], ['media_blobs.digest'],
                                name=op.f('fk_creations_digest_media_blobs')),
        sa.ForeignKeyConstraint(['made_in_app_id'], ['member_apps.id'],
                                name=op.f('fk_creations_made_in_app_id_member_apps'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_creations')))
    op.create_index('ix_creations_identity_created', 'creations',
                    ['identity_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_creations_digest'), 'creations', ['digest'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_creations_digest'), table_name='creations')
    op.drop_index('ix_creations_identity_created', table_name='creations')
    op.drop_table('creations')
