"""calendar invitations by email: a notification may be an invitation to a meeting

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-02 01:00:00

Emails sent before this migration are not invitations: their meeting and sequence are empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0017'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_meeting_id'), ['meeting_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notification_meeting_id_meeting'), 'meeting',
                                    ['meeting_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_meeting_id_meeting'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_meeting_id'))
        batch_op.drop_column('sequence')
        batch_op.drop_column('meeting_id')
