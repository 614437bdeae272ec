"""a minute entry's revision keeps the browser tab it was saved from

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 18:45:00

A save made from an older version of an entry is refused as a conflict unless every version
saved since came from the same tab (a page reloaded while its own save was on the way). The
revisions saved before this migration have no tab: a save made from before them is a
conflict, as it always was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('minute_entry_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('device_seq', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('minute_entry_revision', schema=None) as batch_op:
        batch_op.drop_column('device_seq')
        batch_op.drop_column('device')
