"""sealed ledger entries, and links pending until the app redeems its code

Ledger entries get the hub's seal (an HMAC under a key derived from the secret key, which
a migration does not have): entries already written stay unsealed until `accounts-center
ledger seal` (which `serve` runs on start) seals them. Links get what a pending link needs;
every existing link is active or removed already, so none changes meaning.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal', sa.String(length=64), nullable=True))
    with op.batch_alter_table('linked_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('activation', sa.JSON(), nullable=True))
        batch_op.create_index('ix_linked_accounts_pending_expiry', ['expires_at'],
                              unique=False, sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    # A pending link cannot be told from an active one without its columns: drop them.
    op.execute("DELETE FROM linked_accounts WHERE status = 'pending'")
    with op.batch_alter_table('linked_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_linked_accounts_pending_expiry')
        batch_op.drop_column('activation')
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_column('seal')
