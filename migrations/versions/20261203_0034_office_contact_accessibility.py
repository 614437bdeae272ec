"""the office's public contact details and the dates of its accessibility statement (prepared,
last reviewed), which the public accessibility statement page shows (issue 19: open to the
public)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0034'
down_revision: str | None = '0033'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=320), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('contact_address', sa.String(length=300),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('accessibility_prepared_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('accessibility_reviewed_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.drop_column('accessibility_reviewed_on')
        batch_op.drop_column('accessibility_prepared_on')
        batch_op.drop_column('contact_address')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_email')
