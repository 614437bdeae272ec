"""questions from the public: the submitter's email and address, their erasure, the emails
sent about a question, and how long the office keeps a submitter's details

Revision ID: 0036
Revises: 0034
Create Date: 2026-12-03 09:00:00

Questions from the public entered before this migration have no email or address: nothing is
sent about them and there is nothing to erase but the name. Offices keep a submitter's details
for 365 days until they say otherwise.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0036'
down_revision: str | None = '0034'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not in batch mode: on SQLite a batch copies the table and would lose the expression
    # index on lower(theme) (migration 0030), which SQLite's reflection cannot read.
    op.add_column('question', sa.Column('submitter_email', sa.String(length=320),
                                        nullable=False, server_default=sa.text("''")))
    op.add_column('question', sa.Column('submitted_from', sa.String(length=64), nullable=False,
                                        server_default=sa.text("''")))
    op.add_column('question', sa.Column('submitter_erased_at', sa.DateTime(timezone=True),
                                        nullable=True))
    # the rate limit counts an address's questions of the last hour (services/
    # public_questions.py)
    op.create_index('ix_question_submitted_from_submitted_at', 'question',
                    ['submitted_from', 'submitted_at'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_question_id'), ['question_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notification_question_id_question'),
                                    'question', ['question_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_question_retention_days', sa.Integer(),
                                      nullable=False, server_default=sa.text('365')))


def downgrade() -> None:
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.drop_column('public_question_retention_days')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_question_id_question'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_question_id'))
        batch_op.drop_column('question_id')
    op.drop_index('ix_question_submitted_from_submitted_at', table_name='question')
    for column in ('submitter_erased_at', 'submitted_from', 'submitter_email'):
        op.drop_column('question', column)
