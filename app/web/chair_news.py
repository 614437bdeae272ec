"""The chair's emails from a request: minutes submitted for approval and closures asked for are
emailed once the request's work has committed and its answer has gone (a background task), so
a mail server that is slow or down neither delays nor fails the request. What is not sent
then is sent by the next reminders run (app/services/notifications.py chair_emails)."""

import logging

from fastapi import BackgroundTasks, Request

from app.db import open_session
from app.services.mail import base_url_from_settings, mailer_from_settings
from app.services.notifications import send_chair_news

log = logging.getLogger(__name__)


def _send_chair_news(bind) -> None:
    """Send the chair's emails now due, in a session of its own; log, never raise: what was
    not sent is sent by the next reminders run."""
    try:
        with open_session(bind, write=True) as session:
            report = send_chair_news(session, mailer=mailer_from_settings(),
                                     base_url=base_url_from_settings())
            session.commit()
        for line in report.lines() if report.total_sent or report.failed else []:
            log.info("%s", line)
    except Exception:
        log.exception("The chair's emails were not sent now; the reminders run will send them")


def tell_the_chair(request: Request, background: BackgroundTasks) -> None:
    """After the answer is sent (the request's work committed), email the chair what now waits
    for them: minutes submitted for approval, closures asked for."""
    bind = getattr(request.state, "database", None)
    if bind is not None:
        background.add_task(_send_chair_news, bind)
