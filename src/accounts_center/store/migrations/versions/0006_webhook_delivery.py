"""webhook delivery: outbox order and delivery state, delivery attempts, webhook secrets

Existing events become pending deliveries in the order they were written. Apps registered
before this revision get no webhook secret here (the hub's key is not at hand in a
migration): their events wait until an operator runs `accounts-center apps
rotate-webhook-secret`, which issues one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_PENDING_ONLY = sa.text("status = 'pending'")
_DEAD_ONLY = sa.text("status = 'dead'")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(sa.schema.CreateSequence(sa.Sequence('outbox_events_seq')))
    with op.batch_alter_table('member_apps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_secret_sealed', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('webhook_previous_secret_sealed', sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column('webhook_previous_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('webhook_disabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('webhook_disabled_reason', sa.String(length=300), nullable=True))

    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False,
                                      server_default='pending'))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=300), nullable=True))

    # The events already written: numbered in the order they were written, due at once.
    op.execute(sa.text(
        "UPDATE outbox_events SET next_attempt_at = created_at, seq = (SELECT n FROM "
        "(SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM outbox_events) "
        "AS numbered WHERE numbered.id = outbox_events.id)"))
    if postgres:
        op.execute(sa.text("SELECT setval('outbox_events_seq', "
                           "(SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox_events), false)"))

    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('next_attempt_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('status', existing_type=sa.String(length=12),
                              server_default=None)
        batch_op.alter_column('attempts', existing_type=sa.Integer(), server_default=None)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_events_seq'), ['seq'])
        batch_op.create_index('ix_outbox_events_pending_seq', ['seq'], unique=False,
                              postgresql_where=_PENDING_ONLY, sqlite_where=_PENDING_ONLY)
        batch_op.create_index('ix_outbox_events_pending_app_person',
                              ['app_id', 'identity_id', 'seq'], unique=False,
                              postgresql_where=_PENDING_ONLY, sqlite_where=_PENDING_ONLY)
        batch_op.create_index('ix_outbox_events_dead_app', ['app_id'], unique=False,
                              postgresql_where=_DEAD_ONLY, sqlite_where=_DEAD_ONLY)

    op.create_table('delivery_attempts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['outbox_events.id'], name=op.f('fk_delivery_attempts_event_id_outbox_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempts'))
    )
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_attempts_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_attempts_event_id'))
    op.drop_table('delivery_attempts')

    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_events_dead_app')
        batch_op.drop_index('ix_outbox_events_pending_app_person')
        batch_op.drop_index('ix_outbox_events_pending_seq')
        batch_op.drop_constraint(batch_op.f('uq_outbox_events_seq'), type_='unique')
        for column in ('last_error', 'delivered_at', 'lease_until', 'next_attempt_at',
                       'attempts', 'status', 'seq'):
            batch_op.drop_column(column)

    with op.batch_alter_table('member_apps', schema=None) as batch_op:
        for column in ('webhook_disabled_reason', 'webhook_disabled_at',
                       'webhook_previous_until', 'webhook_previous_secret_sealed',
                       'webhook_secret_sealed'):
            batch_op.drop_column(column)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.schema.DropSequence(sa.Sequence('outbox_events_seq')))
