"""The agenda and the question pack, built from a meeting of a series and read back."""

import io
from datetime import UTC, date, datetime

import docx
import pytest

from app.models import ItemKind, QuestionSource, QuestionStatus, Role, Screening
from app.schemas import ItemUpdate, MeetingCreate, QuestionCreate, QuestionUpdate
from app.services import agenda, meetings, papers, questions, schedule
from tests.export.reading import body_text, furniture_text, pdf_pages, rows_of, table_texts
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    bearer,
    make_item,
    make_meeting_type,
    make_top_team,
    make_user,
)


@pytest.fixture
def prepared(session):
    """April's meeting of a series with standing items, a theme, a late and a received paper,
    an exempt item, and questions in every state, then May's meeting."""
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting",
                               default_venue="Meeting Room 1.38 Hindlip")
    schedule.set_standing_items(session, meeting_type_id=series.id, by=SYSTEM, items=[
        schedule.StandingItem("Apologies", ItemKind.other),
        schedule.StandingItem("Outstanding matters / items brought forward",
                              ItemKind.outstanding_matters),
        schedule.StandingItem("Holding to account", ItemKind.holding_to_account),
        schedule.StandingItem("AOB", ItemKind.aob),
        schedule.StandingItem("Confirmation of next meeting type / date / time / venue:",
                              ItemKind.next_meeting)])
    schedule.set_series_attendees(session, meeting_type_id=series.id, by=SYSTEM, invitees=[
        schedule.Invitee(pcc.id), schedule.Invitee(cc.id), schedule.Invitee(dcc.id)])
    april = meetings.create_meeting(session, by=SYSTEM, data=MeetingCreate(
        meeting_type_id=series.id, starts_at=datetime(2019, 4, 30, 10), chair_id=pcc.id,
        marking="OFFICIAL-SENSITIVE"))
    meetings.create_meeting(session, by=SYSTEM, data=MeetingCreate(
        meeting_type_id=series.id, starts_at=datetime(2019, 5, 28, 10)))
    holding = [i for i in agenda.items_of(session, april.id) if i.kind == "holding_to_account"][0]
    roads = make_item(session, april, title="Roads policing", parent=holding)
    agenda.update_item(session, item_id=roads.id, by=SYSTEM, data=ItemUpdate(
        presenter_id=dcc.id, purpose="assurance", paper_due_on=date(2019, 4, 23),
        commission="The Commissioner requires a report that sets out how the force works "
                   "with the Safer Roads Partnership."))
    workforce = make_item(session, april, title="Workforce", parent=roads)
    agenda.update_item(session, item_id=workforce.id, by=SYSTEM, data=ItemUpdate(
        paper_due_on=date(2019, 4, 23)))
    papers.attach_paper(session, item_id=workforce.id, filename="CIU workforce.pdf",
                        content=PDF_BYTES, by=SYSTEM)
    covert = make_item(session, april, title="Covert tactics", parent=holding, exempt=True,
                       exempt_reason="section 31 of the Freedom of Information Act 2000")
    agenda.update_item(session, item_id=covert.id, by=SYSTEM, data=ItemUpdate(
        commission="Secret commission text."))

    def ask(text, item, **kw):
        return questions.create_question(session, by=SYSTEM, data=QuestionCreate(
            text=text, asked_by_id=pcc.id, addressed_to_id=cc.id, meeting_id=april.id,
            item_id=item.id, **kw))

    ready = ask("Is regional collaboration effective?", roads, status=QuestionStatus.ready)
    ask("A draft the force must not see yet.", roads)
    ask("When will the force join NAS?", roads, status=QuestionStatus.sent)
    public = ask("Why are there no speed checks on my road?", workforce,
                 source=QuestionSource.public, submitter_name="A resident",
                 submitted_at=datetime(2019, 4, 1, 9))
    questions.update_question(session, question_id=public.id, by=SYSTEM, data=QuestionUpdate(
        screening=Screening.accepted, screening_reason="Within remit.", status="ready"))
    return {"meeting": april, "ready": ready}


def fetch(client, session, path):
    _, token = make_user(session, Role.secretariat)
    response = client.get(path, headers=bearer(token))
    assert response.status_code == 200, response.text
    return docx.Document(io.BytesIO(response.content)), response.content


