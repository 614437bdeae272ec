"""an assurance paragraph keeps the Commissioner's level (assured, partially, not assured)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 04:30:00

Paragraphs made before this migration have no level.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('minute_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assurance_level', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('minute_entry', schema=None) as batch_op:
        batch_op.drop_column('assurance_level')
