"""The migrations and the models agree, and every migration goes down and up again,
on SQLite and on PostgreSQL."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from app.cli import alembic_config
from app.config import normalise_database_url
from app.db import make_engine, render_item
from tests.conftest import PG_URL

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """An empty database of each backend (PostgreSQL: a database of its own)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(normalise_database_url(PG_URL))
    name = f"{base.database}_migrations"
    admin = make_engine(base.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
