"""A question from the public, answered at the meeting, is published with the minutes
(issue 19: "the answers published with the minutes").

Taken through the services the office uses (sent through the public form, accepted at
screening, sent to the force, answered at the meeting, the minutes approved and published)
and judged by reading back what the public gets: the published Word file and the minutes'
web page. The question and its answer are there, put as a member of the public's; the
person's name, email and address are not (the office erases them after its retention period,
and the published minutes are fixed for good).
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import EntryKind, PublishedDocument, QuestionStatus, Screening
from app.schemas import AnswerCreate, EntryCreate, QuestionUpdate
from app.services import entries, publication, questions
from app.services import public_questions as service
from app.services.publication import Form
from tests.factories import (
    SYSTEM,
    advance_meeting,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
)
from tests.web.test_published_forms import docx_paragraphs, page_paragraphs

SECRET = "test secret"
STARTS = datetime(2030, 6, 20, 9, 0, tzinfo=UTC)
BEFORE = datetime(2030, 6, 10, 12, 0, tzinfo=UTC)  # before the series' deadline
NAME = "Jane Qzxpublic"
EMAIL = "jane.qzx@example.org"
ADDRESS = "203.0.113.9"
QUESTION = "How many of the speed cameras on the A49 work?"
ANSWER = "Nine of the ten cameras on the A49 work; the tenth is mended next month."


def _submitted(session, meeting):
    form = service.PublicSubmission(
        name=NAME, email=EMAIL, question=QUESTION, meeting_id=str(meeting.id),
        form_token=service.form_token(SECRET, BEFORE - timedelta(seconds=30)))
    question = service.submit_public_question(
        session, form=form, address=ADDRESS, secret=SECRET,
        limits=service.Limits(min_seconds=5, per_hour=3), now=BEFORE)
    session.commit()
    return question


def _screened_and_sent(session, question):
    questions.update_question(session, question_id=question.id, by=SYSTEM,
                              data=QuestionUpdate(screening=Screening.accepted))
    questions.update_question(session, question_id=question.id, by=SYSTEM,
                              data=QuestionUpdate(status=QuestionStatus.sent))
    session.commit()


def _answered_on_its_page(session, meeting, question, cc, item):
    """The office records the answer given in the meeting on the question's page."""
    if item is not None:
        questions.update_question(session, question_id=question.id, by=SYSTEM,
                                  data=QuestionUpdate(item_id=item.id))
    questions.answer_question(session, question_id=question.id, by=SYSTEM, data=AnswerCreate(
        respondent_id=cc.id, text=ANSWER, in_meeting=True))


def _minuted_live(session, meeting, question, cc, item):
    """The minute-taker minutes the question and the answer as paragraphs of an item."""
    entries.create_entry(session, item_id=item.id, by=SYSTEM, data=EntryCreate(
        kind=EntryKind.question, text=f"A member of the public asked: {QUESTION}",
        question_id=question.id))
    entries.create_entry(session, item_id=item.id, by=SYSTEM, data=EntryCreate(
        kind=EntryKind.answer, text=ANSWER, speaker_id=cc.id, question_id=question.id))


@pytest.mark.parametrize("how,on_item", [
    (_answered_on_its_page, False),  # as it came from the form: for the meeting, no item
    (_answered_on_its_page, True),  # the office put it on an item
    (_minuted_live, True),
], ids=["answered-without-item", "answered-on-item", "minuted-live"])
def test_an_answered_public_question_is_published_with_the_minutes(client, session, how,
                                                                   on_item):
    pcc, cc, _ = make_top_team(session)
    series = make_meeting_type(session, name="Accountability Board")
    meeting = make_meeting(session, series, starts_at=STARTS, chair_id=pcc.id)
    item = make_item(session, meeting, title="Roads policing") if on_item else None
    question = _submitted(session, meeting)
    digest = question.submitted_from
    _screened_and_sent(session, question)

    advance_meeting(session, meeting, "in_progress")
    how(session, meeting, question, cc, item)
    session.commit()
    session.refresh(question)
    assert question.status == QuestionStatus.answered
    advance_meeting(session, meeting, "approved")
    publication.publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()

    word = publication.latest_published(session, meeting.id)
    assert word is not None
    pages = session.exec(select(PublishedDocument).where(
        PublishedDocument.meeting_id == meeting.id, PublishedDocument.form == Form.html)).all()
    assert len(pages) == 1
    client.cookies.clear()
    response = client.get(f"/public/minutes/{pages[0].id}")
    assert response.status_code == 200
    for paragraphs in (docx_paragraphs(bytes(publication.get_published(session, word.id)
                                             .content)),
                       page_paragraphs(response.text)):
        text = "\n".join(paragraphs)
        # the question and the answer, the question put as a member of the public's
        assert any(QUESTION in p and "member of the public" in p.lower()
                   for p in paragraphs), text
        assert any(ANSWER in p for p in paragraphs), text
        for private in (NAME, "Qzxpublic", EMAIL, digest, ADDRESS):
            assert private not in text
    for private in (NAME, "Qzxpublic", EMAIL, digest, ADDRESS):
        assert private not in response.text
