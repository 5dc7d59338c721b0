"""cross-posts expire: `crossposts.expired_at`, set once when the sweep tells every copy
(issue 14, point 5)

A nullable column only; every existing post reads as not expired yet, and the next sweep
finds those whose `expires_at` has passed.

Revision ID: 0013_crosspost_expiry
Revises: 0012_crossposts
Create Date: 2026-11-27 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013_crosspost_expiry'
down_revision = '0012_crossposts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('crossposts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crossposts', schema=None) as batch_op:
        batch_op.drop_column('expired_at')
