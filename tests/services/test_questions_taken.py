"""Questions go where they are sent: a question on no item goes in the pack (and is sent with
it), a question carried forward is taken at the next meeting of its series that is held, and an
answer given in a meeting is dated on the meeting's day."""

from datetime import UTC, datetime

import pytest

from app.models import EntryKind, ItemKind, MeetingStatus, QuestionStatus
from app.schemas import AnswerCreate, EntryCreate, QuestionCreate, QuestionUpdate
from app.services import entries, meeting_papers, minutes, questions
from app.services.errors import Conflict
from tests.factories import SYSTEM, make_item, make_meeting, make_meeting_type, make_top_team


@pytest.fixture
def series(session):
    """Four meetings of one series (May's cancelled), and the top team."""
    pcc, cc, dcc = make_top_team(session)
    kind = make_meeting_type(session, name="Monthly Assurance Meeting")
    april, may, june, july = (
        make_meeting(session, kind, starts_at=datetime(2019, month, 28, 10))
        for month in (4, 5, 6, 7))
    may.status = MeetingStatus.cancelled
    session.flush()
    for meeting in (april, june, july):
        make_item(session, meeting, title="Outstanding matters",
                  kind=ItemKind.outstanding_matters)
    roads = make_item(session, april, title="Roads policing")
    return {"pcc": pcc, "cc": cc, "april": april, "may": may, "june": june, "july": july,
            "roads": roads, "other": make_meeting(session, starts_at=datetime(2019, 5, 30, 10))}


def ask(session, series, text, *, meeting=None, item=None, status=QuestionStatus.ready):
    return questions.create_question(session, by=SYSTEM, data=QuestionCreate(
        text=text, asked_by_id=series["pcc"].id, addressed_to_id=series["cc"].id,
        meeting_id=(meeting or series["april"]).id, item_id=item.id if item else None,
        status=status))


def move(session, question, status):
    return questions.update_question(session, question_id=question.id, by=SYSTEM,
                                     data=QuestionUpdate(status=status))


def pack_texts(session, meeting) -> dict[str, list[str]]:
    pack = meeting_papers.question_pack_for(session, meeting_id=meeting.id, by=SYSTEM)
    return {item.title: [q.text for q in item.questions] for item in pack.items}


def test_a_question_on_no_item_is_in_the_pack_under_other_questions(session, series):
    on_item = ask(session, series, "Is roads policing working?", item=series["roads"])
    loose = ask(session, series, "How many officers are on long-term sick leave?")
    draft = ask(session, series, "A draft", status=QuestionStatus.draft)
    pack = meeting_papers.question_pack_for(session, meeting_id=series["april"].id, by=SYSTEM)
    assert [(i.title, [q.number for q in i.questions]) for i in pack.items] == [
        ("Roads policing", ["Q1"]), ("Other questions", ["Q2"])]
    assert pack.items[-1].questions[0].text == loose.text
    assert meeting_papers.mark_pack_sent(session, meeting_id=series["april"].id, by=SYSTEM) == 2
    assert (on_item.status, loose.status, draft.status) == (
        QuestionStatus.sent, QuestionStatus.sent, QuestionStatus.draft)


def test_a_pack_with_no_loose_questions_has_no_other_questions(session, series):
    ask(session, series, "Is roads policing working?", item=series["roads"])
    assert "Other questions" not in pack_texts(session, series["april"])


