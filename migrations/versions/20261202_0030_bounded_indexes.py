"""index the actions by status (then due date) and by when they were closed, and the questions
by their theme in lower case (then meeting), so that the preparation page's actions carried forward, the action
log's chart and the theme pages read what they show rather than every action or question
(issue 17: whole-table scans that grow with the record)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_action_status_due_date', 'action', ['status', 'due_date'], unique=False)
    op.create_index('ix_action_closed_at', 'action', ['closed_at'], unique=False)
    op.create_index('ix_question_lower_theme_meeting_id', 'question',
                    [sa.text('lower(theme)'), 'meeting_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_question_lower_theme_meeting_id', table_name='question')
    op.drop_index('ix_action_closed_at', table_name='action')
    op.drop_index('ix_action_status_due_date', table_name='action')
