"""The public question form: a member of the public puts a question to a meeting still open
to questions, without signing in. The rules (which meetings, the time stamp, the field left
empty, the limit per address) are app.services.public_questions'; the emails are
app.services.public_question_mail's, sent here once the question is committed.
"""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from app.config import get_settings
from app.db import SessionDep
from app.services import public_question_mail
from app.services import public_questions as service
from app.services.dates import long_date, to_london
from app.services.errors import Forbidden, InvalidInput, TooManyAttempts
from app.services.mail import base_url_from_settings, mailer_from_settings
from app.services.office import get_office
from app.services.questions import public_questions_close
from app.web.deps import client_address
from app.web.forms import error_list, refusal_errors, whole_id
from app.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

# Generous bounds: the service says what is too long, in words, with what was typed kept.
FormLine = Annotated[str, Form(max_length=2000)]
FormText = Annotated[str, Form(max_length=50_000)]
# In the order of the page, which the error summary keeps: the refusal of the whole form is
# above the form, then the fields.
ANCHORS = {"form": "question", "meeting_id": "meeting_id", "name": "name", "email": "email",
           "question": "question"}


def _form_page(request: Request, session, form: service.PublicSubmission, *,
               errors: dict[str, str] | None = None, status_code: int = 200):
    given = errors or {}
    errors = {name: given[name] for name in ANCHORS if name in given} | given
    meetings = service.open_meetings(session)
    return render(request, "public_question_form.html", {
        "page_title": ("Error: " if errors else "") + "Ask a question",
        "office": get_office(session),
        "form": form,
        "form_token": service.form_token(get_settings().signing_key()),
        "meetings": [(None, [(str(m.meeting.id), m.title) for m in meetings])],
        "open_meetings": meetings,
        "errors": errors, "error_list": error_list(errors, ANCHORS),
    }, status_code=status_code)


@router.get("/public/questions/new")
def question_form(request: Request, session: SessionDep,
                  meeting: Annotated[str, Query(max_length=20)] = ""):
    return _form_page(request, session, service.PublicSubmission(meeting_id=meeting.strip()))


@router.post("/public/questions")
def send_question(request: Request, session: SessionDep, name: FormLine = "",
                  email: FormLine = "", question: FormText = "", meeting_id: FormLine = "",
                  form_token: FormLine = "", website: FormLine = ""):
    form = service.PublicSubmission(name=name, email=email, question=question,
                                    meeting_id=meeting_id, form_token=form_token,
                                    website=website)
    settings = get_settings()
    try:
        made = service.submit_public_question(
            session, form=form, address=client_address(request),
            secret=settings.signing_key(), limits=service.Limits.from_settings(settings))
    except (Forbidden, InvalidInput, TooManyAttempts) as exc:
        # A form not given out here is refused too, with what was typed kept and a fresh
        # form token: the person may send it again from this page.
        session.rollback()
        return _form_page(request, session, form, status_code=exc.status_code,
                          errors=refusal_errors(exc))
    meeting = made.meeting_id
    assert made.id is not None  # flushed by the service
    tell_the_public(session, made.id)
    return RedirectResponse(f"/public/questions/sent?meeting={meeting}", status_code=303)


def tell_the_public(session, question_id: int) -> None:
    """Send the emails about a question its change recorded (the change is committed first);
    a mail server that is down never fails the page: the reminders run sends them later."""
    try:
        public_question_mail.deliver(session, mailer=mailer_from_settings(),
                                     base_url=base_url_from_settings(), question_id=question_id)
    except Exception:
        log.exception("The emails about question %s were not sent now", question_id)
        session.rollback()


@router.get("/public/questions/sent")
def question_sent(request: Request, session: SessionDep,
                  meeting: Annotated[str, Query(max_length=20)] = ""):
    meeting_id = whole_id(meeting.strip())
    chosen = next((m for m in service.open_meetings(session) if m.meeting.id == meeting_id),
                  None)
    return render(request, "public_question_sent.html", {
        "page_title": "We have your question",
        "office": get_office(session),
        "title": chosen.title if chosen else "",
        "closes": long_date(public_questions_close(session, chosen.meeting)) if chosen else "",
        "held_on": long_date(to_london(chosen.meeting.starts_at)) if chosen else "",
    })
