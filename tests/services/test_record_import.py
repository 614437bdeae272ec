"""Old minutes and action logs in (issue 18): each layout read, saved through the services and
read back through the API; the same file twice is recognised; unknown owners are created."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import RecordImport, Role, Side
from app.services import minutes_import, record_import
from app.services.errors import InvalidInput
from tests import import_files
from tests.factories import SYSTEM, bearer, make_meeting_type, make_person, make_user


@pytest.fixture
def office(session):
    """The people the made-up minutes name, and a series to import into."""
    team = {
        "pcc": make_person(session, full_name="Alice Hartley", initials="AH",
                           role_title="Police and Crime Commissioner", role_abbreviation="PCC"),
        "cc": make_person(session, full_name="Colin Mbeki", initials="CM",
                          role_title="Chief Constable", role_abbreviation="CC", side=Side.force),
        "dcc": make_person(session, full_name="Dana Pryce", initials="DP",
                           role_title="Deputy Chief Constable", role_abbreviation="DCC",
                           side=Side.force),
    }
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    _, token = make_user(session, Role.viewer)
    session.commit()
    return team, series, token


def _save_minutes(session, series, content, *, again=False):
    read = minutes_import.read_minutes("old.docx", content)
    unknown = record_import.unknown_people(session, attendance=read.attendance,
                                           actions_read=read.actions)
    draft = record_import.MinutesDraft(
        series_id=series.id, meeting_date=read.meeting_date, start_time=read.start_time,
        venue=read.venue, chair=read.chair, minute_taker=read.minute_taker,
        attendance=read.attendance, items=read.items, actions=read.actions,
        people=record_import.creating_everyone(unknown))
    saved = record_import.save_minutes(session, draft=draft, filename="old.docx",
                                       content=content, by=SYSTEM, again=again)
    session.commit()
    return read, unknown, saved


def test_table_layout_minutes_are_saved_as_an_approved_imported_meeting(session, client,
                                                                           office):
    team, series, token = office
    read, unknown, saved = _save_minutes(session, series, import_files.table_minutes())
    assert read.layout == "table"
    # FM (an action's owner) and Evan Rhodes (apologies) are not in the directory
    assert {p.label for p in unknown} == {"Evan Rhodes", "FM"}

    meeting = client.get(f"/api/v1/meetings/{saved.meeting_id}", headers=bearer(token)).json()
    assert meeting["status"] == "approved" and meeting["imported"] is True
    assert meeting["starts_at"].startswith("2021-03-23T10:00")
    assert meeting["venue"] == "Committee Room 2, Police HQ"
    assert meeting["chair_id"] == team["pcc"].id
    present = {a["full_name"]: a["status"] for a in meeting["attendance"]}
    assert present == {"Alice Hartley": "present", "Colin Mbeki": "present",
                       "Dana Pryce": "present", "Evan Rhodes": "apologies"}
    top = meeting["items"]
    assert [i["title"] for i in top] == [
        "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD", "HOLDING TO ACCOUNT", "AOB",
        "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:"]
    assert [i["kind"] for i in top] == ["outstanding_matters", "holding_to_account", "aob",
                                        "next_meeting"]
    fleet = top[1]["children"][0]
    assert fleet["title"] == "FLEET MANAGEMENT:"
    vehicles = fleet["children"][0]
    assert vehicles["title"] == "Vehicle Availability"
    kinds = [(e["kind"], e["speaker_id"]) for e in vehicles["entries"]]
    assert kinds == [("question", team["pcc"].id), ("answer", team["cc"].id),
                     ("narrative", None)]
    assert vehicles["entries"][1]["text"].startswith("The CC responded that eleven")

    listed = client.get(f"/api/v1/actions?owner_id={team['dcc'].id}",
                        headers=bearer(token)).json()
    action = next(a for a in listed["results"] if a["meeting_id"] == saved.meeting_id)
    assert action["text"] == "The DCC to report vehicle availability by district."
    assert action["due_date"] == "2021-04-30" and action["item_id"] == vehicles["id"]


def test_heading_layout_minutes_keep_bullets_and_inline_actions(session, client, office):
    team, series, token = office
    read, unknown, saved = _save_minutes(session, series, import_files.heading_minutes())
    assert read.layout == "headings"
    meeting = client.get(f"/api/v1/meetings/{saved.meeting_id}", headers=bearer(token)).json()
    assert meeting["starts_at"].startswith("2020-09-14T14:00")
    assert [i["title"] for i in meeting["items"]] == [
        "Welcome and apologies", "Minutes of the last meeting", "Rural crime",
        "Any other business"]
    rural = meeting["items"][2]
    assert [e["kind"] for e in rural["entries"]] == ["question", "answer", "narrative"]
    assert rural["entries"][2]["text"] == ("Farm watch schemes now cover every district:\n"
                                           "• Twelve new members joined in August.\n"
                                           "• Two more schemes start in October.")
    assert {p.label for p in unknown} == {"Fay Lund", "ACC", "Head of Comms"}
    ids = saved.actions
    first = client.get(f"/api/v1/actions/{ids[0]}", headers=bearer(token)).json()
    assert first["text"] == "FL to circulate the rural crime plan."
    assert first["due_date"] == "2020-10-30"


@pytest.mark.parametrize("maker, name", [(import_files.action_log_xlsx, "log.xlsx"),
                                         (import_files.action_log_docx, "log.docx")])
def test_action_logs_keep_references_statuses_and_updates(session, client, office, maker,
                                                          name):
    team, _series, token = office
    content = maker()
    read = minutes_import.read_action_log(name, content)
    assert not read.unrecognised and len(read.actions) == 3
    unknown = record_import.unknown_people(session, attendance=[], actions_read=read.actions)
    assert [p.label for p in unknown] == ["ZQ"]
    saved = record_import.save_action_log(
        session, draft=record_import.ActionLogDraft(
            actions=read.actions, people=record_import.creating_everyone(unknown)),
        filename=name, content=content, by=SYSTEM)
    session.commit()
    got = [client.get(f"/api/v1/actions/{i}", headers=bearer(token)).json()
           for i in saved.actions]
    assert [a["reference"] for a in got] == ["A/2020/031", "A/2020/032", "A/2020/033"]
    assert [a["status"] for a in got] == ["closed", "in_progress", "open"]
    assert got[0]["owner_ids"] == [team["dcc"].id]
    updates = client.get(f"/api/v1/actions/{saved.actions[0]}/updates",
                         headers=bearer(token)).json()["results"]
    assert "Terms agreed in September." in updates[-1]["text"]
    assert "raised 30/06/2020" in updates[-1]["text"]


def _save_log(session, content: bytes, name: str = "log.xlsx"):
    read = minutes_import.read_action_log(name, content)
    unknown = record_import.unknown_people(session, attendance=[], actions_read=read.actions)
    saved = record_import.save_action_log(
        session, draft=record_import.ActionLogDraft(
            actions=read.actions, people=record_import.creating_everyone(unknown)),
        filename=name, content=content, by=SYSTEM)
    session.commit()
    return unknown, saved


def test_a_later_log_brings_the_actions_already_imported_up_to_date(session, client, office):
    """The log of October after the log of September: the actions it shares with the record
    (by reference) take its new status and update; they are not raised a second time."""
    _team, _series, token = office
    _unknown, first = _save_log(session, import_files.action_log_xlsx())
    later = [*import_files.LOG_ROWS[:2],
             ("A/2020/032", datetime(2020, 6, 30), "Report on 101 call answering times.",
              "CC", datetime(2020, 10, 31), "Complete", "Report given in October."),
             import_files.LOG_ROWS[3],
             ("A/2020/034", datetime(2020, 10, 27), "Brief the panel on drones.", "DCC",
              datetime(2020, 12, 18), "Open", "")]
    unknown, second = _save_log(session, import_files.action_log_xlsx(later), "october.xlsx")
    assert unknown == []  # ZQ owns an action already in the record, and was created then
    assert second.actions[:3] == first.actions
    assert "3 already in the record" in second.summary
    listed = client.get("/api/v1/actions?limit=50", headers=bearer(token)).json()["results"]
    assert sorted(a["reference"] for a in listed) == [
        "A/2020/031", "A/2020/032", "A/2020/033", "A/2020/034"]
    by_reference = {a["reference"]: a for a in listed}
    assert by_reference["A/2020/032"]["status"] == "closed"
    assert by_reference["A/2020/031"]["status"] == "closed"
    assert by_reference["A/2020/033"]["status"] == "open"

    def updates(reference: str) -> list[str]:
        return [u["text"] for u in client.get(
            f"/api/v1/actions/{by_reference[reference]['id']}/updates",
            headers=bearer(token)).json()["results"]]

    assert "Report given in October." in updates("A/2020/032")[-1]
    assert "october.xlsx" in updates("A/2020/032")[-1]
    # nothing new for 031 and 033: no update written
    assert not any("october.xlsx" in text for text in updates("A/2020/031"))
    assert not any("october.xlsx" in text for text in updates("A/2020/033"))


def test_the_same_file_twice_is_recognised_and_saved_again_only_when_asked(session, office):
    _team, series, _token = office
    content = import_files.table_minutes()
    _read, _unknown, first = _save_minutes(session, series, content)
    with pytest.raises(record_import.AlreadyImported) as refused:
        _save_minutes(session, series, content)
    assert f"as meeting {first.meeting_id}" in refused.value.message
    session.rollback()
    _read, _unknown, second = _save_minutes(session, series, content, again=True)
    assert second.meeting_id != first.meeting_id
    assert second.content == content and second.sha256 == first.sha256


def test_damaged_unrelated_and_wrong_files(session):
    letter = minutes_import.read_minutes("letter.docx", import_files.unrelated_docx())
    assert letter.unrecognised and "Dear Sir or Madam" in letter.text
    for name, content, words in [
        ("broken.docx", b"PK\x03\x04 not really a zip", "could not be read"),
        ("old.doc", b"\xd0\xcf\x11\xe0 an old Word file", ".docx"),
        ("notes.pdf", b"%PDF-1.4", "Only Word or Excel"),
        ("empty.docx", b"", "empty"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            minutes_import.read_minutes(name, content)
        assert words in refused.value.errors["file"]
    log = minutes_import.read_action_log("letter.docx", import_files.unrelated_docx())
    assert log.unrecognised and "Yours faithfully" in log.text


@pytest.mark.parametrize("headings", [
    ("Minute", "Date", "Description", "Owner", "Due", "Update", "Status"),
    ("Item", "Raised", "Actions", "Lead", "Target date", "Progress", "RAG status"),
    ("#", "Meeting date", "Action required", "Responsible officer", "By when", "Comments",
     "Open/Closed"),
])
def test_log_columns_are_found_by_other_offices_headings(headings):
    rows = [list(headings), ["7", "1/2/2022", "Publish the plan.", "JB", "31/3/2022",
                             "Published.", "Done"]]
    read = minutes_import.parse_action_rows(rows)
    action = read.actions[0]
    assert (action.text, action.owners, action.reference) == ("Publish the plan.", "JB", "7")
    assert str(action.due_date) == "2022-03-31"
    assert action.status == "closed" and action.update == "Published."


def test_an_upload_left_unsaved_for_a_day_is_deleted_when_the_next_comes(session, office):
    """The file of a review nobody saved is not kept for ever; imports saved are kept."""
    _team, series, _token = office
    _read, _unknown, saved = _save_minutes(session, series, import_files.table_minutes())
    left = record_import.hold_upload(session, kind="actions", filename="log.xlsx",
                                     content=import_files.action_log_xlsx(), by=SYSTEM)
    recent = record_import.hold_upload(session, kind="actions", filename="log.docx",
                                       content=import_files.action_log_docx(), by=SYSTEM)
    session.commit()
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    left.imported_at = saved.imported_at = two_days_ago
    session.commit()
    ids = (left.id, recent.id, saved.id)
    record_import.hold_upload(session, kind="minutes", filename="new.docx",
                              content=import_files.heading_minutes(), by=SYSTEM)
    session.commit()
    session.expire_all()
    kept = {row.id for row in session.exec(select(RecordImport))}
    assert ids[0] not in kept
    assert {ids[1], ids[2]} <= kept
