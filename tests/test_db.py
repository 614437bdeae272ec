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


def test_a_read_that_comes_to_write_waits_its_turn_rather_than_failing(engine):
    """A GET's session reads, someone else saves, then the GET records something (an
    export's audit event): on SQLite a transaction that has read may not start writing once
    another has written ("database is locked" at once, a 503); the read's session ends its
    read and writes in a transaction of its own instead. Both databases."""
    from sqlalchemy import update
    from sqlmodel import select

    from app.db import open_session
    from app.models import AuditEvent, Person

    with open_session(engine, write=False) as reading:
        assert reading.exec(select(Person)).all() == []  # the read has begun
        with open_session(engine, write=True) as saving:
            saving.add(Person(full_name="Saved Meanwhile", initials="SM"))
            saving.commit()
        reading.add(AuditEvent(verb="export", object_type="meeting", summary="minutes"))
        reading.commit()
        reading.exec(select(Person)).all()  # the next transaction reads as a read again...
        with open_session(engine, write=True) as saving:  # ...so a writer is not held up
            saving.add(Person(full_name="Saved Again", initials="SA"))
            saving.commit()
        reading.add(AuditEvent(verb="export", object_type="meeting", summary="again"))
        reading.commit()
        reading.exec(select(Person)).all()  # and a statement sent through the session
        with open_session(engine, write=True) as saving:
            saving.add(Person(full_name="Saved Third", initials="ST"))
            saving.commit()
        reading.execute(update(Person).values(initials="X"))
        reading.commit()
    with open_session(engine) as check:
        assert sorted(check.exec(select(AuditEvent.summary)).all()) == ["again", "minutes"]
        assert set(check.exec(select(Person.initials)).all()) == {"X"}
