"""papers keep how late they arrived; questions keep the meeting they were carried forward from

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 01:00:00

Papers already kept have no recorded deadline (their lateness is unknown, not "on time").
Questions already carried forward were carried from the meeting they were prepared for.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('days_late', sa.Integer(), nullable=True))
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from_meeting_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_question_carried_from_meeting_id'),
                              ['carried_from_meeting_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_question_carried_from_meeting_id_meeting'), 'meeting',
            ['carried_from_meeting_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE question SET carried_from_meeting_id = meeting_id "
               "WHERE status = 'carried_forward'")


def downgrade() -> None:
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_question_carried_from_meeting_id_meeting'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_question_carried_from_meeting_id'))
        batch_op.drop_column('carried_from_meeting_id')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_column('days_late')
        batch_op.drop_column('due_on')
