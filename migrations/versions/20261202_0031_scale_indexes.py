"""index the meetings by status and the findings by what the findings dashboard counts, so
that the navigation's counts (minutes to publish, late papers) read the few meetings to come or
awaiting publication rather than every meeting held, and the dashboard's figures read an index
rather than every finding's text (issue 17: work that grows with the years of record)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_meeting_status', 'meeting', ['status'], unique=False)
    op.create_index('ix_finding_counted', 'finding',
                    ['inspection_id', 'area', 'force_status', 'opcc_status', 'superseded_by_id',
                     'due_date'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_finding_counted', table_name='finding')
    op.drop_index('ix_meeting_status', table_name='meeting')
