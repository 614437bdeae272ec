"""One meeting with everything a minutes format changes, built through the services: panel
members with titles and no role abbreviation, a member of the public's question, sub-items
under matters arising, a substitute, someone present for one item only, a decision with its
reference, an assurance paragraph with its level, and actions with owners."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import docx
from sqlmodel import Session

from app.export.minutes_docx import render_minutes
from app.models import (
    Answer,
    AttendanceStatus,
    EntryKind,
    ItemKind,
    ItemPurpose,
    Meeting,
    MeetingType,
    Question,
    QuestionStatus,
)
from app.schemas import AttendanceIn
from app.services import meetings
from app.services import minutes_format as formats
from app.services.minutes import Edition, MinutesRecord, load_record, minutes_of
from app.services.minutes_format import MinutesFormat
from tests.factories import (
    SYSTEM,
    advance_meeting,
    committed,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)

SERIES = "Police and Crime Panel"
COMMISSION = "The Commissioner requires a report on the speed camera van rota."
DECISION = "The Commissioner approved the business case for two more vans."
ASSURANCE = "The PCC was assured on enforcement but not yet on the rota."
SPOKEN = "Asked whether the vans would visit the villages."
PUBLIC_QUESTION = "When will the station reopen?"


@dataclass
class FormatMeeting:
    meeting: Meeting
    series: MeetingType
    people: dict[str, Any]
    items: dict[str, Any]
    decision_reference: str
    actions: dict[str, Any]


def make_format_meeting(session: Session, fmt: MinutesFormat | None = None) -> FormatMeeting:
    """The meeting of 10 June 2025, 14:00 to 16:30, in a series keeping `fmt`; two meetings
    of the series were held before it (3 and 2 items) and one was cancelled (4 items)."""
    series = make_meeting_type(session, name=SERIES)
    if fmt is not None:
        series.minutes_format = formats.dump(fmt)
        committed(session, series)
    pcc = make_person(session, full_name="John Campion", initials="JC", title="Mr",
                      role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    dcc = make_person(session, full_name="Amanda Blakeman", initials="AB",
                      role_title="Deputy Chief Constable", role_abbreviation="DCC")
    acc = make_person(session, full_name="Mark Cooper", initials="MC",
                      role_title="Assistant Chief Constable", role_abbreviation="ACC")
    councillor = make_person(session, full_name="Gareth Jones", initials="GJ", title="Cllr",
                             role_title="Panel member")
    public = make_person(session, full_name="Jane Smith", initials="JS", role_title="")
    patel = make_person(session, full_name="Jo Patel", initials="JP", title="Supt",
                        role_title="Head of Roads Policing")
    taker = make_person(session, full_name="Nadia Ahmed", initials="NA",
                        role_title="Policy Officer")
    people = {"pcc": pcc, "dcc": dcc, "acc": acc, "councillor": councillor, "public": public,
              "patel": patel, "taker": taker}

    for day, count, cancelled in ((8, 3, False), (22, 4, True), (29, 2, False)):
        earlier = make_meeting(session, series, starts_at=datetime(2025, 4, day, 14))
        for n in range(count):
            make_item(session, earlier, title=f"Earlier item {n + 1}")
        if cancelled:
            advance_meeting(session, earlier, "cancelled")
    meeting = make_meeting(session, series, starts_at=datetime(2025, 6, 10, 14),
                           ends_at=datetime(2025, 6, 10, 16, 30), venue="Council Chamber",
                           chair_id=pcc.id, minute_taker_id=taker.id)
    later = make_meeting(session, series, starts_at=datetime(2025, 9, 9, 14))
    make_item(session, later, title="A later item")

    matters = make_item(session, meeting, title="Matters arising",
                        kind=ItemKind.outstanding_matters)
    response = make_item(session, meeting, parent=matters, title="Response times")
    make_entry(session, response, text="Response times in the north have improved.")
    questions = make_item(session, meeting, title="Public questions")
    roads = make_item(session, meeting, title="Roads policing", presenter_id=dcc.id,
                      purpose=ItemPurpose.decision, commission=COMMISSION)
    make_entry(session, roads, text=SPOKEN, speaker_id=councillor.id)
    make_entry(session, roads, text="Cllr Jones thanked the DCC.", speaker_id=councillor.id)
    decision = make_entry(session, roads, text=DECISION, kind=EntryKind.decision)
    assurance = make_entry(session, roads, text=ASSURANCE, kind=EntryKind.assurance)
    assurance.assurance_level = "partially_assured"
    committed(session, assurance)
    aob = make_item(session, meeting, title="Any other business", kind=ItemKind.aob)

    question = Question(text=PUBLIC_QUESTION, asked_by_id=public.id, addressed_to_id=pcc.id,
                        meeting_id=meeting.id, item_id=questions.id,
                        status=QuestionStatus.answered)
    session.add(question)
    session.flush()
    session.add(Answer(question_id=question.id, respondent_id=pcc.id, text="In the spring.",
                       in_meeting=True, answered_at=datetime(2025, 6, 10, 14, 30, tzinfo=UTC)))
    committed(session, question)

    send = make_action(session, [taker], meeting_id=meeting.id, item_id=roads.id,
                       text="Send the Commissioner the speed camera figures.")
    report = make_action(session, [acc, patel], meeting_id=meeting.id, item_id=roads.id,
                         text="Report ANPR coverage of the A44 to the panel.")
    committed(session, meetings.set_attendance(session, meeting_id=meeting.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=pcc.id),
        AttendanceIn(person_id=councillor.id),
        AttendanceIn(person_id=acc.id, status=AttendanceStatus.substitute,
                     substitute_for_id=dcc.id),
        AttendanceIn(person_id=patel.id, status=AttendanceStatus.in_attendance,
                     item_ids=[roads.id]),
        AttendanceIn(person_id=dcc.id, status=AttendanceStatus.apologies),
        AttendanceIn(person_id=taker.id),
    ]))
    session.refresh(decision)
    from app.services import decisions

    reference = decisions.references_of(session, [decision.id])[decision.id]
    return FormatMeeting(
        meeting=meeting, series=series, people=people,
        items={"matters": matters, "response": response, "questions": questions,
               "roads": roads, "aob": aob},
        decision_reference=reference, actions={"send": send, "report": report})


def minutes_in(session: Session, built: FormatMeeting, fmt: MinutesFormat | None = None,
               edition: Edition = Edition.internal) -> MinutesRecord:
    """The meeting's minutes in the series' format, or in `fmt`."""
    record = load_record(session, meeting_id=built.meeting.id, redact=edition == Edition.public)
    return minutes_of(record, office_short_name="OPCC", office_name="Office of the PCC",
                      edition=edition, fmt=fmt or record.minutes_format)


def document_of(minutes: MinutesRecord):
    """The Word minutes, read back."""
    return docx.Document(io.BytesIO(render_minutes(minutes)))
