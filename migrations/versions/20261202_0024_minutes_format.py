"""a series keeps the format of its minutes (app/services/minutes_format.py)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 04:20:00

Series made before this migration keep the reference "Meeting Notes" layout: an empty format
is that preset, unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_format', sa.Text(), nullable=False,
                                      server_default=sa.text("''")))


def downgrade() -> None:
    with op.batch_alter_table('meeting_type', schema=None) as batch_op:
        batch_op.drop_column('minutes_format')