def agenda_table(document):
    return [t for t in document.tables if "PRESENTER" in table_texts(t)[0]][0]


def test_the_agenda_of_a_meeting_made_from_its_series(client, session, prepared):
    meeting = prepared["meeting"]
    document, content = fetch(client, session, f"/api/v1/meetings/{meeting.id}/agenda.docx")
    text = body_text(document)
    assert text[0] == "Monthly Assurance Meeting 30 April 2019 – Agenda"
    assert "Date: Tuesday 30th April 2019 @ 10:00" in text
    assert "Questions from the public close on Saturday 20 April 2019." in text
    invited = table_texts(document.tables[0])
    assert ["", "Amanda Blakeman", "Deputy Chief Constable (DCC)"] in invited
    rows = rows_of(agenda_table(document))
    titles = [(r.number, r.heading) for r in rows if r.heading]
    assert titles == [
        ("1", "APOLOGIES"), ("2", "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD"),
        ("3", "HOLDING TO ACCOUNT"), ("3.1", "ROADS POLICING:"), ("", "1. Workforce"),
        ("3.2", "COVERT TACTICS:"), ("4", "AOB"),
        ("5", "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:")]
    roads = next(r for r in rows if r.heading == "ROADS POLICING:")
    assert "For assurance" in roads.texts and "Paper due: 23 April 2019" in roads.texts
    assert "Paper late" in roads.texts and roads.action == ["DCC"]
    workforce = next(r for r in rows if r.heading == "1. Workforce")
    assert "Papers: CIU workforce.pdf" in workforce.texts and "Paper late" not in workforce.texts
    covert = next(r for r in rows if r.heading == "COVERT TACTICS:")
    assert "Secret commission text." in covert.texts  # the internal edition holds it
    following = next(r for r in rows if (r.heading or "").startswith("CONFIRMATION"))
    assert "Monthly Assurance Meeting, Tuesday 28 May 2019, 10:00am Meeting Room 1.38 Hindlip" \
        in following.texts
    assert {"OFFICIAL-SENSITIVE"} <= set(furniture_text(document))

    public, raw = fetch(client, session,
                        f"/api/v1/meetings/{meeting.id}/agenda.docx?edition=public")
    covert = next(r for r in rows_of(agenda_table(public)) if r.heading == "COVERT TACTICS:")
    assert covert.texts[1] == ("This item will be considered in private (exempt under section "
                               "31 of the Freedom of Information Act 2000).")
    assert b"Secret commission" not in raw and "OFFICIAL" in furniture_text(public)


def test_the_question_pack_holds_what_goes_to_the_force(client, session, prepared):
    meeting = prepared["meeting"]
    document, _ = fetch(client, session, f"/api/v1/meetings/{meeting.id}/question-pack.docx")
    text = body_text(document)
    assert text[0] == "Monthly Assurance Meeting 30 April 2019 – Questions for the Force"
    questions_rows = [row for table in document.tables for row in table_texts(table)[1:]]
    assert [r[:3] for r in questions_rows] == [
        ["Q1", "Is regional collaboration effective?", "PCC to CC"],
        ["Q2", "When will the force join NAS?", "PCC to CC"],
        ["Q3", "Why are there no speed checks on my road?", "PCC to CC"]]
    assert questions_rows[2][3] == "Member of the public"
    assert "A draft the force must not see yet." not in " ".join(text + [
        c for r in questions_rows for c in r])
    assert any("The Commissioner requires a report" in line for line in text)
    assert "OFFICIAL-SENSITIVE" in furniture_text(document)
    _, token = make_user(session, Role.secretariat)
    sent = client.post(f"/api/v1/meetings/{meeting.id}/questions/send", headers=bearer(token))
    assert sent.json() == {"sent": 2}
    session.rollback()
    session.refresh(prepared["ready"])
    assert prepared["ready"].status == QuestionStatus.sent


