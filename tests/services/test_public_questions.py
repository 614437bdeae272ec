"""Questions from the public through the public form: open until the series' deadline, bots
kept out (a signed time stamp, a field left empty, a limit per address), the emails to the
person who asked, and the erasure of their details after the office's retention period."""

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from app.models import (
    AuditEvent,
    Notification,
    OfficeSettings,
    Question,
    QuestionSource,
    QuestionStatus,
    Screening,
)
from app.schemas import AnswerCreate, QuestionUpdate
from app.services import public_question_mail, questions
from app.services import public_questions as service
from app.services.errors import Forbidden, InvalidInput, TooManyAttempts
from app.services.mail import OutboxMailer
from tests.factories import SYSTEM, make_meeting, make_meeting_type, make_top_team

SECRET = "test secret"
LIMITS = service.Limits(min_seconds=5, per_hour=3)
# The meeting starts on Thursday 20 June 2030; its series closes public questions 10 days
# before: the last day is Monday 10 June.
STARTS = datetime(2030, 6, 20, 9, 0, tzinfo=UTC)
BEFORE = datetime(2030, 6, 10, 20, 0, tzinfo=UTC)  # 21:00 in London, the last day
AFTER = datetime(2030, 6, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in London
BASE = "https://assure.example"


@pytest.fixture
def meeting(session):
    return make_meeting(session, make_meeting_type(session, name="Accountability Board"),
                        starts_at=STARTS)


@pytest.fixture
def outbox(tmp_path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def mailer(outbox):
    return OutboxMailer(outbox, sender="opcc@example.org")


def mails(outbox: Path):
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def form(meeting, now, **kw):
    values = dict(name="Jane Public", email="jane@example.org",
                  question="How many speed cameras work on the A49?",
                  meeting_id=str(meeting.id),
                  form_token=service.form_token(SECRET, now - timedelta(seconds=30)))
    values.update(kw)
    return service.PublicSubmission(**values)


def send(session, meeting, now, address="203.0.113.9", **kw):
    return service.submit_public_question(session, form=form(meeting, now, **kw),
                                          address=address, secret=SECRET, limits=LIMITS, now=now)


def stored(session) -> int:
    return session.exec(select(func.count()).select_from(Question)).one()


def test_a_question_before_the_deadline_is_kept_and_acknowledged(session, meeting, mailer,
                                                                 outbox):
    question = send(session, meeting, BEFORE)
    session.commit()
    assert (question.source, question.status, question.screening) == (
        QuestionSource.public, QuestionStatus.draft, Screening.pending)
    assert (question.submitter_name, question.submitter_email) == ("Jane Public",
                                                                   "jane@example.org")
    assert question.submitted_from and "203.0.113.9" not in question.submitted_from
    assert [m.meeting.id for m in service.open_meetings(session, today=date(2030, 6, 10))] \
        == [meeting.id]
    report = public_question_mail.deliver(session, mailer=mailer, base_url=BASE)
    assert report.sent == 1
    [message] = mails(outbox)
    assert message["To"] == "jane@example.org"
    assert message["Subject"] == "We have your question"
    body = message.get_content()
    assert "Dear Jane Public" in body and "How many speed cameras" in body
    assert "close on Monday 10 June 2030" in body
    assert public_question_mail.deliver(session, mailer=mailer, base_url=BASE).sent == 0


def test_after_the_deadline_the_meeting_is_refused_and_not_offered(session, meeting):
    with pytest.raises(InvalidInput) as refused:
        send(session, meeting, AFTER)
    assert "closed on Monday 10 June 2030" in refused.value.errors["meeting_id"]
    session.rollback()
    assert stored(session) == 0
    assert service.open_meetings(session, today=date(2030, 6, 11)) == []


@pytest.mark.parametrize("token_age, words", [
    (timedelta(seconds=2), "too quickly"),
    (timedelta(days=1, seconds=5), "more than a day ago"),
])
def test_the_time_trap_refuses_forms_sent_too_fast_or_too_late(session, meeting, token_age,
                                                               words):
    with pytest.raises(InvalidInput) as refused:
        send(session, meeting, BEFORE,
             form_token=service.form_token(SECRET, BEFORE - token_age))
    assert words in refused.value.errors["form"]
    session.rollback()
    assert stored(session) == 0


@pytest.mark.parametrize("token", ["", "1900000000", "1900000000.forged",
                                   service.form_token("another secret", BEFORE)])
def test_a_form_not_given_out_here_is_forbidden(session, meeting, token):
    with pytest.raises(Forbidden):
        send(session, meeting, BEFORE, form_token=token)
    session.rollback()
    assert stored(session) == 0


def test_the_honeypot_refuses_a_form_that_fills_it_in(session, meeting):
    with pytest.raises(InvalidInput) as refused:
        send(session, meeting, BEFORE, website="http://spam.example")
    assert "leave it empty" in refused.value.errors["form"]
    session.rollback()
    assert stored(session) == 0


def test_one_address_may_send_three_questions_an_hour(session, meeting):
    for minutes in (0, 10, 20):
        send(session, meeting, BEFORE - timedelta(hours=2) + timedelta(minutes=minutes))
    session.commit()
    with pytest.raises(TooManyAttempts) as refused:
        send(session, meeting, BEFORE - timedelta(hours=1, minutes=30))
    assert "3 questions from your address in the last hour" in refused.value.message
    session.rollback()
    assert stored(session) == 3
    send(session, meeting, BEFORE - timedelta(hours=1, minutes=30), address="198.51.100.1")
    send(session, meeting, BEFORE - timedelta(minutes=59))  # the first has left the hour
    session.commit()
    assert stored(session) == 5


@pytest.mark.parametrize("field, kw", [
    ("name", {"name": "Jane\x07 Public"}),
    ("name", {"name": ""}),
    ("name", {"name": "J" * 201}),
    ("question", {"question": "Why\x00?"}),
    ("question", {"question": "Why? " * 2000}),
    ("question", {"question": "   "}),
    ("email", {"email": "not an email"}),
    ("email", {"email": "jane@example"}),
    ("email", {"email": "jane@example.org\nBcc: all@example.org"}),
    ("meeting_id", {"meeting_id": "999999"}),
    ("meeting_id", {"meeting_id": "abc"}),
    ("meeting_id", {"meeting_id": "99999999999999999999"}),
    ("meeting_id", {"meeting_id": ""}),
])
def test_bad_input_is_refused_and_nothing_kept(session, meeting, field, kw):
    with pytest.raises(InvalidInput) as refused:
        send(session, meeting, BEFORE, **kw)
    assert field in refused.value.errors
    session.rollback()
    assert stored(session) == 0
    assert session.exec(select(func.count()).select_from(Notification)).one() == 0


def test_the_person_who_asked_is_told_the_screening_and_the_answer(session, meeting, mailer,
                                                                   outbox):
    _, cc, _ = make_top_team(session)
    question = send(session, meeting, BEFORE)
    declined = send(session, meeting, BEFORE + timedelta(minutes=1), email="sam@example.org",
                    name="Sam Asker")
    session.commit()
    questions.update_question(session, question_id=declined.id, by=SYSTEM, data=QuestionUpdate(
        screening=Screening.declined, screening_reason="It is about a case before the court."))
    questions.update_question(session, question_id=question.id, by=SYSTEM,
                              data=QuestionUpdate(screening=Screening.accepted))
    questions.update_question(session, question_id=question.id, by=SYSTEM,
                              data=QuestionUpdate(status=QuestionStatus.sent))
    questions.answer_question(session, question_id=question.id, by=SYSTEM, data=AnswerCreate(
        respondent_id=cc.id, text="Nine of the ten work.", in_meeting=False))
    session.commit()
    assert public_question_mail.deliver(session, mailer=mailer, base_url=BASE).sent == 5
    got = {(m["To"], m["Subject"]): m.get_content() for m in mails(outbox)}
    assert set(got) == {
        ("jane@example.org", "We have your question"),
        ("sam@example.org", "We have your question"),
        ("sam@example.org", "Your question will not be put to the force"),
        ("jane@example.org", "Your question will be put to the force"),
        ("jane@example.org", "Your question has been answered"),
    }
    assert "It is about a case before the court." in got[
        ("sam@example.org", "Your question will not be put to the force")]
    assert "Nine of the ten work." in got[("jane@example.org", "Your question has been answered")]


def test_a_submitter_is_erased_after_the_retention_period_and_not_before(session, meeting,
                                                                        mailer):
    question = send(session, meeting, BEFORE)  # 10 June 2030 in London
    session.add(OfficeSettings(public_question_retention_days=30))
    session.commit()
    assert service.erase_expired_submitters(session, today=date(2030, 7, 10)) == 0
    assert question.submitter_email == "jane@example.org"
    assert service.erase_expired_submitters(session, today=date(2030, 7, 11)) == 1
    session.commit()
    session.refresh(question)
    assert (question.submitter_name, question.submitter_email, question.submitted_from) == (
        "", "", "")
    assert question.submitter_erased_at is not None
    assert question.text == "How many speed cameras work on the A49?"
    [row] = session.exec(select(Notification)).all()
    assert (row.recipient, row.status) == ("", "superseded")  # never sent to no one
    [event] = session.exec(select(AuditEvent).where(AuditEvent.verb == "erase")).all()
    assert (event.object_type, event.object_id) == ("question", question.id)
    assert "jane" not in event.summary.lower()
    assert service.erase_expired_submitters(session, today=date(2031, 1, 1)) == 0
    assert public_question_mail.deliver(session, mailer=mailer, base_url=BASE).sent == 0
    assert session.exec(select(func.count()).select_from(Question)
                        .where(col(Question.submitter_erased_at).is_not(None))).one() == 1
