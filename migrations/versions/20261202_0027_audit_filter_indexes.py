"""index the audit log's verb and record type, so that the audit page's filters list the verbs
and record types found in the log by skipping from one value to the next instead of reading
every event (issue 17: two scans of the whole log on every view)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain CREATE INDEX, not a batch: on SQLite a batch that copied the table would drop the
# triggers that keep the log append-only (migration 0008).
def upgrade() -> None:
    op.create_index('ix_audit_event_verb', 'audit_event', ['verb'], unique=False)
    op.create_index('ix_audit_event_object_type', 'audit_event', ['object_type'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_event_object_type', table_name='audit_event')
    op.drop_index('ix_audit_event_verb', table_name='audit_event')
