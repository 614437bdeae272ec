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
        # the reference meeting, its next meeting and the Accountability Board's, once
        assert len(session.exec(select(Meeting)).all()) == 3
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


def test_export_actions_writes_the_action_log_as_docx_or_xlsx_with_filters(
        fresh_db, capsys, tmp_path):
    import docx
    import openpyxl

    from app.models import Action

    main(["demo", "load"])
    capsys.readouterr()
    with Session(app.db.get_engine()) as session:
        demo_actions = session.exec(select(Action).order_by(Action.id)).all()
    assert demo_actions

    assert main(["export", "actions", "-o", str(tmp_path / "log.xlsx")]) == 0
    assert f"{len(demo_actions)} action" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(tmp_path / "log.xlsx").active
    references = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert all(a.reference in references for a in demo_actions)

    assert main(["export", "actions", "--status", "not_closed", "--sort", "due"]) == 0
    out = capsys.readouterr().out
    assert "Open actions, sorted by due date" in out
    written = list((tmp_path / "exports").glob("Action-log-*.docx"))
    assert len(written) == 1
    table_text = [c.text for t in docx.Document(str(written[0])).tables
                  for row in t.rows for c in row.cells]
    assert "Latest update" in table_text
    assert demo_actions[0].reference in table_text

    assert main(["export", "actions", "--search", "no action says this",
                 "--format", "xlsx", "-o", str(tmp_path / "none.xlsx")]) == 0
    assert "0 actions" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(tmp_path / "none.xlsx").active
    assert not any(a.reference in [r[0] for r in sheet.iter_rows(values_only=True)]
                   for a in demo_actions)

    assert main(["export", "actions", "--meeting", "999"]) == 1
    assert "no meeting with id 999" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "actions", "--due-to", "2019-02-30"])
    assert "is not a date" in capsys.readouterr().err


def test_settings_change_when_action_owners_are_emailed(fresh_db, capsys):
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "Remind action owners (days before due): 7" in out
    assert "Weekly overdue digest on: Monday" in out
    assert main(["settings", "--reminder-days-before", "3", "--owner-link-days", "21",
                 "--digest-day", "fri"]) == 0
    out = capsys.readouterr().out
    assert "Remind action owners (days before due): 3" in out
    assert "Owners' links work for (days): 21" in out
    assert "Weekly overdue digest on: Friday" in out
    assert main(["settings", "--owner-link-days", "0"]) == 1
    assert "owner_link_days: must be between 1 and 90 days" in capsys.readouterr().err
    assert main(["settings", "--reminder-days-before", "-1"]) == 1
    with pytest.raises(SystemExit):
        main(["settings", "--digest-day", "Caturday"])
    main(["settings"])
    assert "Owners' links work for (days): 21" in capsys.readouterr().out


def test_commands_on_a_database_not_yet_migrated_say_to_upgrade(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'old.db'}")
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    try:
        assert main(["settings"]) == 1
        assert "run `assure db upgrade` first" in capsys.readouterr().err
        assert main(["db", "upgrade", "0004"]) == 0
        assert main(["export", "actions"]) == 1
        assert "from another version of Assure: run `assure db upgrade`" in \
            capsys.readouterr().err
        assert main(["db", "upgrade"]) == 0
        assert main(["settings"]) == 0
    finally:
        for engine in app.db._engines.values():
            engine.dispose()
        get_settings.cache_clear()


def test_exports_from_the_command_line_are_audited(fresh_db, capsys, tmp_path):
    from app.models import AuditEvent

    main(["demo", "load"])
    assert main(["export", "actions", "-o", str(tmp_path / "log.xlsx")]) == 0
    assert main(["export", "minutes", "1", "-o", str(tmp_path / "minutes.docx")]) == 0
    assert main(["export", "agenda", "2", "-o", str(tmp_path / "agenda.docx")]) == 0
    assert main(["export", "questions", "2", "-o", str(tmp_path / "pack.docx")]) == 0
    with Session(app.db.get_engine()) as session:
        exports = session.exec(select(AuditEvent).where(AuditEvent.verb == "export")
                               .order_by(AuditEvent.id)).all()
    assert [(e.actor, e.summary.split(",")[0].split(" (")[0]) for e in exports] == [
        ("command line", "action log"), ("command line", "minutes"),
        ("command line", "agenda"), ("command line", "question pack")]


