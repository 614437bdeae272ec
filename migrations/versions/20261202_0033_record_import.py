"""keep old minutes and action logs read into the record: a `record_import` table holding each
uploaded file, its SHA-256 (to recognise the same file uploaded twice) and the meeting or
actions it became; and mark a meeting that was imported rather than minuted in Assure
(issue 18: old minutes in)

Revision ID: 0033
Revises: 0030
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0033'
down_revision: str | None = '0032'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'record_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('action_ids', sa.Text(), nullable=False),
        sa.Column('summary', sa.String(length=500), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='SET NULL',
                                name=op.f('fk_record_import_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'],
                                name=op.f('fk_record_import_imported_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_record_import')),
    )
    op.create_index(op.f('ix_record_import_sha256'), 'record_import', ['sha256'], unique=False)
    op.create_index(op.f('ix_record_import_meeting_id'), 'record_import', ['meeting_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_record_import_meeting_id'), table_name='record_import')
    op.drop_index(op.f('ix_record_import_sha256'), table_name='record_import')
    op.drop_table('record_import')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('imported')
