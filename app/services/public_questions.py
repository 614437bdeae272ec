"""Questions from the public, sent through the public form: which meetings are open to them,
the checks that keep bots out without a third-party service (a signed time stamp in the form,
a field people leave empty, a limit per address), and the erasure of the submitter's details
once the office's retention period is over.

A question sent this way is the office's usual public question (app/services/questions.py):
a draft, awaiting screening, for the meeting chosen; its deadline is the series'.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text, update
from sqlmodel import Session, col, select

from app.models import (
    Meeting,
    MeetingType,
    Notification,
    Question,
    QuestionSource,
    QuestionStatus,
    utcnow,
)
from app.services import audit, dates, public_question_mail
from app.services.errors import Forbidden, InvalidInput, TooManyAttempts
from app.services.meetings import NOT_YET_HELD
from app.services.office import get_office
from app.services.permissions import Actor
from app.services.questions import _check_public_question, public_questions_close
from app.services.text import clean_line, clean_text

PUBLIC = Actor.system(label="member of the public")
RETENTION = Actor.system(label="retention")
MAX_FORM_AGE = timedelta(days=1)
NAME_MAX = 200
EMAIL_MAX = 320
QUESTION_MAX = 5000
OPEN_MEETINGS_MAX = 20  # the form offers at most this many meetings, the soonest first
_LOOK_AHEAD = 200  # meetings to come read to find them
_RATE_LOCKS = 0x5051_0001  # PostgreSQL advisory lock space of the limit per address
_PURPOSE = b"assure public question form v1"


@dataclass(frozen=True)
class Limits:
    """How the public form keeps bots out: the fewest seconds a person takes to fill it in,
    and how many questions one address may send in an hour."""

    min_seconds: float = 5
    per_hour: int = 3

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(min_seconds=settings.public_question_min_seconds,
                   per_hour=settings.public_questions_per_hour)


@dataclass
class PublicSubmission:
    """What the form sent, as typed."""

    name: str = ""
    email: str = ""
    question: str = ""
    meeting_id: str = ""
    form_token: str = ""
    website: str = ""  # the field people do not see, and bots fill in


@dataclass
class OpenMeeting:
    """A meeting the public may still send questions for."""

    meeting: Meeting
    title: str
    closes: date


# --- the signed time stamp ---------------------------------------------------------------------


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def _sign(secret: str, stamp: str) -> str:
    digest = hmac.new(_key(secret), stamp.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def form_token(secret: str, now: datetime | None = None) -> str:
    """The form's hidden time stamp, signed: when the form was given out."""
    stamp = str(int((now or utcnow()).timestamp()))
    return f"{stamp}.{_sign(secret, stamp)}"


def check_form_token(token: str, secret: str, *, now: datetime, min_seconds: float) -> None:
    """Refuse a form not given out here (Forbidden), sent back faster than a person could fill
    it in, or given out more than a day ago (InvalidInput)."""
    stamp, _, signature = (token or "").partition(".")
    if (not stamp.isdigit() or len(stamp) > 12
            or not hmac.compare_digest(signature.encode(), _sign(secret, stamp).encode())):
        raise Forbidden("This form did not come from our question page (missing form token). "
                        "Open the page again and send your question from there.")
    age = now.timestamp() - int(stamp)
    if age < min_seconds:
        raise InvalidInput({"form": "The form was sent back too quickly for a person to have "
                            "filled it in. Check your question and send it again."})
    if age > MAX_FORM_AGE.total_seconds():
        raise InvalidInput({"form": "This form was opened more than a day ago. Check your "
                            "question and send it again."})


def address_digest(address: str, secret: str) -> str:
    """What is kept of the address a question came from: a keyed digest, enough to count an
    address's questions and useless to find the address again."""
    return hmac.new(_key(secret), b"address:" + (address or "").encode(),
                    hashlib.sha256).hexdigest()[:64]


# --- the meetings open to questions ------------------------------------------------------------


def open_meetings(session: Session, *, today: date | None = None) -> list[OpenMeeting]:
    """The meetings to come whose questions from the public have not closed, soonest first."""
    today = today or dates.today()
    rows = session.exec(
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(col(Meeting.status).in_([s.value for s in NOT_YET_HELD]),
               col(Meeting.starts_at) >= dates.start_of_day_utc(today))
        .order_by(col(Meeting.starts_at), col(Meeting.id)).limit(_LOOK_AHEAD)).all()
    found = []
    for meeting, series in rows:
        closes = dates.to_london(meeting.starts_at).date() - timedelta(
            days=series.public_question_days)
        if closes >= today:
            local = dates.to_london(meeting.starts_at)
            found.append(OpenMeeting(meeting=meeting, closes=closes,
                                     title=f"{series.name}, {dates.long_date(local)}"))
        if len(found) == OPEN_MEETINGS_MAX:
            break
    return found


# --- the form ----------------------------------------------------------------------------------


def _email_error(email: str) -> str | None:
    local, at, domain = email.rpartition("@")
    if (not at or not local or "." not in domain.strip(".") or domain.startswith(".")
            or any(c.isspace() or c in '<>(),;:"[]\\' for c in email)):
        return "Enter an email address in the correct format, like name@example.com"
    return None