def test_a_question_carried_forward_is_taken_at_the_next_meeting_held(session, series):
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    move(session, question, QuestionStatus.carried_forward)
    assert question.carried_from_meeting_id == series["april"].id

    def taken_at(meeting):
        return [q.id for q in questions.questions_at(session, meeting=meeting, by=SYSTEM)]

    # Not at April (where it was carried forward), nor May (cancelled), nor July: at June.
    assert (taken_at(series["april"]), taken_at(series["may"]), taken_at(series["june"]),
            taken_at(series["july"]), taken_at(series["other"])) == (
        [], [], [question.id], [], [])
    assert "When will the force join NAS?" not in str(pack_texts(session, series["april"]))
    assert pack_texts(session, series["june"])["Questions carried forward"] == [question.text]
    assert "Questions carried forward" not in pack_texts(session, series["july"])
    carried = [c.question.id for c in minutes.carried_questions(session, series["june"],
                                                                redact=False)]
    assert carried == [question.id]
    assert minutes.carried_questions(session, series["july"], redact=False) == []
    assert questions.meeting_taken_at(session, question).id == series["june"].id


def test_sending_the_pack_sends_the_questions_carried_to_it(session, series):
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    move(session, question, QuestionStatus.carried_forward)
    assert meeting_papers.mark_pack_sent(session, meeting_id=series["april"].id, by=SYSTEM) == 0
    assert question.status == QuestionStatus.carried_forward
    assert meeting_papers.mark_pack_sent(session, meeting_id=series["june"].id, by=SYSTEM) == 1
    assert question.status == QuestionStatus.sent
    # Sent to June's meeting, it stays June's.
    assert questions.meeting_taken_at(session, question).id == series["june"].id


def test_carried_forward_again_it_moves_on_one_more_meeting(session, series):
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    move(session, question, QuestionStatus.carried_forward)
    move(session, question, QuestionStatus.asked)  # asked at June's meeting
    assert questions.meeting_taken_at(session, question).id == series["june"].id
    move(session, question, QuestionStatus.carried_forward)
    assert question.carried_from_meeting_id == series["june"].id
    assert questions.meeting_taken_at(session, question).id == series["july"].id


def test_a_meeting_cancelled_later_passes_its_carried_questions_on(session, series):
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    move(session, question, QuestionStatus.carried_forward)
    series["june"].status = MeetingStatus.cancelled
    session.flush()
    assert [q.id for q in questions.questions_at(session, meeting=series["july"], by=SYSTEM)] \
        == [question.id]


def test_an_answer_given_in_the_meeting_is_dated_on_the_meeting_day(session, series):
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    answer = questions.answer_question(session, question_id=question.id, by=SYSTEM, data=(
        AnswerCreate(respondent_id=series["cc"].id, text="In March.", in_meeting=True)))
    assert answer.answered_at == series["april"].starts_at
    written = questions.answer_question(session, question_id=question.id, by=SYSTEM, data=(
        AnswerCreate(respondent_id=series["cc"].id, text="Later.", in_meeting=False)))
    assert written.answered_at.date() == datetime.now(UTC).date()


def test_an_answer_minuted_later_is_dated_on_the_meeting_day(session, series):
    question = ask(session, series, "When will the force join NAS?", item=series["roads"],
                   status=QuestionStatus.sent)
    entries.create_entry(session, item_id=series["roads"].id, by=SYSTEM, data=EntryCreate(
        kind=EntryKind.answer, text="In March.", speaker_id=series["cc"].id,
        question_id=question.id))
    [answer] = questions.answers_of(session, [question.id])[question.id]
    assert answer.answered_at == series["april"].starts_at


def test_on_the_meeting_day_an_answer_keeps_its_time():
    meeting = type("M", (), {"starts_at": datetime(2019, 4, 28, 9, tzinfo=UTC)})()
    typed = datetime(2019, 4, 28, 15, 30, tzinfo=UTC)
    assert questions.dated_in_meeting(meeting, typed) == typed  # type: ignore[arg-type]
    assert questions.dated_in_meeting(meeting, datetime(2019, 5, 2, tzinfo=UTC)) \
        == meeting.starts_at  # type: ignore[arg-type]


def test_a_question_not_yet_sent_cannot_be_carried_forward(session, series):
    question = ask(session, series, "A ready question")
    with pytest.raises(Conflict):
        move(session, question, QuestionStatus.carried_forward)
    assert question.carried_from_meeting_id is None
