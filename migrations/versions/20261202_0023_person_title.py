"""a person has a title ("Cllr", "Mrs", "Dr") the minutes name them by

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 02:30:00

People made before this migration have no title: the minutes name them by their role
abbreviation, else their full name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=20), nullable=False,
                                      server_default=sa.text("''")))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('title')