def _checked(form: PublicSubmission, today: date, session: Session
             ) -> tuple[dict, Meeting | None]:
    errors: dict[str, str] = {}
    values: dict = {}
    for key, label, width in (("name", "your name", NAME_MAX),
                              ("email", "your email address", EMAIL_MAX)):
        try:
            values[key] = clean_line(getattr(form, key))
        except ValueError as exc:
            errors[key] = f"Your {key} {exc}" if key == "name" else f"The email address {exc}"
            continue
        if not values[key]:
            errors[key] = f"Enter {label}"
        elif len(values[key]) > width:
            errors[key] = f"{label[0].upper()}{label[1:]} must be {width} characters or fewer"
    if "email" not in errors:
        problem = _email_error(values["email"])
        if problem:
            errors["email"] = problem
    try:
        values["question"] = clean_text(form.question).strip()
    except ValueError as exc:
        errors["question"] = f"Your question {exc}"
    else:
        if not values["question"]:
            errors["question"] = "Enter your question"
        elif len(values["question"]) > QUESTION_MAX:
            errors["question"] = (f"Your question must be {QUESTION_MAX:,} characters or "
                                  f"fewer; it has {len(values['question']):,}")
    meeting = None
    typed = form.meeting_id.strip()
    if not typed:
        errors["meeting_id"] = "Choose the meeting your question is for"
    else:
        meeting = session.get(Meeting, int(typed)) if typed.isdigit() and len(typed) < 10 \
            else None
        if meeting is None or meeting.status not in NOT_YET_HELD:
            errors["meeting_id"] = "Choose one of the meetings listed"
            meeting = None
        else:
            closes = public_questions_close(session, meeting)
            if closes < today:
                errors["meeting_id"] = (f"Questions from the public for this meeting closed on "
                                        f"{dates.long_date(closes)}; choose a later meeting")
    if errors:
        raise InvalidInput(errors)
    return values, meeting


def _hold(session: Session, digest: str) -> None:
    """Make the caller's transaction the only one counting this address's questions until it
    ends: a PostgreSQL advisory lock; on SQLite the request's write lock, held from its start."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(bytes.fromhex(digest[:8]), "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:space, :key)"),
                        {"space": _RATE_LOCKS, "key": key})


def _check_rate(session: Session, digest: str, *, now: datetime, per_hour: int) -> None:
    since = now - timedelta(hours=1)
    recent = list(session.exec(
        select(Question.submitted_at)
        .where(Question.submitted_from == digest, col(Question.submitted_at) > since)
        .order_by(col(Question.submitted_at).desc()).limit(per_hour)))
    if len(recent) >= per_hour:
        oldest = recent[-1]
        assert oldest is not None  # the query takes only questions with a time
        retry = oldest + timedelta(hours=1)
        raise TooManyAttempts(
            f"We have had {per_hour} questions from your address in the last hour, as many as "
            f"we take. Please send this one after {dates.to_london(retry):%H:%M}.",
            retry_at=retry)


def submit_public_question(session: Session, *, form: PublicSubmission, address: str,
                           secret: str, limits: Limits, now: datetime | None = None
                           ) -> Question:
    """A member of the public's question for a meeting still open to questions: a draft
    awaiting the office's screening, acknowledged by email. Refused, with nothing kept, when
    the form is not ours (403), filled in by a bot (422), wrong (422, per field) or the
    address has sent its share this hour (429)."""
    now = now or utcnow()
    check_form_token(form.form_token, secret, now=now, min_seconds=limits.min_seconds)
    if form.website.strip():
        # People do not see the box, unless their browser shows pages without their style.
        raise InvalidInput({"form": "This form could not be accepted. Check your question and "
                            "send it again. If you see a box headed 'Leave this box empty', "
                            "leave it empty."})
    values, meeting = _checked(form, dates.to_london(now).date(), session)
    assert meeting is not None  # _checked refuses a form without one
    digest = address_digest(address, secret)
    _hold(session, digest)
    _check_rate(session, digest, now=now, per_hour=limits.per_hour)
    fields = {"text": values["question"], "meeting_id": meeting.id,
              "source": QuestionSource.public, "status": QuestionStatus.draft,
              "submitter_name": values["name"], "submitted_at": now}
    _check_public_question(session, fields)
    question = Question(**fields, submitter_email=values["email"], submitted_from=digest)
    session.add(question)
    session.flush()
    audit.record(session, by=PUBLIC, verb="create", object_type="question",
                 object_id=question.id, summary=question.text[:200])
    public_question_mail.queue_acknowledgement(session, question)
    session.flush()
    return question


# --- erasure -------------------------------------------------------------------------------------


ERASE_BATCH = 500


def erase_expired_submitters(session: Session, *, today: date | None = None) -> int:
    """Erase the name, email and address of each member of the public whose question was sent
    longer ago than the office keeps them (office settings, in days); the question stays. Each
    erasure is in the audit log; the emails about the question keep no address. Returns how
    many were erased."""
    today = today or dates.today()
    days = get_office(session).public_question_retention_days
    cutoff = dates.start_of_day_utc(today - timedelta(days=days))
    now = utcnow()
    erased = 0
    while True:
        batch = list(session.exec(
            select(Question)
            .where(Question.source == QuestionSource.public,
                   col(Question.submitter_erased_at).is_(None),
                   col(Question.submitted_at) < cutoff)
            .order_by(col(Question.id)).limit(ERASE_BATCH)))
        if not batch:
            return erased
        ids = [q.id for q in batch]
        for question in batch:
            question.submitter_name = ""
            question.submitter_email = ""
            question.submitted_from = ""
            question.submitter_erased_at = now
            audit.record(session, by=RETENTION, verb="erase", object_type="question",
                         object_id=question.id,
                         summary=f"The name, email and address of the member of the public who "
                                 f"sent this question were erased: the office keeps them "
                                 f"{days} days.")
        session.execute(update(Notification).where(col(Notification.question_id).in_(ids),
                                                   col(Notification.status) == "pending")
                        .values(status="superseded"))
        session.execute(update(Notification).where(col(Notification.question_id).in_(ids))
                        .values(recipient=""))
        session.flush()
        erased += len(batch)

