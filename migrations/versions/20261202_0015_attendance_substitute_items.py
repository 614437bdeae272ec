"""attendance keeps whom a substitute came for and the items someone attended for

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:50:00

Existing rows have neither: nobody was recorded as a substitute or as in attendance for items.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0015'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('substitute_for_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('item_ids', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.create_foreign_key(
            batch_op.f('fk_attendance_substitute_for_id_person'), 'person',
            ['substitute_for_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.alter_column('item_ids', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attendance_substitute_for_id_person'),
                                 type_='foreignkey')
        batch_op.drop_column('item_ids')
        batch_op.drop_column('substitute_for_id')
