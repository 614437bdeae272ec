"""The migrations and the models agree, and every migration goes down and up again,
on SQLite and on PostgreSQL."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from app.cli import alembic_config
from app.db import make_engine, render_item
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
            connection, opts={"compare_type": True, "render_item": render_item}
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
