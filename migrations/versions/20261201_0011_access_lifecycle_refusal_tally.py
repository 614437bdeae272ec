"""access that can be taken back: API tokens with a name and an expiry, calendar feed secrets
per person and per series, recovery codes with room for a slow hash, and a tally of refused
anonymous requests; a finding's events name the question or action they tell of

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:00:00

A finding's events about a question or an action used to name it only in their words
("Question 12 prepared…", "Action A/2026/004 raised…"); the upgrade links those events to
their question or action, so that whoever may not see the one does not see the other.

Tokens made before this migration get an expiry 90 days from the upgrade, the default for a
new token, rather than none (a token that never ends is what the change is for) or an
immediate one (which would break an office's integrations without warning).
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import re

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY_TOKEN_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + timedelta(days=LEGACY_TOKEN_DAYS)
    if op.get_bind().dialect.name == "sqlite":
        expires = expires.replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    api_token = sa.table('api_token', sa.column('expires_at', sa.DateTime(timezone=True)))
    op.execute(api_token.update().where(api_token.c.expires_at.is_(None))
               .values(expires_at=expires))

    for table in ('person', 'meeting_type'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('calendar_secret', sa.String(length=64),
                                          nullable=False, server_default=''))

    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=64),
                              type_=sa.String(length=200), existing_nullable=False)

    op.create_table(
        'refusal_tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_summary', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refusal_tally')),
        sa.UniqueConstraint('address', 'window_start',
                            name=op.f('uq_refusal_tally_address_window_start')),
    )
    with op.batch_alter_table('refusal_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refusal_tally_window_start'), ['window_start'],
                              unique=False)

    with op.batch_alter_table('finding_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('action_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_finding_event_question_id'), ['question_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_finding_event_action_id'), ['action_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_finding_event_question_id_question'),
                                    'question', ['question_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_finding_event_action_id_action'),
                                    'action', ['action_id'], ['id'], ondelete='SET NULL')
    _link_finding_events()


def _link_finding_events() -> None:
    """Link the events that name a question ("Question 12 prepared …") or an action ("Action
    A/2026/004 raised: …", its reference as the action log has it) to it."""
    bind = op.get_bind()
    event = sa.table('finding_event', sa.column('id', sa.Integer),
                     sa.column('summary', sa.Text), sa.column('question_id', sa.Integer),
                     sa.column('action_id', sa.Integer))
    question = sa.table('question', sa.column('id', sa.Integer))
    action = sa.table('action', sa.column('id', sa.Integer), sa.column('reference', sa.String))
    questions = {row.id for row in bind.execute(sa.select(question.c.id))}
    references = {row.reference: row.id
                  for row in bind.execute(sa.select(action.c.id, action.c.reference))}
    rows = bind.execute(sa.select(event.c.id, event.c.summary).where(
        event.c.summary.like('Question %') | event.c.summary.like('Action %'))).all()
    for row in rows:
        values = {}
        asked = re.match(r"Question (\d+) prepared", row.summary)
        raised = re.match(r"Action (.+?) raised: ", row.summary)
        if asked and int(asked.group(1)) in questions:
            values["question_id"] = int(asked.group(1))
        elif raised and raised.group(1) in references:
            values["action_id"] = references[raised.group(1)]
        if values:
            bind.execute(event.update().where(event.c.id == row.id).values(**values))


def downgrade() -> None:
    with op.batch_alter_table('finding_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_event_action_id_action'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_finding_event_question_id_question'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_finding_event_action_id'))
        batch_op.drop_index(batch_op.f('ix_finding_event_question_id'))
        batch_op.drop_column('action_id')
        batch_op.drop_column('question_id')
    with op.batch_alter_table('refusal_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refusal_tally_window_start'))
    op.drop_table('refusal_tally')
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=200),
                              type_=sa.String(length=64), existing_nullable=False)
    for table in ('meeting_type', 'person'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('calendar_secret')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('name')
