"""indexes for the keyset orders of the paged lists (issue 17): each action's updates by time
(the latest update of each action, and an action's updates a page at a time), people by name,
meetings by start and the audit log by time, each with the id that settles ties, so that a
page is found from the index however long the list. action (year, seq) and
minute_entry_revision (entry_id, version) have theirs already: their unique constraints.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 07:30:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_action_update_action_id_created_at_id', 'action_update',
     ['action_id', 'created_at', 'id']),
    ('ix_person_full_name_id', 'person', ['full_name', 'id']),
    ('ix_meeting_starts_at_id', 'meeting', ['starts_at', 'id']),
    ('ix_audit_event_occurred_at_id', 'audit_event', ['occurred_at', 'id']),
)


# Plain CREATE INDEX, not a batch: on SQLite a batch that copied audit_event would drop the
# triggers that keep the log append-only (migration 0008).
def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
