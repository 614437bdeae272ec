"""The `assure` command line on a fresh SQLite database."""

import io
import re
import sys

import pytest
from sqlmodel import Session, select

import app.db
from app.cli import main
from app.config import get_settings
from app.models import Meeting, User


@pytest.fixture
def fresh_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ASSURE_EXPORT_DIR", str(tmp_path / "exports"))
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    assert main(["db", "upgrade"]) == 0
    yield url
    for engine in app.db._engines.values():
        engine.dispose()
    get_settings.cache_clear()


def test_demo_loads_once_and_prints_a_password_shown_once(fresh_db, capsys):
    assert main(["demo", "load", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "Email:    jackie.irvin@opcc.example" in out
    password = out.split("Password: ")[1].split()[0]
    assert len(password) >= 16
    assert main(["demo", "load", "--if-empty"]) == 0
    assert "not loaded" in capsys.readouterr().out
    assert main(["demo", "load"]) == 1
    with Session(app.db.get_engine()) as session:
        assert len(session.exec(select(Meeting)).all()) == 2
        admin = session.exec(select(User)).one()
        assert admin.role == "admin" and password not in (admin.password_hash or "")


def test_users_create_reads_the_password_from_stdin_or_generates_one(fresh_db, capsys,
                                                                     monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough passphrase\n"))
    assert main(["users", "create", "chair@opcc.example", "--name", "John Campion",
                 "--role", "chair"]) == 0
    assert "Password" not in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", "create", "viewer@opcc.example", "--role", "viewer"]) == 0
    assert "Password (shown only now): " in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["users", "create", "x@opcc.example", "--role", "viewer"]) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("another long passphrase\n"))
    assert main(["users", "create", "CHAIR@opcc.example", "--role", "viewer"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_tokens_create_prints_only_a_token_that_works(fresh_db, capsys, monkeypatch):
    from fastapi.testclient import TestClient

    from app.main import create_app

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    main(["users", "create", "officer@opcc.example", "--role", "secretariat"])
    capsys.readouterr()
    assert main(["tokens", "create", "officer@opcc.example"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and printed.startswith("asr_")
    token = printed.strip()
    with TestClient(create_app()) as client:
        assert client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"}
                          ).status_code == 200
    with Session(app.db.get_engine()) as session:
        from app.models import ApiToken

        stored = session.exec(select(ApiToken)).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert main(["tokens", "create", "nobody@opcc.example"]) == 1


def test_export_minutes_writes_to_the_export_folder(fresh_db, capsys, tmp_path):
    main(["demo", "load"])
    capsys.readouterr()
    assert main(["export", "minutes", "2", "--edition", "public"]) == 0
    written = list((tmp_path / "exports").glob("*.docx"))
    assert [p.name for p in written] == [
        "Monthly-Assurance-Meeting-April-2019-Meeting-Notes-public.docx"]
    assert main(["export", "minutes", "999"]) == 1
    assert "no meeting with id 999" in capsys.readouterr().err


def test_settings_are_shown_and_changed_with_checks(fresh_db, capsys):
    assert main(["settings"]) == 0
    assert "Action references: A/{year}/{seq:03d}" in capsys.readouterr().out
    assert main(["settings", "--office-name", "Office of the PFCC for Staffordshire",
                 "--short-name", "OPFCC", "--action-reference-format", "ACT-{year}-{seq:04d}"]) == 0
    out = capsys.readouterr().out
    assert "Office: Office of the PFCC for Staffordshire" in out and "ACT-{year}-{seq:04d}" in out
    assert main(["settings", "--action-reference-format", "A/{year}"]) == 1
    assert "action_reference_format" in capsys.readouterr().err
    assert main(["settings", "--short-name", "  "]) == 1
    assert main(["settings", "--publish-within-days", "0"]) == 1
    main(["settings"])
    assert "Short name: OPFCC" in capsys.readouterr().out


def test_export_agenda_and_question_pack_and_generate_a_schedule(fresh_db, capsys, tmp_path):
    import docx

    main(["demo", "load"])
    capsys.readouterr()
    assert main(["export", "agenda", "2", "-o", str(tmp_path / "agenda.docx")]) == 0
    agenda = docx.Document(str(tmp_path / "agenda.docx"))
    assert agenda.paragraphs[0].text == "Monthly Assurance Meeting 30 April 2019 – Agenda"
    assert main(["export", "questions", "2", "-o", str(tmp_path / "pack.docx")]) == 0
    pack = docx.Document(str(tmp_path / "pack.docx"))
    assert pack.paragraphs[0].text == (
        "Monthly Assurance Meeting 30 April 2019 – Questions for the Force")
    assert main(["schedule", "generate", "2"]) == 1  # Performance has no schedule
    assert "set the series' schedule" in capsys.readouterr().err
    assert main(["schedule", "generate", "1"]) == 0  # the demo's monthly series
    out = capsys.readouterr().out
    # A year from today holds 11 last Tuesdays outside August (12 when today is one).
    assert re.search(r"Made 1[12] meetings; 0 dates already had theirs\.", out), out
    assert main(["schedule", "generate", "1"]) == 0
    assert re.search(r"Made 0 meetings; 1[12] dates already had theirs\.",
                     capsys.readouterr().out)
