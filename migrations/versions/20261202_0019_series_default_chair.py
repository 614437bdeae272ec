"""a series names who usually chairs its meetings and who takes their minutes

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-02 01:00:00

Series made before this migration name no one: their meetings are made without a chair or
minute-taker, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0019'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting_type', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_chair_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('default_minute_taker_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_meeting_type_default_chair_id_person'),
                                    'person', ['default_chair_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_meeting_type_default_minute_taker_id_person'),
                                    'person', ['default_minute_taker_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('meeting_type', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_type_default_minute_taker_id_person'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_meeting_type_default_chair_id_person'),
                                 type_='foreignkey')
        batch_op.drop_column('default_minute_taker_id')
        batch_op.drop_column('default_chair_id')
