"""Everything about a person (a subject access search): a person is found in every kind of
record by a link to them, their name, title and surname, initials or role; a person with a
similar name, initials inside a longer word or in lower case are not; the dates bound it;
exempt material only for readers who may see Part 2."""

from datetime import UTC, date, datetime

import pytest

from app.models import (
    ActionUpdate,
    AttendanceStatus,
    EntryKind,
    Finding,
    FindingEvent,
    Inspection,
    ItemKind,
    QuestionStatus,
    Role,
)
from app.schemas import AnswerCreate, AttendanceIn, QuestionCreate
from app.services import attendance, questions, subject_access
from app.services.errors import Forbidden, InvalidInput
from app.services.permissions import Actor
from app.services.subject_access import Period, find_in, terms_for
from tests.factories import (
    SYSTEM,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)

APRIL = Period(start=date(2025, 4, 1), end=date(2025, 4, 30))


@pytest.fixture
def jo(session):
    return make_person(session, full_name="Jo Bloggs", initials="JB", title="Ms",
                       role_title="Head of Policy", role_abbreviation="HoP")


@pytest.fixture
def record(session, jo):
    """Jo in every kind of record in April 2025, and elsewhere only outside April."""
    other = make_person(session, full_name="Joanne Bloggsworth", initials="JBW")
    board = make_meeting_type(session, name="Accountability Board")
    april = make_meeting(session, board, starts_at=datetime(2025, 4, 10, 10))
    march = make_meeting(session, board, starts_at=datetime(2025, 3, 31, 22))
    attendance.set_attendance(session, meeting_id=april.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=jo.id, status=AttendanceStatus.present),
        AttendanceIn(person_id=other.id, status=AttendanceStatus.present)])
    item = make_item(session, april, title="Roads policing", presenter_id=jo.id)
    make_item(session, april, title="Estates", commission="JBW to report on estates.")
    make_entry(session, item, text="The board noted the figures.", speaker_id=jo.id)
    make_entry(session, item, text="Ms Bloggs presented the plan.")
    make_entry(session, item, text="JB to circulate the paper.")
    make_entry(session, item, text="The HoP agreed.")
    make_entry(session, item, text="As agreed by Jo\n  Bloggs.")
    make_entry(session, item, kind=EntryKind.decision, text="Jo Bloggs agreed the budget.")
    make_entry(session, item, text="Joanne Bloggsworth said JBX and jb differ; Ms Bloggsworth")
    make_entry(session, item, text="Jo Bloggs on a named officer.", exempt=True,
               exempt_reason="section 40")
    secret = make_item(session, april, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31")
    make_entry(session, secret, text="JB briefed the board.")
    make_entry(session, make_item(session, march, title="Old"), text="Jo Bloggs spoke.")
    asked = questions.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many officers?", asked_by_id=jo.id, meeting_id=april.id,
        status=QuestionStatus.sent))
    questions.answer_question(session, question_id=asked.id, by=SYSTEM, data=AnswerCreate(
        text="Forty, as JB knows.", respondent_id=other.id))
    action = make_action(session, [jo], text="Report on roads.", meeting_id=april.id)
    make_action(session, [other], text="JBW to report.", meeting_id=april.id)
    session.add(ActionUpdate(action_id=action.id, text="Done.", author_person_id=jo.id,
                             created_at=datetime(2025, 4, 20, 9, tzinfo=UTC)))
    inspection = Inspection(title="PEEL 2025", published_on=date(2025, 4, 15))
    later = Inspection(title="PEEL 2026", published_on=date(2026, 4, 15))
    session.add(later)
    session.add(inspection)
    session.flush()
    finding = Finding(inspection_id=inspection.id, kind="recommendation", text="Do better.",
                      owner_id=jo.id)
    session.add(finding)
    session.add(Finding(inspection_id=later.id, kind="recommendation", text="Later.",
                        owner_id=jo.id))
    session.flush()
    session.add(FindingEvent(finding_id=finding.id, summary="Owner set to Jo Bloggs.",
                             at=datetime(2025, 4, 21, 9, tzinfo=UTC)))
    session.commit()
    return april


def texts(found) -> dict[str, list[str]]:
    by_kind: dict[str, list[str]] = {}
    for row in found.rows:
        by_kind.setdefault(row.kind, []).append(row.text)
    return by_kind