def _api(token: str, path: str = "/api/v1/people"):
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app()) as client:
        return client.get(path, headers={"Authorization": f"Bearer {token}"})


def _make_user(capsys, monkeypatch, email: str, role: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["users", "create", email, "--name", email.split("@")[0].title(),
                 "--role", role]) == 0
    capsys.readouterr()


def test_tokens_have_a_name_and_an_expiry_and_are_listed_and_revoked(fresh_db, capsys,
                                                                     monkeypatch):
    import json
    from datetime import UTC, datetime, timedelta

    _make_user(capsys, monkeypatch, "analyst@opcc.example", "secretariat")
    _make_user(capsys, monkeypatch, "viewer@opcc.example", "viewer")
    # The server's command line makes a secretariat user's token without their code.
    assert main(["tokens", "create", "analyst@opcc.example", "--name", "Power BI report",
                 "--days", "7"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and printed.startswith("asr_")
    token = printed.strip()
    assert main(["tokens", "create", "viewer@opcc.example"]) == 0
    other = capsys.readouterr().out.strip()
    assert _api(token).status_code == 200

    assert main(["tokens", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["email"], r["name"], r["state"]) for r in rows] == [
        ("viewer@opcc.example", "", "live"), ("analyst@opcc.example", "Power BI report", "live")]
    expires = datetime.fromisoformat(rows[1]["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)
    assert rows[1]["last_used_at"] is not None and rows[0]["last_used_at"] is None
    assert not any(token in str(value) for row in rows for value in row.values())
    assert main(["tokens", "list", "ANALYST@opcc.example"]) == 0
    listed = capsys.readouterr().out
    assert "Power BI report" in listed and "viewer@opcc.example" not in listed

    assert main(["tokens", "revoke", str(rows[1]["id"])]) == 0
    assert "no longer works" in capsys.readouterr().out
    refused = _api(token)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The API token has been revoked; ask for a new one."
    assert _api(other).status_code == 200
    assert main(["tokens", "revoke", "999"]) == 1
    assert "no API token with id 999" in capsys.readouterr().err
    assert main(["tokens", "create", "viewer@opcc.example", "--days", "0"]) == 1
    assert "days: a token works for 1 to" in capsys.readouterr().err
    assert main(["tokens", "list", "nobody@opcc.example"]) == 1


def test_users_are_listed_deactivated_and_given_another_role(fresh_db, capsys, monkeypatch):
    import json

    _make_user(capsys, monkeypatch, "admin@opcc.example", "admin")
    _make_user(capsys, monkeypatch, "officer@police.example", "force")
    assert main(["tokens", "create", "officer@police.example"]) == 0
    token = capsys.readouterr().out.strip()

    assert main(["users", "list", "--json"]) == 0
    rows = {r["email"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["officer@police.example"] == {
        "id": rows["officer@police.example"]["id"], "email": "officer@police.example",
        "name": "Officer", "role": "force", "active": True, "last_sign_in_at": None,
        "live_sessions": 0, "live_tokens": 1}
    assert main(["users", "list"]) == 0
    assert "officer@police.example" in capsys.readouterr().out

    assert main(["users", "set-role", "officer@police.example", "viewer"]) == 0
    assert "is now viewer (was force): 0 sessions, 1 API token" in capsys.readouterr().out
    assert _api(token).status_code == 401
    assert main(["users", "set-role", "officer@police.example", "viewer"]) == 0
    assert "already has the role viewer" in capsys.readouterr().out
    assert main(["tokens", "create", "officer@police.example"]) == 0
    token = capsys.readouterr().out.strip()

    assert main(["users", "deactivate", "officer@police.example"]) == 0
    assert "is deactivated: 0 sessions, 1 API token" in capsys.readouterr().out
    refused = _api(token)
    assert refused.status_code == 401 and "deactivated" in refused.json()["detail"]
    assert main(["users", "list", "--json"]) == 0
    rows = {r["email"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["officer@police.example"]["active"],
            rows["officer@police.example"]["live_tokens"]) == (False, 0)
    assert main(["tokens", "create", "officer@police.example"]) == 1
    assert "deactivated" in capsys.readouterr().err
    assert main(["users", "activate", "officer@police.example"]) == 0
    assert "can sign in again" in capsys.readouterr().out
    assert _api(token).status_code == 401  # the token ended with the deactivation stays ended
    assert main(["users", "activate", "officer@police.example"]) == 0
    assert "already active" in capsys.readouterr().out
    assert main(["users", "activate", "nobody@opcc.example"]) == 1

    assert main(["users", "deactivate", "admin@opcc.example"]) == 1
    assert "last active administrator" in capsys.readouterr().err
    assert main(["users", "set-role", "admin@opcc.example", "viewer"]) == 1
    assert main(["users", "deactivate", "nobody@opcc.example"]) == 1
    assert main(["users", "set-role", "nobody@opcc.example", "viewer"]) == 1


def test_calendar_rotate_prints_a_new_link_and_only_the_old_one_stops(fresh_db, capsys,
                                                                      monkeypatch):
    from fastapi.testclient import TestClient

    from app.cli import _session
    from app.main import create_app
    from app.models import MeetingType
    from app.services import calendar
    from app.services.calendar import feed_token

    monkeypatch.setenv("ASSURE_SECRET_KEY", "cli-calendar-secret")
    monkeypatch.setenv("ASSURE_BASE_URL", "https://assure.example")
    get_settings.cache_clear()
    main(["demo", "load"])
    capsys.readouterr()
    old = {("person", n): f"/calendar/person/{n}.ics?token="
           f"{feed_token('person', n, 'cli-calendar-secret')}" for n in (1, 2)}
    # a series' link is each user's own: the demo's administrator is user 1
    old["series", 1] = (f"/calendar/series/1.ics?user=1&token="
                        f"{feed_token('series', 1, 'cli-calendar-secret', ':user 1')}")
    assert main(["calendar", "rotate", "--person", "1"]) == 0
    new_person = capsys.readouterr().out.strip()
    assert new_person.startswith("https://assure.example/calendar/person/1.ics?token=")
    assert main(["calendar", "rotate", "--series", "1"]) == 0
    assert "each user finds their new link" in capsys.readouterr().out
    with _session() as session:
        series = session.get(MeetingType, 1)
        new_series = calendar.feed_url("", "series", series, "cli-calendar-secret", user_id=1)
    with TestClient(create_app()) as client:
        assert client.get(old["person", 1]).status_code == 404
        assert client.get(old["series", 1]).status_code == 404
        assert client.get(old["person", 2]).status_code == 200
        for url in (new_person.removeprefix("https://assure.example"), new_series):
            assert client.get(url).status_code == 200
    assert main(["calendar", "rotate", "--series", "99"]) == 1
    assert "no series with id 99" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["calendar", "rotate"])


def test_settings_set_the_decision_reference_format(fresh_db, capsys):
    assert main(["settings"]) == 0
    assert "Decision references: D/{year}/{seq:03d}" in capsys.readouterr().out
    assert main(["settings", "--decision-reference-format", "DEC-{year}-{seq:04d}"]) == 0
    assert "Decision references: DEC-{year}-{seq:04d}" in capsys.readouterr().out
    assert main(["settings", "--decision-reference-format", "D/{seq}"]) == 1
    assert "decision_reference_format" in capsys.readouterr().err


def test_import_inspection_prints_what_was_read_and_saves_nothing(tmp_path, monkeypatch, capsys):
    import json
    from pathlib import Path

    # No database at all: reading a report needs none and makes none.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    report = Path(__file__).parent / "data" / "inspections" / "thematic-retail-crime.txt"
    assert main(["import", "inspection", str(report), "--json"]) == 0
    read = json.loads(capsys.readouterr().out)
    assert read["title"] == "An inspection of how well the police respond to retail crime"
    assert (read["published"], read["s55_due"]) == ("2023-12-05", "2024-01-29")
    assert read["grades"] == []
    assert [f["kind"] for f in read["findings"]].count("recommendation") == 5
    assert read["findings"][1] == {
        "kind": "recommendation", "number": "1",
        "text": "By 31 March 2025, chief constables, police and crime commissioners and the "
                "College of Policing should agree a national standard for how forces respond "
                "to reports of retail crime.",
        "addressee": "chief constables, police and crime commissioners and the College of "
                     "Policing",
        "deadline": "By 31 March 2025", "deadline_date": "2025-03-31", "area": None}
    assert not (tmp_path / "none.db").exists()

    fire = report.with_name("fire-westmoor-web.txt")
    assert main(["import", "inspection", str(fire)]) == 0
    out = capsys.readouterr().out
    assert "Service:    Westmoor Fire and Rescue Service" in out
    assert "Grade:      Promoting the right values and culture: Inadequate" in out
    assert "Published:  2024-06-12   s55 response due: 2024-08-06" in out
    assert out.rstrip().endswith("Nothing was saved.")

    assert main(["import", "inspection", str(tmp_path / "missing.pdf"), "--json"]) == 1
    assert "No such file" in capsys.readouterr().err
    (tmp_path / "report.exe").write_bytes(b"MZ")
    assert main(["import", "inspection", str(tmp_path / "report.exe")]) == 1
    assert "Only text (.txt), PDF (.pdf) and Word (.docx)" in capsys.readouterr().err
    get_settings.cache_clear()


def test_import_minutes_dry_run_json_then_saved_then_refused_twice(fresh_db, capsys, tmp_path):
    import json

    from app.models import MeetingType, RecordImport
    from tests import import_files

    with Session(app.db.get_engine()) as session:
        series = MeetingType(name="Monthly Assurance Meeting")
        session.add(series)
        session.commit()
        series_id = series.id
    path = tmp_path / "March 2021 minutes.docx"
    path.write_bytes(import_files.table_minutes())
    assert main(["import", "minutes", str(path), "--series", str(series_id), "--dry-run",
                 "--json"]) == 0
    read = json.loads(capsys.readouterr().out)
    assert read["layout"] == "table" and read["meeting_date"] == "2021-03-23"
    assert [i["title"] for i in read["items"]][:2] == [
        "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD", "HOLDING TO ACCOUNT"]
    assert read["actions"][0]["owners"] == "DCC"
    assert {p["label"] for p in read["unknown_people"]} >= {"Alice Hartley", "FM"}
    with Session(app.db.get_engine()) as session:  # a dry run saves nothing
        assert session.exec(select(Meeting)).first() is None

    assert main(["import", "minutes", str(path), "--series", str(series_id)]) == 0
    out = capsys.readouterr().out
    meeting_id = int(re.search(r"Meeting (\d+)", out).group(1))
    assert re.search(r"Actions \d+ \d+", out) and "Person created: FM" in out
    with Session(app.db.get_engine()) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting.status == "approved" and meeting.imported
        kept = session.exec(select(RecordImport)).one()
        assert kept.meeting_id == meeting_id and kept.content == path.read_bytes()

    assert main(["import", "minutes", str(path), "--series", str(series_id)]) == 1
    assert f"as meeting {meeting_id}" in capsys.readouterr().err
    assert main(["import", "minutes", str(path), "--series", str(series_id), "--again",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meeting_id"] != meeting_id


def test_import_actions_saves_the_log_and_refuses_what_it_cannot_read(fresh_db, capsys,
                                                                      tmp_path):
    import json

    from tests import import_files

    log = tmp_path / "log.xlsx"
    log.write_bytes(import_files.action_log_xlsx())
    assert main(["import", "actions", str(log), "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert len(saved["action_ids"]) == 3 and saved["actions"][0]["reference"] == "A/2020/031"
    letter = tmp_path / "letter.docx"
    letter.write_bytes(import_files.unrelated_docx())
    assert main(["import", "actions", str(letter), "--dry-run"]) == 0
    assert "Not recognised" in capsys.readouterr().out
    assert main(["import", "actions", str(letter)]) == 1
    assert "mark" in capsys.readouterr().err
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 damaged")
    assert main(["import", "minutes", str(broken), "--series", "1"]) == 1
    assert "could not be read" in capsys.readouterr().err