def test_the_agenda_and_pack_print(client, session, prepared, tmp_path):
    meeting = prepared["meeting"]
    _, agenda_bytes = fetch(client, session, f"/api/v1/meetings/{meeting.id}/agenda.docx")
    pages = pdf_pages(agenda_bytes, tmp_path)
    assert "Page 1 of" in pages[0] and "ROADS POLICING:" in "".join(pages)
    _, pack_bytes = fetch(client, session, f"/api/v1/meetings/{meeting.id}/question-pack.docx")
    (tmp_path / "pack").mkdir()
    pages = pdf_pages(pack_bytes, tmp_path / "pack")
    assert "Questions for the Force" in pages[0] and "OFFICIAL-SENSITIVE" in pages[0]


def _choose(session, meeting, options):
    meetings.set_minutes_format(session, series_id=meeting.meeting_type_id, by=SYSTEM,
                                options=options)
    session.commit()


def test_an_accountability_board_agenda_and_pack_follow_the_series_format(
        client, session, prepared):
    meeting = prepared["meeting"]
    meeting.ends_at = datetime(2019, 4, 30, 11, 30, tzinfo=UTC)  # 12:30 in London
    _choose(session, meeting, {"preset": "board"})
    document, _ = fetch(client, session, f"/api/v1/meetings/{meeting.id}/agenda.docx")
    assert "Date: Tuesday 30 April 2019, 10:00 – 12:30" in body_text(document)
    rows = rows_of(agenda_table(document))
    titles = [(r.number, r.heading) for r in rows if r.heading]
    assert titles == [
        ("1.", "APOLOGIES"), ("2.", "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD"),
        ("3.", "HOLDING TO ACCOUNT"), ("4.", "ROADS POLICING:"), ("", "5. Workforce"),
        ("6.", "COVERT TACTICS:"), ("7.", "AOB"),
        ("8.", "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE:")]
    roads = next(r for r in rows if r.heading == "ROADS POLICING:")
    assert roads.action == ["AB"]  # the DCC by initials
    public, _ = fetch(client, session,
                      f"/api/v1/meetings/{meeting.id}/agenda.docx?edition=public")
    public_titles = [(r.number, r.heading) for r in rows_of(agenda_table(public)) if r.heading]
    assert ("6.", "COVERT TACTICS:") in public_titles and ("7.", "AOB") in public_titles

    pack, _ = fetch(client, session, f"/api/v1/meetings/{meeting.id}/question-pack.docx")
    text = body_text(pack)
    assert "Date: Tuesday 30 April 2019, 10:00 – 12:30" in text
    assert "4. ROADS POLICING:" in text and "5. Workforce" in text
    assert "Presented by: AB" in text and "For assurance" in text  # the board shows purpose
    asked = [row[2] for table in pack.tables for row in table_texts(table)[1:]]
    assert asked == ["JC to AB"] * 3


def test_a_panel_agenda_runs_its_minute_numbers_on_and_names_members_by_title(
        client, session, prepared):
    meeting = prepared["meeting"]
    prepared_cc = [p for p in meetings.list_attendance(session, meeting.id)
                   if p[1].role_abbreviation == "CC"][0][1]
    prepared_cc.title, prepared_cc.role_abbreviation = "Mr", ""  # named as a panel member
    _choose(session, meeting, {"preset": "panel", "first_minute_number": 598})
    document, _ = fetch(client, session, f"/api/v1/meetings/{meeting.id}/agenda.docx")
    assert "Date: Tuesday 30 April 2019, 10:00" in body_text(document)
    numbers = [r.number for r in rows_of(agenda_table(document)) if r.heading]
    assert numbers == ["598.", "599.", "600.", "601.", "", "603.", "604.", "605."]
    may = [m for m in meetings.list_meetings(session)
           if m[0].meeting_type_id == meeting.meeting_type_id and m[0].id != meeting.id][0][0]
    following, _ = fetch(client, session, f"/api/v1/meetings/{may.id}/agenda.docx")
    assert [r.number for r in rows_of(agenda_table(following)) if r.heading][0] == "606."
    pack, _ = fetch(client, session, f"/api/v1/meetings/{meeting.id}/question-pack.docx")
    asked = [row[2] for table in pack.tables for row in table_texts(table)[1:]]
    assert asked == ["PCC to Mr Bangham"] * 3  # office holders by role, others by name
    assert "For assurance" not in body_text(pack)  # the panel does not show purposes
