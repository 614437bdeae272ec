"""when each action owner was given the action

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('action_owner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
    # Owners already recorded were given their action when it was made, as far as anyone knows.
    op.execute("UPDATE action_owner SET assigned_at = (SELECT action.created_at FROM action "
               "WHERE action.id = action_owner.action_id)")


def downgrade() -> None:
    with op.batch_alter_table('action_owner', schema=None) as batch_op:
        batch_op.drop_column('assigned_at')
