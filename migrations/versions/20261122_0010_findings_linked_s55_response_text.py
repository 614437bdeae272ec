"""findings linked to questions and actions, superseded, areas and themes; s55 response text

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSPECTION_TEXTS = ('summary', 'recommendations_intro', 'pcc_initial_response',
                    'cc_response_intro', 'pcc_overall_comments')


def upgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        for name in INSPECTION_TEXTS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('grade', sa.String(length=100), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=300), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('theme', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pcc_response', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('cc_response', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.create_index(batch_op.f('ix_finding_superseded_by_id'), ['superseded_by_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_finding_superseded_by_id_finding'), 'finding',
                                    ['superseded_by_id'], ['id'], ondelete='SET NULL')

    for table in ('question', 'action'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('finding_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_finding_id'), ['finding_id'],
                                  unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_finding_id_finding'), 'finding',
                                        ['finding_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    for table in ('action', 'question'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_finding_id_finding'),
                                     type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_finding_id'))
            batch_op.drop_column('finding_id')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_superseded_by_id_finding'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_finding_superseded_by_id'))
        for name in ('cc_response', 'pcc_response', 'superseded_by_id', 'theme', 'area'):
            batch_op.drop_column(name)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        for name in ('grade',) + INSPECTION_TEXTS:
            batch_op.drop_column(name)
