"""a cancelled meeting keeps the reason it was cancelled

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 21:55:00

Meetings cancelled before this migration have no reason (empty).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_reason', sa.String(length=2000),
                                      nullable=False, server_default=''))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.alter_column('cancelled_reason', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('cancelled_reason')
