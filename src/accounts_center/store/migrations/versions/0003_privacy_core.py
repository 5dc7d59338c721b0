"""privacy core: ledger, ad consents, shared data

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:57:47.140071
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ad_consents',
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_ad_consents_app_id_member_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_ad_consents_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', 'app_id', name=op.f('pk_ad_consents'))
    )
    op.create_table('ledger_entries',
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_ledger_entries_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', 'seq', name=op.f('pk_ledger_entries'))
    )
    op.create_table('ledger_heads',
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('digest_key_sealed', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_ledger_heads_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('identity_id', name=op.f('pk_ledger_heads'))
    )
    op.create_table('shared_data',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_shared_data_app_id_member_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_shared_data_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_data'))
    )
    with op.batch_alter_table('shared_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_data_app_id'), ['app_id'], unique=False)
        batch_op.create_index('ix_shared_data_identity_category', ['identity_id', 'category'], unique=False)




def downgrade() -> None:
    with op.batch_alter_table('shared_data', schema=None) as batch_op:
        batch_op.drop_index('ix_shared_data_identity_category')
        batch_op.drop_index(batch_op.f('ix_shared_data_app_id'))

    op.drop_table('shared_data')
    op.drop_table('ledger_heads')
    op.drop_table('ledger_entries')
    op.drop_table('ad_consents')

