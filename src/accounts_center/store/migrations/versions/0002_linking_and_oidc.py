"""linking and OpenID provider: links, keys, authorization requests, codes, tokens, outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:07:03.659342
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signing_keys',
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('alg', sa.String(length=16), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('private_jwk_sealed', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('publish_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('kid', name=op.f('pk_signing_keys'))
    )
    op.create_table('authorization_requests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('request_uri_digest', sa.String(length=64), nullable=True),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('browser_digest', sa.String(length=64), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_authorization_requests_app_id_member_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorization_requests')),
    sa.UniqueConstraint('request_uri_digest', name=op.f('uq_authorization_requests_request_uri_digest'))
    )
    op.create_table('linked_accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('app_user_id', sa.String(length=200), nullable=False),
    sa.Column('handle', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sign_in_enabled', sa.Boolean(), nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_linked_accounts_app_id_member_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_linked_accounts_identity_id_identities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linked_accounts'))
    )
    with op.batch_alter_table('linked_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linked_accounts_app_id'), ['app_id'], unique=False)
        batch_op.create_index('ix_linked_accounts_identity', ['identity_id', 'status'], unique=False)
        batch_op.create_index('uq_linked_accounts_active_app_user', ['app_id', 'app_user_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))

    op.create_table('outbox_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=True),
    sa.Column('type', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_outbox_events_app_id_member_apps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_events'))
    )
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_events_app_created', ['app_id', 'created_at'], unique=False)

    op.create_table('authorization_codes',
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('redirect_uri', sa.String(length=2000), nullable=False),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('nonce', sa.String(length=500), nullable=True),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('code_challenge_method', sa.String(length=8), nullable=False),
    sa.Column('auth_time', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_authorization_codes_app_id_member_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_authorization_codes_identity_id_identities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['linked_accounts.id'], name=op.f('fk_authorization_codes_link_id_linked_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code_digest', name=op.f('pk_authorization_codes'))
    )
    op.create_table('oauth_tokens',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('access_digest', sa.String(length=64), nullable=False),
    sa.Column('refresh_digest', sa.String(length=64), nullable=True),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=True),
    sa.Column('app_id', sa.String(length=36), nullable=False),
    sa.Column('identity_id', sa.String(length=36), nullable=False),
    sa.Column('link_id', sa.String(length=36), nullable=False),
    sa.Column('scope', sa.String(length=500), nullable=False),
    sa.Column('auth_time', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(), nullable=False),
    sa.Column('refresh_expires_at', sa.DateTime(), nullable=True),
    sa.Column('rotated_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['app_id'], ['member_apps.id'], name=op.f('fk_oauth_tokens_app_id_member_apps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['identity_id'], ['identities.id'], name=op.f('fk_oauth_tokens_identity_id_identities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['linked_accounts.id'], name=op.f('fk_oauth_tokens_link_id_linked_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_tokens')),
    sa.UniqueConstraint('access_digest', name=op.f('uq_oauth_tokens_access_digest')),
    sa.UniqueConstraint('refresh_digest', name=op.f('uq_oauth_tokens_refresh_digest'))
    )
    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oauth_tokens_code_digest'), ['code_digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_oauth_tokens_family_id'), ['family_id'], unique=False)
        batch_op.create_index('ix_oauth_tokens_link', ['link_id', 'revoked_at'], unique=False)

    # Apps registered before this revision get their own random subject salt and an
    # empty post-logout list: add nullable, fill row by row, then require.
    with op.batch_alter_table('member_apps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_salt', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('connect_url', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('backchannel_logout_uri', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('post_logout_redirect_uris', sa.JSON(), nullable=True))
    apps = sa.table('member_apps', sa.column('id', sa.String), sa.column('subject_salt', sa.String),
                    sa.column('post_logout_redirect_uris', sa.JSON))
    connection = op.get_bind()
    for (app_id,) in connection.execute(sa.select(apps.c.id)).all():
        connection.execute(apps.update().where(apps.c.id == app_id).values(
            subject_salt=secrets.token_hex(32), post_logout_redirect_uris=[]))
    with op.batch_alter_table('member_apps', schema=None) as batch_op:
        batch_op.alter_column('subject_salt', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('post_logout_redirect_uris', existing_type=sa.JSON(), nullable=False)



def downgrade() -> None:
    with op.batch_alter_table('member_apps', schema=None) as batch_op:
        batch_op.drop_column('post_logout_redirect_uris')
        batch_op.drop_column('backchannel_logout_uri')
        batch_op.drop_column('connect_url')
        batch_op.drop_column('subject_salt')

    with op.batch_alter_table('oauth_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_oauth_tokens_link')
        batch_op.drop_index(batch_op.f('ix_oauth_tokens_family_id'))
        batch_op.drop_index(batch_op.f('ix_oauth_tokens_code_digest'))

    op.drop_table('oauth_tokens')
    op.drop_table('authorization_codes')
    with op.batch_alter_table('outbox_events', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_events_app_created')

    op.drop_table('outbox_events')
    with op.batch_alter_table('linked_accounts', schema=None) as batch_op:
        batch_op.drop_index('uq_linked_accounts_active_app_user', sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_linked_accounts_identity')
        batch_op.drop_index(batch_op.f('ix_linked_accounts_app_id'))

    op.drop_table('linked_accounts')
    op.drop_table('authorization_requests')
    op.drop_table('signing_keys')
