"""The emails to a member of the public about their question: the acknowledgement when it is
sent, the office's screening (accepted, or declined with the reason), and each answer.

Each email is a Notification row recorded, pending, in the same transaction as what calls for
it (the question sent, screened or answered), so a mail server that is down loses nothing:
`deliver` sends the pending rows after that change is committed (the page that made it, then
every reminders run and scheduler round). A row is claimed (pending to sending) in a
transaction of its own before its email goes, so two processes never send the same one
(app/services/invites.py does the same for calendar invitations). The email is written when
it is sent, from the question as it is then: a screening changed again before its email went
is not sent, and nothing goes to a submitter whose details have been erased.
"""

import logging
import textwrap
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models import (
    AgendaItem,
    Answer,
    Meeting,
    MeetingType,
    Notification,
    Question,
    QuestionSource,
    Screening,
    utcnow,
)
from app.services import dates
from app.services.invites import Delivery, send_pending
from app.services.mail import Mailer, compose
from app.services.office import get_office

log = logging.getLogger(__name__)

ACKNOWLEDGED = "public_acknowledged"
ACCEPTED = "public_accepted"
DECLINED = "public_declined"
ANSWERED = "public_answered"
KINDS = (ACKNOWLEDGED, ACCEPTED, DECLINED, ANSWERED)
SUBJECTS = {
    ACKNOWLEDGED: "We have your question",
    ACCEPTED: "Your question will be put to the force",
    DECLINED: "Your question will not be put to the force",
    ANSWERED: "Your question has been answered",
}


def _queue(session: Session, question: Question, kind: str, key: str) -> bool:
    """Record a pending email about the question; False when there is no one to write to or
    the same email is already recorded (the savepoint takes the failed insert away)."""
    address = question.submitter_email.strip()
    if (question.source != QuestionSource.public or not address
            or question.submitter_erased_at is not None):
        return False
    row = Notification(key=key[:200], kind=kind, question_id=question.id, recipient=address,
                       subject=SUBJECTS[kind], status="pending")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def queue_acknowledgement(session: Session, question: Question) -> bool:
    """The email that says the question has arrived and what happens next."""
    return _queue(session, question, ACKNOWLEDGED, f"{ACKNOWLEDGED}:question {question.id}")


def queue_screening(session: Session, question: Question) -> bool:
    """The email that gives the office's screening decision (called when it changes)."""
    if question.screening == Screening.accepted:
        kind = ACCEPTED
    elif question.screening == Screening.declined:
        kind = DECLINED
    else:
        return False
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    return _queue(session, question, kind, f"{kind}:question {question.id}:{stamp}")


def queue_answer(session: Session, question: Question, answer: Answer) -> bool:
    """The email that says the question has been answered (once for each answer)."""
    return _queue(session, question, ANSWERED,
                  f"{ANSWERED}:question {question.id}:answer {answer.id}")


# --- what the emails say ---------------------------------------------------------------------


def _indent(text: str) -> str:
    return textwrap.indent(text.strip(), "    ")


def _meeting_words(session: Session, question: Question) -> tuple[str, Meeting | None]:
    meeting = session.get(Meeting, question.meeting_id) if question.meeting_id else None
    if meeting is None:
        return "a meeting of the Commissioner with the force", None
    series = session.get(MeetingType, meeting.meeting_type_id)
    name = series.name if series else "meeting"
    return f"the {name} on {dates.long_date(dates.to_london(meeting.starts_at))}", meeting


def _on_exempt_item(session: Session, question: Question) -> bool:
    item = session.get(AgendaItem, question.item_id) if question.item_id else None
    while item is not None:
        if item.exempt:
            return True
        item = session.get(AgendaItem, item.parent_id) if item.parent_id else None
    return False


def _paragraphs(session: Session, row: Notification, question: Question, base_url: str
                ) -> list[str] | None:
    """What the email says, from the question as it is now; None when it is no longer due."""
    # questions.py records these emails when a question is screened or answered
    from app.services.questions import public_questions_close

    where, meeting = _meeting_words(session, question)
    public = f"{base_url}/public"
    if row.kind == ACKNOWLEDGED:
        closes = (f"Questions from the public for this meeting close on "
                  f"{dates.long_date(public_questions_close(session, meeting))}. "
                  if meeting is not None else "")
        return [f"Thank you for your question for {where}. We have it:",
                _indent(question.text),
                f"{closes}The Commissioner's office reads every question and decides whether "
                "it is put to the force at the meeting. We will email you when we have "
                "decided, and if we do not put it, we will say why.",
                "When the question has been answered we will email you again. The answer is "
                f"published with the minutes of the meeting, on {public}.",
                "You do not need to reply to this email."]
    if row.kind in (ACCEPTED, DECLINED):
        wanted = Screening.accepted if row.kind == ACCEPTED else Screening.declined
        if question.screening != wanted:
            return None  # the decision changed again before this email went
        if row.kind == ACCEPTED:
            return [f"The Commissioner's office has accepted your question for {where}:",
                    _indent(question.text),
                    "The Commissioner will put it to the force. We will email you when it "
                    f"has been answered; the answer is published with the minutes, on {public}."]
        return [f"The Commissioner's office has decided not to put your question for {where} "
                "to the force:",
                _indent(question.text),
                f"The reason:\n{_indent(question.screening_reason)}",
                "You are welcome to send a question for a later meeting."]
    answer_id = int(row.key.rpartition("answer ")[2]) if "answer " in row.key else 0
    answer = session.get(Answer, answer_id) if answer_id else None
    if answer is None or answer.question_id != question.id:
        return None  # the answer was taken out of the minutes before this email went
    if answer.in_meeting or _on_exempt_item(session, question):
        return [f"Your question for {where} has been answered at the meeting:",
                _indent(question.text),
                "The answer is published with the minutes of the meeting once the "
                f"Commissioner has approved them, on {public}."]
    return [f"The force has answered your question for {where} in writing:",
            _indent(question.text), f"The answer:\n{_indent(answer.text)}",
            f"The answer is also published with the minutes of the meeting, on {public}."]


def compose_email(session: Session, row: Notification, question: Question, *, mailer: Mailer,
                  base_url: str) -> EmailMessage | None:
    """The email of one pending row; None when it is no longer due."""
    paragraphs = _paragraphs(session, row, question, base_url.rstrip("/"))
    if paragraphs is None:
        return None
    office = get_office(session)
    body = "\n\n".join([f"Dear {question.submitter_name or 'member of the public'},",
                        *paragraphs, office.office_name]) + "\n"
    return compose(sender=mailer.sender, to=row.recipient, subject=row.subject, body=body,
                   headers={"X-Assure-Notification": row.key})


# --- sending ---------------------------------------------------------------------------------


def deliver(session: Session, *, mailer: Mailer, base_url: str, question_id: int | None = None,
            stop_at_first_wait: bool = True) -> Delivery:
    """Send the pending emails to the public (about one question, or all), each once. The
    caller's change is committed first, so that it stands whatever the mail server does."""
    def message_for(row: Notification) -> EmailMessage | None:
        question = session.get(Question, row.question_id) if row.question_id else None
        if question is None or question.submitter_erased_at is not None:
            return None  # nobody to write to any more
        return compose_email(session, row, question, mailer=mailer, base_url=base_url)

    report = Delivery()
    only = Notification.question_id == question_id if question_id is not None else None
    send_pending(session, kinds=KINDS, only=only, mailer=mailer, compose=message_for,
                 report=report,
                 what=lambda row: f"Email {row.key} ({row.kind})",
                 stop_at_first_wait=stop_at_first_wait)
    return report
