"""decisions in the minutes get references in the office's format (D/{year}/{seq:03d})

Revision ID: 0022
Revises: 0016
Create Date: 2026-12-02 02:30:00

Decisions already minuted are given references now, in the order of their meetings (and of
their place in the minutes), numbered within each meeting's year.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op


revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_FORMAT = "D/{year}/{seq:03d}"


def _year(value) -> int:
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(ZoneInfo("Europe/London")).year


def upgrade() -> None:
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_reference_format', sa.String(length=80),
                                      nullable=False, server_default=DEFAULT_FORMAT))
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.alter_column('decision_reference_format', server_default=None)
    op.create_table(
        'decision_reference',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=60), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['entry_id'], ['minute_entry.id'],
                                name=op.f('fk_decision_reference_entry_id_minute_entry'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_reference')),
        sa.UniqueConstraint('entry_id', name=op.f('uq_decision_reference_entry_id')),
        sa.UniqueConstraint('reference', name=op.f('uq_decision_reference_reference')),
        sa.UniqueConstraint('year', 'seq', name=op.f('uq_decision_reference_year_seq')),
    )
    bind = op.get_bind()
    pattern = bind.execute(sa.text(
        "SELECT decision_reference_format FROM office_settings ORDER BY id")).scalar()
    pattern = pattern or DEFAULT_FORMAT
    rows = bind.execute(sa.text(
        "SELECT e.id, m.starts_at FROM minute_entry e "
        "JOIN agenda_item i ON i.id = e.item_id JOIN meeting m ON m.id = i.meeting_id "
        "WHERE e.kind = 'decision' ORDER BY m.starts_at, m.id, i.id, e.position, e.id")).all()
    table = sa.table('decision_reference', sa.column('entry_id', sa.Integer),
                     sa.column('reference', sa.String), sa.column('year', sa.Integer),
                     sa.column('seq', sa.Integer), sa.column('created_at', sa.DateTime))
    counts: dict[int, int] = {}
    made = []
    for entry_id, starts_at in rows:
        year = _year(starts_at)
        counts[year] = counts.get(year, 0) + 1
        made.append({"entry_id": entry_id, "year": year, "seq": counts[year],
                     "reference": pattern.format(year=year, seq=counts[year]),
                     "created_at": datetime.now(UTC)})
    if made:
        op.bulk_insert(table, made)


def downgrade() -> None:
    op.drop_table('decision_reference')
    with op.batch_alter_table('office_settings', schema=None) as batch_op:
        batch_op.drop_column('decision_reference_format')