def test_the_person_is_found_in_every_kind_of_record(session, jo, record):
    found = subject_access.find_mentions(session, person=jo, period=APRIL, by=SYSTEM)
    got = texts(found)
    assert set(got) == set(subject_access.KINDS)
    assert sorted(got["paragraph"]) == sorted([
        "The board noted the figures.", "Ms Bloggs presented the plan.",
        "JB to circulate the paper.", "The HoP agreed.", "Jo Bloggs on a named officer.",
        "As agreed by Jo\n  Bloggs.",
        "JB briefed the board."])
    assert got["decision"] == ["Jo Bloggs agreed the budget."]
    assert got["item"] == ["Roads policing"]
    assert got["question"] == ["How many officers?"]
    assert got["answer"] == ["Forty, as JB knows."]
    assert got["action"] == ["Report on roads."]
    assert got["update"] == ["Done."]
    assert got["finding"] == ["Do better."]
    assert got["finding_update"] == ["Owner set to Jo Bloggs."]
    how = {row.text: row.how for row in found.rows}
    assert how["The board noted the figures."] == ["as speaker"]
    assert how["Ms Bloggs presented the plan."] == ["by name"]
    assert how["JB to circulate the paper."] == ["by initials"]
    assert how["The HoP agreed."] == ["by role"]
    assert found.counts["paragraph"] == 7 and found.counts["attendance"] == 1


def test_a_similar_name_and_initials_inside_words_or_lower_case_are_not_matched(
        session, jo, record):
    found = subject_access.find_mentions(session, person=jo, period=APRIL, by=SYSTEM)
    everything = repr([row.text for row in found.rows])
    assert "Bloggsworth" not in everything and "JBW" not in everything
    assert "Jo Bloggs spoke." not in everything  # 31 March 22:00 London: outside April


def test_exempt_material_is_found_for_the_office_and_not_for_a_reader_without_part_2(
        session, jo, record):
    office = subject_access.find_mentions(session, person=jo, period=APRIL,
                                          by=Actor(role=Role.secretariat))
    exempt = {row.text for row in office.rows if row.exempt}
    assert exempt == {"Jo Bloggs on a named officer.", "JB briefed the board."}
    viewer = subject_access.find_mentions(session, person=jo, period=APRIL,
                                          by=Actor(role=Role.viewer))
    seen = {row.text for row in viewer.rows}
    assert not seen & exempt and "Ms Bloggs presented the plan." in seen


def test_only_the_office_may_search_and_each_search_is_audited(session, jo, record):
    for role in (Role.force, Role.viewer):
        with pytest.raises(Forbidden):
            subject_access.search(session, person_id=jo.id, period=APRIL,
                                  by=Actor(role=role))
    from sqlmodel import select

    from app.models import AuditEvent
    subject_access.search(session, person_id=jo.id, period=APRIL,
                          by=Actor(role=Role.secretariat, label="sec@example.org"))
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "subject_access")).one()
    assert event.object_id == jo.id and "Jo Bloggs" in event.summary
    assert "2025-04-01" in event.summary


@pytest.mark.parametrize("text", ["JBX said", "jb said", "Joanne Bloggsworth", "Jo Bloggsy",
                                  "MsBloggs", "Ms Bloggsworth", "XJB"])
def test_near_misses(jo, text):
    assert find_in(text, terms_for(jo)) is None


def test_matches_are_whole_words_and_the_longest_wins(jo):
    found = find_in("HoP Bloggs and JB's note; jo  bloggs", terms_for(jo))
    assert found is not None
    assert [t for t, marked in found.segments if marked] == ["HoP Bloggs", "JB", "jo  bloggs"]
    assert found.how == ["by name", "by initials"]


@pytest.mark.parametrize("value", ["2026-02-30", "2026-2-3", "31/03/2026", "tomorrow",
                                   "0001-01-01"])
def test_a_date_that_does_not_exist_is_refused(value):
    with pytest.raises(InvalidInput):
        subject_access.parse_day(value, "from", "The start date")


def test_dates_the_wrong_way_round_are_refused():
    with pytest.raises(InvalidInput):
        Period(start=date(2026, 5, 1), end=date(2026, 4, 1))
