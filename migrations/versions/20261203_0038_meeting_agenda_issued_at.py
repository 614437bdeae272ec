"""a meeting remembers when its agenda was issued (`agenda_issued_at`), once it has moved on:
the papers of an issued agenda stay public while the meeting is held and its minutes drafted,
approved and published; a meeting started without its agenda issued never made them public.
Meetings issued before this migration take the time of their "issue_agenda" audit event, or
for one still at "agenda issued" without such an event, the time it was last changed
(issue 19: open to the public)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-03 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0038'
down_revision: str | None = '0037'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_issued_at', sa.DateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE meeting SET agenda_issued_at = ("
               "SELECT MIN(audit_event.occurred_at) FROM audit_event "
               "WHERE audit_event.verb = 'issue_agenda' "
               "AND audit_event.object_type = 'meeting' "
               "AND audit_event.object_id = meeting.id)")
    op.execute("UPDATE meeting SET agenda_issued_at = updated_at "
               "WHERE status = 'agenda_issued' AND agenda_issued_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('agenda_issued_at')
