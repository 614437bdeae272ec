"""each saved version of a paragraph keeps its assurance level, so that a colleague's change of
level can be merged or shown like a change of kind or speaker, and read back in the history

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 05:00:00

Versions saved before this migration have no level.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('minute_entry_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assurance_level', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('minute_entry_revision', schema=None) as batch_op:
        batch_op.drop_column('assurance_level')
