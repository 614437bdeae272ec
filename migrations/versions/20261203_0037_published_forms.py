"""publish minutes in three forms: a `form` column on `published_document` (docx, html or
pdf), each version of the public edition kept as the Word file, a web page and a PDF, each
with its checksum; the documents published before (Word files) are `docx`
(issue 19: open to the public)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0037'
down_revision: str | None = '0036'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('published_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form', sa.String(length=10), nullable=False,
                                      server_default='docx'))
        batch_op.drop_constraint('uq_published_document_meeting_id_edition_version',
                                 type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_published_document_meeting_id_edition_version_form'),
            ['meeting_id', 'edition', 'version', 'form'])


def downgrade() -> None:
    # The web pages and PDFs go with the column: only the Word files were published before.
    op.execute("DELETE FROM published_document WHERE form <> 'docx'")
    with op.batch_alter_table('published_document', schema=None) as batch_op:
        batch_op.drop_constraint('uq_published_document_meeting_id_edition_version_form',
                                 type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_published_document_meeting_id_edition_version'),
            ['meeting_id', 'edition', 'version'])
        batch_op.drop_column('form')
