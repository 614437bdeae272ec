"""The database settings an installation relies on."""

from sqlalchemy import text

from app.config import normalise_database_url
from app.db import make_engine


def test_sqlite_is_durable_and_checks_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'assure.db'}")
    with engine.connect() as connection:
        values = {
            pragma: connection.execute(text(f"PRAGMA {pragma}")).scalar()
            for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    engine.dispose()
    assert values == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1,
                      "busy_timeout": 10000}
    assert (tmp_path / "var" / "assure.db").exists()


def test_postgres_urls_in_either_spelling_use_psycopg_3():
    for url in ("postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"):
        assert normalise_database_url(url) == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///var/assure.db") == "sqlite:///var/assure.db"
