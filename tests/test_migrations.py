"""The migrations and the models agree, and every migration goes down and up again,
on SQLite and on PostgreSQL."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from app.db import include_name, make_engine, render_item
from app.migrations_config import alembic_config
from tests.conftest import BACKENDS, own_database


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """An empty database of each backend (PostgreSQL: a database of its own)."""
    with own_database(request.param, tmp_path, "migrations") as url:
        yield url


def _drift(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_item": render_item,
                              "include_name": include_name}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return diff


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_upgrade_matches_models_then_downgrade_and_upgrade_again(empty_url):
    config = alembic_config(empty_url)
    command.upgrade(config, "head")
    assert _drift(empty_url) == []
    expected = {t.name for t in SQLModel.metadata.sorted_tables}
    assert expected <= _tables(empty_url)

    command.downgrade(config, "base")
    assert _tables(empty_url) - {"alembic_version"} == set()

    command.upgrade(config, "head")
    assert _drift(empty_url) == []


def test_constraint_names_come_from_the_naming_convention(empty_url):
    command.upgrade(alembic_config(empty_url), "head")
    engine = make_engine(empty_url)
    inspector = inspect(engine)
    foreign_keys = [fk["name"] for fk in inspector.get_foreign_keys("action_owner")]
    engine.dispose()
    assert "fk_action_owner_action_id_action" in foreign_keys
    assert "fk_action_owner_person_id_person" in foreign_keys


def test_upgrading_a_database_that_holds_records(empty_url):
    """Columns added later get values for the rows already there."""
    config = alembic_config(empty_url)
    command.upgrade(config, "0002")
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO meeting_type (name, default_venue, created_at, updated_at) "
            "VALUES ('Monthly Assurance Meeting', 'Hindlip', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO meeting (meeting_type_id, starts_at, venue, status, marking, "
            "created_at, updated_at) VALUES (1, CURRENT_TIMESTAMP, 'Hindlip', 'planned', "
            "'OFFICIAL', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO question (text, theme, source, status, created_at, updated_at) "
            "VALUES ('Why?', '', 'commissioner', 'draft', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    engine.dispose()
    command.upgrade(config, "head")
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        series = connection.execute(text(
            "SELECT recurrence, interval, start_time, public_question_days FROM meeting_type"
        )).one()
        sequence = connection.execute(text("SELECT sequence FROM meeting")).scalar()
    engine.dispose()
    assert tuple(series) == ("none", 1, "10:00", 10) and sequence == 0


def test_a_findings_events_learn_the_question_or_action_they_tell_of(empty_url):
    """0011: events written before it named their question or action only in words; the
    upgrade links them, so that a reader who may not see the one does not see the other.
    Tokens made before it get an expiry, 90 days on."""
    config = alembic_config(empty_url)
    command.upgrade(config, "0010")
    engine = make_engine(empty_url)
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO inspection (title, force, kind, created_at) "
            f"VALUES ('PEEL', '', '', {now})"))
        connection.execute(text(
            "INSERT INTO finding (inspection_id, kind, number, text, addressee, deadline_text, "
            "source_paragraph, position, force_status, opcc_status, opcc_evidence) VALUES "
            "(1, 'recommendation', '1', 'Do it.', '', '', '', 0, 'not_started', "
            "'not_assessed', '')"))
        connection.execute(text(
            f"INSERT INTO question (text, theme, source, status, created_at, updated_at) "
            f"VALUES ('Why?', '', 'inspection', 'draft', {now}, {now})"))
        connection.execute(text(
            f"INSERT INTO action (reference, year, seq, text, status, exempt, exempt_reason, "
            f"created_at, updated_at) VALUES ('A/2026/007', 2026, 7, 'Fix it.', 'open', "
            f"false, '', {now}, {now})"))
        for summary in ("Question 1 prepared for the Board: Why?",
                        "Action A/2026/007 raised: Fix it.",
                        "Action A/2026/999 raised: an action since deleted",
                        "Force status: Not started → In progress"):
            connection.execute(text(
                "INSERT INTO finding_event (finding_id, at, by_label, summary) "
                f"VALUES (1, {now}, 'tests', :summary)"), {"summary": summary})
        connection.execute(text(
            "INSERT INTO user_account (email, role, active, created_at) "
            f"VALUES ('api@opcc.example', 'viewer', true, {now})"))
        connection.execute(text(
            f"INSERT INTO api_token (user_id, token_hash, created_at) VALUES (1, 'x', {now})"))
    engine.dispose()
    command.upgrade(config, "0011")
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        links = connection.execute(text(
            "SELECT question_id, action_id FROM finding_event ORDER BY id")).all()
        expires = connection.execute(text("SELECT expires_at FROM api_token")).scalar()
    engine.dispose()
    assert [tuple(row) for row in links] == [(1, None), (None, 1), (None, None), (None, None)]
    assert expires is not None


def test_revisions_learn_the_tab_they_were_saved_from_and_forget_it_going_down(empty_url):
    """0012: a revision's device (the browser tab it was saved from); the revisions already
    there have none, and going down keeps them without it."""
    config = alembic_config(empty_url)
    command.upgrade(config, "0011")
    engine = make_engine(empty_url)
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO meeting_type (name, default_venue, recurrence, interval, start_time, "
            "public_question_days, calendar_secret, created_at, updated_at) VALUES "
            f"('Board', '', 'none', 1, '10:00', 10, '', {now}, {now})"))
        connection.execute(text(
            "INSERT INTO meeting (meeting_type_id, starts_at, venue, status, marking, sequence, "
            f"created_at, updated_at) VALUES (1, {now}, '', 'planned', 'OFFICIAL', 0, {now}, "
            f"{now})"))
        connection.execute(text(
            "INSERT INTO agenda_item (meeting_id, position, title, kind, commission, exempt, "
            f"exempt_reason, created_at, updated_at) VALUES (1, 1, 'AOB', 'aob', '', false, '', "
            f"{now}, {now})"))
        connection.execute(text(
            "INSERT INTO minute_entry (item_id, position, kind, text, exempt, exempt_reason, "
            f"version, created_at, updated_at) VALUES (1, 1, 'narrative', 'Said.', false, '', "
            f"1, {now}, {now})"))
        connection.execute(text(
            "INSERT INTO minute_entry_revision (entry_id, version, kind, text, exempt, "
            f"saved_at) VALUES (1, 1, 'narrative', 'Said.', false, {now})"))
    command.upgrade(config, "0012")
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT text, device FROM minute_entry_revision")).one() == ("Said.", None)
    command.downgrade(config, "0011")
    columns = {c["name"] for c in inspect(engine).get_columns("minute_entry_revision")}
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT text FROM minute_entry_revision")).scalar()
    engine.dispose()
    assert "device" not in columns and kept == "Said."


def test_meetings_learn_when_their_agenda_was_issued_from_the_audit_log(empty_url):
    """0038: a meeting remembers that its agenda was issued once it moves on (its papers stay
    public); those there before learn it from their "issue_agenda" audit event, or, still at
    "agenda issued" without one, from when they were last changed. A meeting started without
    its agenda issued learns nothing."""
    config = alembic_config(empty_url)
    command.upgrade(config, "0037")
    engine = make_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO meeting_type (name, default_venue, recurrence, interval, start_time, "
            "public_question_days, created_at, updated_at) VALUES ('Board', '', 'none', 1, "
            "'10:00', 10, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        for status, updated in (("in_progress", "2026-03-10 11:00:00"),  # issued, then held
                                ("in_progress", "2026-03-11 11:00:00"),  # never issued
                                ("agenda_issued", "2026-03-12 09:30:00")):  # no event
            connection.execute(text(
                "INSERT INTO meeting (meeting_type_id, starts_at, venue, status, marking, "
                "sequence, cancelled_reason, created_at, updated_at) VALUES (1, "
                ":updated, '', :status, 'OFFICIAL', 0, '', :updated, :updated)"),
                {"status": status, "updated": updated})
        for object_id, verb, at in ((1, "issue_agenda", "2026-03-01 09:00:00"),
                                    (1, "issue_agenda", "2026-03-02 09:00:00"),
                                    (2, "start", "2026-03-11 10:00:00"),
                                    (2, "issue_agenda", "2026-03-01 09:00:00")):
            # the last one is of another kind of record with that id
            connection.execute(text(
                "INSERT INTO audit_event (occurred_at, actor, verb, object_type, object_id, "
                "summary) VALUES (:at, 'tests', :verb, :type, :id, '')"),
                {"at": at, "verb": verb, "id": object_id,
                 "type": "question" if (object_id, verb) == (2, "issue_agenda") else "meeting"})
    engine.dispose()
    command.upgrade(config, "0038")
    engine = make_engine(empty_url)
    with engine.connect() as connection:
        issued = [row[0] for row in connection.execute(text(
            "SELECT agenda_issued_at FROM meeting ORDER BY id"))]
    engine.dispose()
    assert [str(at)[:16] if at is not None else None for at in issued] == [
        "2026-03-01 09:00", None, "2026-03-12 09:30"]
    command.downgrade(config, "0037")
