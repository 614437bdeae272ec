"""The life of a question: draft to answered, public questions screened, and the minutes."""

from datetime import datetime

import pytest

from app.models import ItemKind, QuestionSource, QuestionStatus, Screening
from app.schemas import AnswerCreate, QuestionCreate, QuestionUpdate
from app.services import entries, questions
from app.services.errors import Conflict, InvalidInput
from app.services.minutes import Edition, load_record, minutes_of
from tests.factories import (
    SYSTEM,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
)


def minutes(session, meeting):
    record = load_record(session, meeting_id=meeting.id, redact=False)
    return minutes_of(record, office_short_name="OPCC", office_name="Office",
                      edition=Edition.internal)


def ask(session, meeting, item, pcc, cc, **kw):
    values = dict(text="Is regional collaboration effective?", asked_by_id=pcc.id,
                  addressed_to_id=cc.id, meeting_id=meeting.id, item_id=item.id,
                  theme="Roads policing")
    values.update(kw)
    return questions.create_question(session, by=SYSTEM, data=QuestionCreate(**values))


def move(session, question, status):
    return questions.update_question(session, question_id=question.id, by=SYSTEM,
                                     data=QuestionUpdate(status=status))


def test_a_question_travels_from_draft_to_answered_and_into_the_minutes(session):
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session)
    roads = make_item(session, meeting, title="Roads policing")
    question = ask(session, meeting, roads, pcc, cc)
    with pytest.raises(Conflict):  # a draft cannot be answered before the force has it
        questions.answer_question(session, question_id=question.id, by=SYSTEM,
                                  data=AnswerCreate(respondent_id=cc.id, text="Yes."))
    for status in (QuestionStatus.ready, QuestionStatus.sent):
        move(session, question, status)
    questions.answer_question(session, question_id=question.id, by=SYSTEM, data=AnswerCreate(
        respondent_id=cc.id, text="Campaigns are national but delivered regionally."))
    assert question.status == QuestionStatus.answered
    entries = [e.text for e in minutes(session, meeting).items[0].entries]
    assert entries == [
        "The PCC asked the CC: Is regional collaboration effective?",
        "The CC responded: Campaigns are national but delivered regionally."]


def test_an_answer_in_writing_says_so(session):
    pcc, cc, dcc = make_top_team(session)
    meeting = make_meeting(session)
    roads = make_item(session, meeting)
    question = ask(session, meeting, roads, pcc, cc, status=QuestionStatus.sent)
    questions.answer_question(session, question_id=question.id, by=SYSTEM, data=AnswerCreate(
        respondent_id=dcc.id, text="A report follows.", in_meeting=False))
    assert question.status == QuestionStatus.answered_in_writing
    assert minutes(session, meeting).items[0].entries[1].text == (
        "The DCC responded in writing: A report follows.")


def test_an_answer_minuted_as_a_paragraph_is_not_written_again_until_it_is_deleted(session):
    """Only answers no paragraph (of any meeting) records are added to the minutes; a
    deleted paragraph records nothing."""
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session)
    roads = make_item(session, meeting)
    minuted = ask(session, meeting, roads, pcc, cc, status=QuestionStatus.sent)
    unminuted = ask(session, meeting, roads, pcc, cc, status=QuestionStatus.sent,
                    text="Is Op SNAP working?")
    for question in (minuted, unminuted):
        questions.answer_question(session, question_id=question.id, by=SYSTEM,
                                  data=AnswerCreate(respondent_id=cc.id, text="Yes."))
    other = make_item(session, make_meeting(session, starts_at=datetime(2024, 4, 9, 10)))
    entry = make_entry(session, other, text="The CC said collaboration works.",
                       question_id=minuted.id)
    assert [e.text for e in minutes(session, meeting).items[0].entries] == [
        "The PCC asked the CC: Is Op SNAP working?", "The CC responded: Yes."]
    entries.delete_entry(session, entry_id=entry.id, by=SYSTEM)
    assert [e.text for e in minutes(session, meeting).items[0].entries] == [
        "The PCC asked the CC: Is regional collaboration effective?", "The CC responded: Yes.",
        "The PCC asked the CC: Is Op SNAP working?", "The CC responded: Yes."]


def test_steps_a_question_cannot_take(session):
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session)
    question = ask(session, meeting, make_item(session, meeting), pcc, cc)
    with pytest.raises(Conflict) as err:
        move(session, question, QuestionStatus.answered)
    assert "A question that is draft cannot become answered" in err.value.message
    move(session, question, QuestionStatus.withdrawn)
    with pytest.raises(Conflict):
        move(session, question, QuestionStatus.sent)
    move(session, question, QuestionStatus.draft)  # brought back


def test_public_questions_close_before_the_meeting_and_are_screened(session):
    pcc, cc, _ = make_top_team(session)
    series = make_meeting_type(session)
    series.public_question_days = 10
    session.commit()
    meeting = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10))
    item = make_item(session, meeting)
    with pytest.raises(InvalidInput) as err:
        ask(session, meeting, item, pcc, cc, source=QuestionSource.public)
    assert "name of the member of the public" in err.value.errors["submitter_name"]
    with pytest.raises(InvalidInput) as err:
        ask(session, meeting, item, pcc, cc, source=QuestionSource.public,
            submitter_name="A resident", submitted_at=datetime(2019, 4, 21, 9))
    assert "closed on Saturday 20 April 2019" in err.value.errors["submitted_at"]
    question = ask(session, meeting, item, pcc, cc, source=QuestionSource.public,
                   submitter_name="A resident", submitted_at=datetime(2019, 4, 20, 23))
    assert question.screening == Screening.pending
    with pytest.raises(Conflict):  # not to the force before it is accepted
        move(session, question, QuestionStatus.sent)
    with pytest.raises(InvalidInput) as err:
        questions.update_question(session, question_id=question.id, by=SYSTEM,
                                  data=QuestionUpdate(screening=Screening.declined))
    assert "say why" in err.value.errors["screening_reason"]
    questions.update_question(session, question_id=question.id, by=SYSTEM, data=QuestionUpdate(
        screening=Screening.accepted, screening_reason="Within the PCC's remit."))
    move(session, question, QuestionStatus.sent)
    declined = ask(session, meeting, item, pcc, cc, source=QuestionSource.public,
                   submitter_name="Another resident", submitted_at=datetime(2019, 4, 1, 9))
    questions.update_question(session, question_id=declined.id, by=SYSTEM, data=QuestionUpdate(
        screening=Screening.declined, screening_reason="About a live court case."))
    assert declined.status == QuestionStatus.withdrawn
    with pytest.raises(InvalidInput):  # only the public's questions are screened
        questions.update_question(
            session, question_id=ask(session, meeting, item, pcc, cc).id, by=SYSTEM,
            data=QuestionUpdate(screening=Screening.accepted))


def test_a_question_carried_forward_is_listed_under_outstanding_matters(session):
    pcc, cc, _ = make_top_team(session)
    series = make_meeting_type(session)
    march = make_meeting(session, series, starts_at=datetime(2019, 3, 26, 10))
    april = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10))
    make_item(session, april, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    question = ask(session, march, make_item(session, march), pcc, cc, status="sent")
    move(session, question, QuestionStatus.carried_forward)
    outstanding = minutes(session, april).items[0]
    assert [e.text for e in outstanding.entries] == [
        "Question carried forward from Tuesday 26 March 2019. The PCC asked the CC: "
        "Is regional collaboration effective?"]
    assert outstanding.text_after_title is None
