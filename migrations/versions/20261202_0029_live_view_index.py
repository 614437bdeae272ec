"""index actions by when they last changed, so that the live view's poll finds the latest
change to any action (a carried forward action comes from any meeting) without reading every
action (issue 17: the live view sends what changed)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 07:10:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_action_updated_at', 'action', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_action_updated_at', table_name='action')
