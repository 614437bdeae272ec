"""the search index (issue 18): a searchable document for each paragraph, item, paper,
question, answer, action, update and finding, its words indexed by FTS5 on SQLite (porter
stemming) and by a generated tsvector with a GIN index on PostgreSQL ('english' stemming);
papers keep their text, read once when they arrive. The index and the papers' text are built
for the record already there.

Revision ID: 0032
Revises: 0030
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0032'
down_revision: str | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_document', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
POSTGRES_TSV = [
    "ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)",
]


def upgrade() -> None:
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.alter_column('text', server_default=None)

    op.create_table(
        'search_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=True),
        sa.Column('series_id', sa.Integer(), nullable=True),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('on_date', sa.Date(), nullable=True),
        sa.Column('theme', sa.String(length=200), nullable=False),
        sa.Column('person_ids', sa.String(length=500), nullable=False),
        sa.Column('exempt', sa.Boolean(), nullable=False),
        sa.Column('label', sa.String(length=500), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('own_item_id', sa.Integer(), nullable=True),
        sa.Column('paper_id', sa.Integer(), nullable=True),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('answer_id', sa.Integer(), nullable=True),
        sa.Column('action_id', sa.Integer(), nullable=True),
        sa.Column('update_id', sa.Integer(), nullable=True),
        sa.Column('finding_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], ondelete='SET NULL',
                                name=op.f('fk_search_document_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['series_id'], ['meeting_type.id'], ondelete='SET NULL',
                                name=op.f('fk_search_document_series_id_meeting_type')),
        sa.ForeignKeyConstraint(['item_id'], ['agenda_item.id'], ondelete='SET NULL',
                                name=op.f('fk_search_document_item_id_agenda_item')),
        sa.ForeignKeyConstraint(['entry_id'], ['minute_entry.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_entry_id_minute_entry')),
        sa.ForeignKeyConstraint(['own_item_id'], ['agenda_item.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_own_item_id_agenda_item')),
        sa.ForeignKeyConstraint(['paper_id'], ['paper.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_paper_id_paper')),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_question_id_question')),
        sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_answer_id_answer')),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_action_id_action')),
        sa.ForeignKeyConstraint(['update_id'], ['action_update.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_update_id_action_update')),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], ondelete='CASCADE',
                                name=op.f('fk_search_document_finding_id_finding')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
        sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_document_kind_object_id')),
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        for column in ('meeting_id', 'series_id', 'item_id', 'on_date', 'entry_id',
                       'own_item_id', 'paper_id', 'question_id', 'answer_id', 'action_id',
                       'update_id', 'finding_id'):
            batch_op.create_index(batch_op.f(f'ix_search_document_{column}'), [column],
                                  unique=False)

    bind = op.get_bind()
    for statement in SQLITE_FTS if bind.dialect.name == 'sqlite' else POSTGRES_TSV:
        op.execute(statement)

    # the record already there: each paper's text, then every document
    from app.services.papers import read_text
    from app.services.search_index import rebuild

    paper = sa.table('paper', sa.column('id', sa.Integer), sa.column('filename', sa.String),
                     sa.column('content', sa.LargeBinary), sa.column('text', sa.Text))
    for paper_id in list(bind.execute(sa.select(paper.c.id).order_by(paper.c.id)).scalars()):
        filename, content = bind.execute(sa.select(paper.c.filename, paper.c.content)
                                         .where(paper.c.id == paper_id)).one()
        words = read_text(filename, content)
        if words:
            bind.execute(sa.update(paper).where(paper.c.id == paper_id).values(text=words))
    rebuild(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in ('search_document_au', 'search_document_ad', 'search_document_ai'):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_document')
    with op.batch_alter_table('paper', schema=None) as batch_op:
        batch_op.drop_column('text')
