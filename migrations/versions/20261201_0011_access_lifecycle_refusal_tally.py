"""access that can be taken back: API tokens with a name and an expiry, calendar feed secrets
per person and per series, recovery codes with room for a slow hash, and a tally of refused
anonymous requests

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00

Tokens made before this migration get an expiry 90 days from the upgrade, the default for a
new token, rather than none (a token that never ends is what the change is for) or an
immediate one (which would break an office's integrations without warning).
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_TOKEN_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + timedelta(days=LEGACY_TOKEN_DAYS)
    if op.get_bind().dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    api_token = sa.table('api_token', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(api_token.update().where(api_token.c.expires_at.is_(None))
               .values(expires_at=expires))

    for table in ('person', 'meeting_type'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('calendar_secret', sa.String(length=64),
                                          nullable=False, server_default=''))

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=64),
                              type_=sa.String(length=200), existing_nullable=False)

    op.create_table(
        'refusal_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_summary', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refusal_tally')),
        sa.UniqueConstraint('address', 'window_start',
                            name=op.f('uq_refusal_tally_address_window_start')),
    )
    with op.batch_alter_table('refusal_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refusal_tally_window_start'), ['window_start'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('refusal_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refusal_tally_window_start'))
    op.drop_table('refusal_tally')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=200),
                              type_=sa.String(length=64), existing_nullable=False)
    for table in ('meeting_type', 'person'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('calendar_secret')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')
