"""age confirmations: the birth date a person confirmed in the console

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:31:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('age_confirmations',
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('birth_date', sa.String(length=10), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_age_confirmations_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', name=op.f('pk_age_confirmations'))
    )


def downgrade() -> None:
    op.drop_table('age_confirmations')
