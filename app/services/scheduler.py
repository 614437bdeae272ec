"""The in-app scheduler: a background thread that sends the action emails every few minutes,
and the calendar invitations still waiting for the mail server (app/services/invites.py).

Off unless ASSURE_SCHEDULER=1. Every app process may run one: the reminders' unique keys in the
database make each email go once however many processes (or `assure reminders send` from cron)
run at the same moment. Nothing it does can stop the app: every failure is logged and the next
round runs as planned.
"""

import logging
import random
import threading

from app.config import get_settings
from app.db import get_engine, open_session
from app.services import invites, public_question_mail
from app.services.mail import base_url_from_settings, mailer_from_settings
from app.services.notifications import send_reminders

log = logging.getLogger(__name__)

FIRST_ROUND_WITHIN = 60  # seconds: processes started together do not all begin at once

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop: threading.Event | None = None


def _settings_of(settings):
    return settings if settings is not None else get_settings()


def run_once(settings=None) -> None:
    """One round: send what is due, in a session of its own; log, never raise."""
    try:
        settings = _settings_of(settings)
        mailer = mailer_from_settings(settings)
        with open_session(get_engine(settings.database_url), write=True) as session:
            report = send_reminders(session, base_url=base_url_from_settings(settings),
                                    mailer=mailer)
            session.commit()  # the job's unit of work (each email also commits its own claim)
        if report.total_sent or report.failed:
            for line in report.lines():
                log.info("%s", line)
    except Exception:
        log.exception("The reminders round failed; the next round will try again")
    _send_invitations(settings)


def _send_invitations(settings=None) -> None:
    """Send the calendar invitations waiting for the mail server; log, never raise."""
    try:
        settings = _settings_of(settings)
        with open_session(get_engine(settings.database_url), write=True) as session:
            sent = invites.deliver(session, mailer=mailer_from_settings(settings),
                                   base_url=base_url_from_settings(settings),
                                   stop_at_first_wait=False)
        if sent.sent or sent.failed or sent.waiting:
            log.info("Calendar invitations: sent %s, failed %s, waiting %s", sent.sent,
                     sent.failed, sent.waiting)
        with open_session(get_engine(settings.database_url), write=True) as session:
            told = public_question_mail.deliver(session, mailer=mailer_from_settings(settings),
                                                base_url=base_url_from_settings(settings),
                                                stop_at_first_wait=False)
        if told.sent or told.failed or told.waiting:
            log.info("Emails to the public: sent %s, failed %s, waiting %s", told.sent,
                     told.failed, told.waiting)
    except Exception:
        log.exception("Sending calendar invitations failed; the next round will try again")


def _loop(stop: threading.Event, settings, minutes: float, first_delay: float) -> None:
    delay = first_delay
    while not stop.wait(delay):
        run_once(settings)
        delay = minutes * 60


def start_scheduler(settings=None, *, first_delay: float | None = None
                    ) -> threading.Thread | None:
    """Start the background thread when the settings ask for it (once per process)."""
    global _thread, _stop
    settings = _settings_of(settings)
    if not settings.scheduler_enabled:
        return None
    minutes = settings.scheduler_minutes
    with _lock:
        if _thread is not None and _thread.is_alive():
            return _thread
        if first_delay is None:
            first_delay = random.uniform(1, min(FIRST_ROUND_WITHIN, minutes * 60))
        _stop = threading.Event()
        _thread = threading.Thread(target=_loop, args=(_stop, settings, minutes, first_delay),
                                   name="assure-reminders", daemon=True)
        _thread.start()
    log.info("The reminders scheduler runs every %g minutes", minutes)
    return _thread


def stop_scheduler(timeout: float = 30) -> None:
    """Ask the thread to stop, and wait for a round in progress to finish."""
    global _thread, _stop
    with _lock:
        thread, stop = _thread, _stop
        _thread = _stop = None
    if stop is not None:
        stop.set()
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout)
