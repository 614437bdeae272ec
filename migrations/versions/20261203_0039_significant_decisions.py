"""a decision may be marked as of significant public interest, which the public register
marks and can be narrowed to (issue 19: open to the public)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-03 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0039'
down_revision: str | None = '0038'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('decision_reference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('significant', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('decision_reference', schema=None) as batch_op:
        batch_op.drop_column('significant')
