"""Action emails: on assignment, before the due date, on it, and a weekly digest of overdue
actions to each owner and to the secretariat; and the chair's emails, when minutes are
submitted for approval and when an owner asks for an action to be closed (chair_emails: sent
after the request commits, send_chair_news, and by every reminders run until sent).

Each email goes once, however many processes run the reminders at the same moment: its
Notification row, whose key is unique, is inserted and committed on its own before the email is
sent, so a second run finds the key taken and leaves that email alone. A failure that may pass
(the mail server is down) gives the key back, so the next run tries again; any other failure is
recorded on the row. Owners' emails carry a link that opens their actions without an account;
its secret goes only into the email, never into the row or the log.
"""

import logging
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, delete, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import (
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    Meeting,
    MeetingStatus,
    MeetingType,
    Notification,
    OfficeSettings,
    Person,
    Role,
    User,
    utcnow,
)
from app.services import dates, owner_links
from app.services.actions import ActionView, views_of
from app.services.common import commit_apart, person_label
from app.services.errors import DomainError
from app.services.mail import Mailer, MailError, TemporaryMailError, compose
from app.services.office import get_office
from app.services.permissions import Actor

log = logging.getLogger(__name__)

KINDS = ("assigned", "due_soon", "due_today", "digest", "approval", "closure")
KIND_WORDS = {"assigned": "assigned", "due_soon": "due soon", "due_today": "due today",
              "digest": "digest", "approval": "to approve", "closure": "closure"}
STATUS_WORDS = {
    ActionStatus.open: "Open", ActionStatus.in_progress: "In progress",
    ActionStatus.pending_signoff: "Awaiting sign-off", ActionStatus.closed: "Closed",
    ActionStatus.paused: "Paused",
}
SYSTEM = Actor.system(label="reminders")
ASSIGNED_WITHIN = 7  # days: owners given an action longer ago than this are not told now
KEY_BATCH = 500  # keys looked up per query


@dataclass
class Report:
    """What one run sent, left alone and failed to send."""

    day: date
    via: str = ""
    sent: Counter = field(default_factory=Counter)  # per kind
    skipped: int = 0  # already sent, or being sent, by an earlier or a concurrent run
    raced: int = 0  # of those, taken by a concurrent run while this one was going
    failed: int = 0
    retry_later: int = 0  # of the failures, those the next run will try again
    recipients: list[tuple[str, str, str]] = field(default_factory=list)  # kind, to, subject
    errors: list[str] = field(default_factory=list)

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())

    def lines(self) -> list[str]:
        """The report in plain words, one line each, for the command line and the log."""
        kinds = ", ".join(f"{KIND_WORDS[k]} {self.sent[k]}" for k in KINDS if self.sent[k])
        lines = [f"Reminders for {dates.long_date(self.day)}: sent {self.total_sent} "
                 f"email{'' if self.total_sent == 1 else 's'}"
                 f"{f' ({kinds})' if kinds else ''}{f' to {self.via}' if self.via else ''}."]
        if self.skipped:
            lines.append(f"Skipped {self.skipped} already sent ({self.raced} of them by another "
                         "run at the same time).")
        if self.failed:
            lines.append(f"Failed {self.failed} ({self.retry_later} will be tried again on the "
                         "next run):")
            lines += [f"  {error}" for error in self.errors]
        lines += [f"  {KIND_WORDS[kind]:<10} {to}  {subject}"
                  for kind, to, subject in self.recipients]
        return lines


@dataclass
class _Email:
    """An email that is due: who gets it, what it says (but for the owner's link), its key."""

    key: str
    kind: str
    recipient: str
    subject: str
    greeting: str
    paragraphs: list[str]
    person_id: int | None = None  # an owner: the email carries their link
    action_id: int | None = None
    footer: str = ""


def _address(value: str | None) -> str:
    return (value or "").strip()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _due_in(due: date, day: date) -> str:
    days = (due - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def _owners_line(view: ActionView) -> str:
    names = [person_label(p) or p.full_name for p in view.owners]
    if len(names) > 1:
        names[0] += " (lead)"
    return ", ".join(names)


def _indent(text: str) -> str:
    return textwrap.indent(text.strip(), "    ")


def _action_block(view: ActionView, raised_at: dict[int | None, str], *, day: date,
                  owners: bool = True) -> str:
    """The action's text and particulars, as every email gives them."""
    action = view.action
    lines = [_indent(action.text), ""]
    if action.due_date is not None:
        late = (day - action.due_date).days
        overdue = f" ({_plural(late, 'day')} overdue)" if late > 0 else ""
        lines.append(f"Due: {dates.long_date(action.due_date)}{overdue}")
    else:
        lines.append("Due: no date set")
    if action.meeting_id in raised_at:
        lines.append(f"Raised at: {raised_at[action.meeting_id]}")
    if owners:
        lines.append(f"Owners: {_owners_line(view)}")
    lines.append(f"Status: {STATUS_WORDS[view.status]}")
    if view.exempt:
        lines.append("This action was raised in private (an exempt, Part 2 item): it is not "
                     "published. Please do not share it.")
    return "\n".join(lines)


def _meeting_titles(session: Session, views: list[ActionView]) -> dict[int | None, str]:
    ids = {v.action.meeting_id for v in views if v.action.meeting_id}
    if not ids:
        return {}
    query = (select(Meeting, MeetingType)
             .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
             .where(col(Meeting.id).in_(ids)))
    return {m.id: f"{t.name}, {dates.long_date(dates.to_london(m.starts_at))}"
            for m, t in session.exec(query)}


def _recently_assigned(session: Session, views: list[ActionView], day: date
                       ) -> set[tuple[int, int]]:
    """(action, person) of the owners given their action in the week up to the day (or
    after it): those who have not yet been told. Owners of long-standing actions, such as
    those there before the emails were turned on, are not told "given to you" out of the blue."""
    ids = [v.action.id for v in views]
    since = dates.start_of_day_utc(day - timedelta(days=ASSIGNED_WITHIN))
    found: set[tuple[int, int]] = set()
    for start in range(0, len(ids), KEY_BATCH):
        query = select(ActionOwner.action_id, ActionOwner.person_id).where(
            col(ActionOwner.action_id).in_(ids[start:start + KEY_BATCH]),
            col(ActionOwner.assigned_at) >= since)
        found |= {(a, p) for a, p in session.exec(query)}
    return found


def _secretariat(session: Session) -> list[tuple[User, str, str]]:
    """Active secretariat users with an address: (user, address, name)."""
    query = (select(User, Person).outerjoin(Person, col(Person.id) == User.person_id)
             .where(User.role == Role.secretariat, col(User.active).is_(True))
             .order_by(col(User.id)))
    found = []
    for user, person in session.exec(query):
        address = _address(user.email) or _address(person.email if person else None)
        if address:
            found.append((user, address, person.full_name if person else ""))
    return found


def _chairs(session: Session) -> list[tuple[User, str, str]]:
    """Active users with the chair role and an address: (user, address, name). The chair is
    whoever approves minutes and decides on closures: the users of the chair role (the
    Commissioner and the Deputy), not a meeting's chair person, who may have no account."""
    query = (select(User, Person).outerjoin(Person, col(Person.id) == User.person_id)
             .where(User.role == Role.chair, col(User.active).is_(True))
             .order_by(col(User.id)))
    found, seen = [], set()
    for user, person in session.exec(query):
        address = _address(user.email) or _address(person.email if person else None)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append((user, address, person.full_name if person else ""))
    return found


def chair_emails(session: Session, *, day: date, base_url: str) -> list[_Email]:
    """The chair's emails: one per chair for each submission of minutes for approval, and one
    for each request for closure, while it still waits (and only for those of the last week:
    not, out of the blue, for those made before the emails were turned on)."""
    chairs = _chairs(session)
    if not chairs:
        return []
    office = get_office(session)
    since = dates.start_of_day_utc(day - timedelta(days=ASSIGNED_WITHIN))
    footer = f"You receive this as the chair.\n\n{office.office_name}"
    emails: list[_Email] = []
    submitted = session.exec(
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .where(Meeting.status == MeetingStatus.draft, col(Meeting.submitted_at).is_not(None),
               col(Meeting.submitted_at) >= since)
        .order_by(col(Meeting.submitted_at), col(Meeting.id))).all()
    for meeting, meeting_type in submitted:
        assert meeting.submitted_at is not None  # the query takes only submitted minutes
        local = dates.to_london(meeting.starts_at)
        name = f"{meeting_type.name} {local.day} {local:%B %Y}"
        stamp = meeting.submitted_at.strftime("%Y%m%dT%H%M%S%f")
        for user, address, who in chairs:
            emails.append(_Email(
                key=f"approval:meeting {meeting.id}:{stamp}:user {user.id}", kind="approval",
                recipient=address, subject=f"Minutes to approve: {name}",
                greeting=f"Dear {who or 'Commissioner'},",
                paragraphs=[f"The secretariat has submitted the draft minutes of the {name} "
                            "for your approval.",
                            "Read and approve them here:\n"
                            f"{base_url}/meetings/{meeting.id}/record"],
                footer=footer))
    # Each request for closure is the update that moved the action to pending sign-off.
    asked = session.exec(
        select(ActionUpdate, Action)
        .join(Action, col(Action.id) == ActionUpdate.action_id)
        .where(Action.status == ActionStatus.pending_signoff,
               ActionUpdate.status_to == ActionStatus.pending_signoff,
               col(ActionUpdate.created_at) >= since)
        .order_by(col(ActionUpdate.created_at), col(ActionUpdate.id))).all()
    latest: dict[int | None, tuple[ActionUpdate, Action]] = {}
    for update, action in asked:
        latest[action.id] = (update, action)  # the request that still waits is the last one
    if not latest:
        return emails
    views = {v.action.id: v for v in views_of(session, [a for _, a in latest.values()])}
    raised_at = _meeting_titles(session, list(views.values()))
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(
        {u.author_person_id for u, _ in latest.values() if u.author_person_id})))}
    for update, action in latest.values():
        view = views[action.id]
        author = people.get(update.author_person_id)
        who = author.full_name if author else "The owner"
        said = [f"Their update:\n{_indent(update.text)}"] if update.text.strip() else []
        for user, address, name in chairs:
            emails.append(_Email(
                key=f"closure:action {action.id}:update {update.id}:user {user.id}",
                kind="closure", recipient=address,
                subject=f"Closure asked for: action {action.reference}",
                greeting=f"Dear {name or 'Commissioner'},",
                paragraphs=[f"{who} asked for action {action.reference} to be closed.",
                            _action_block(view, raised_at, day=day), *said,
                            f"Close it, or send it back with your reasons, here:\n"
                            f"{base_url}/actions/{action.id}"],
                action_id=action.id, footer=footer))
    return emails


def _actions_with_news(session: Session, *, day: date, office: OfficeSettings
                       ) -> list[Action]:
    """The open actions that may bring an owner an email on this day, found by the database:
    those given to someone in the last week, those due from today to the office's reminder
    days ahead and, from the digest's weekday, the overdue. Every other open action brings
    nobody an email, so a long record costs the run nothing (issue 17)."""
    since = dates.start_of_day_utc(day - timedelta(days=ASSIGNED_WITHIN))
    due = col(Action.due_date)
    news = [
        and_(due >= day, due <= day + timedelta(days=max(office.reminder_days_before, 0))),
        col(Action.id).in_(select(ActionOwner.action_id)
                           .where(col(ActionOwner.assigned_at) >= since)),
    ]
    if day.weekday() >= office.digest_weekday:
        news.append(due < day)
    query = (select(Action).where(Action.status != ActionStatus.closed, or_(*news))
             .order_by(col(Action.year), col(Action.seq)))
    return list(session.exec(query))


def due_emails(session: Session, *, day: date, base_url: str) -> list[_Email]:
    """Every email due on this day, whether or not it has been sent already."""
    office = get_office(session)
    views = views_of(session, _actions_with_news(session, day=day, office=office),
                     with_updates=False)
    raised_at = _meeting_titles(session, views)
    recently_assigned = _recently_assigned(session, views, day)
    footer = f"If this is not yours, tell the Commissioner's office.\n\n{office.office_name}"
    emails: list[_Email] = []

    def owner_email(kind: str, view: ActionView, person: Person, key: str, subject: str,
                    opening: str, closing: str) -> _Email:
        return _Email(
            key=key, kind=kind, recipient=_address(person.email), subject=subject,
            greeting=f"Dear {person.full_name},",
            paragraphs=[opening, _action_block(view, raised_at, day=day), closing],
            person_id=person.id, action_id=view.action.id, footer=footer)

    for view in views:
        action, due = view.action, view.action.due_date
        for position, person in enumerate(view.owners):
            if not person.active or not _address(person.email):
                continue
            ids = f"action {action.id}:person {person.id}"
            role = ("the lead owner" if position == 0 and len(view.owners) > 1
                    else "one of its owners" if len(view.owners) > 1 else "its owner")
            if (action.id, person.id) in recently_assigned:
                emails.append(owner_email(
                    "assigned", view, person, f"assigned:{ids}",
                    f"Action {action.reference} has been given to you",
                    f"Action {action.reference} has been given to you; you are {role}.",
                    "Please post progress updates as you go, and ask for the action to be "
                    "closed when it is done."))
            # Someone who has asked for closure has nothing more to do until the chair decides.
            if due is None or view.status == ActionStatus.pending_signoff:
                continue
            before = office.reminder_days_before
            if before > 0 and (due - day).days in range(1, before + 1):
                emails.append(owner_email(
                    "due_soon", view, person, f"due_soon:{ids}:{due.isoformat()}",
                    f"Action {action.reference} is due {_due_in(due, day)}",
                    f"Action {action.reference} is due {_due_in(due, day)}, on "
                    f"{dates.long_date(due)}.",
                    "If it is done, ask for it to be closed; if it needs more time, say so in "
                    "an update."))
            if due == day:
                emails.append(owner_email(
                    "due_today", view, person, f"due_today:{ids}:{due.isoformat()}",
                    f"Action {action.reference} is due today",
                    f"Action {action.reference} is due today, {dates.long_date(due)}.",
                    "Please post an update today: what has been done, or ask for the action "
                    "to be closed."))

    emails += chair_emails(session, day=day, base_url=base_url)
    if day.weekday() < office.digest_weekday:
        return emails
    iso = day.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    overdue = [v for v in views if v.action.due_date is not None and v.action.due_date < day]
    mine: dict[int | None, tuple[Person, list[ActionView]]] = {}
    for view in overdue:
        if view.status == ActionStatus.pending_signoff:
            continue
        for person in view.owners:
            if person.active and _address(person.email):
                mine.setdefault(person.id, (person, []))[1].append(view)
    for person, own in mine.values():
        blocks = [f"{v.action.reference}\n{_action_block(v, raised_at, day=day)}" for v in own]
        emails.append(_Email(
            key=f"digest:person {person.id}:{week}", kind="digest",
            recipient=_address(person.email),
            subject=f"You have {_plural(len(own), 'overdue action')}",
            greeting=f"Dear {person.full_name},",
            paragraphs=[f"You have {_plural(len(own), 'overdue action')} on "
                        f"{dates.long_date(day)}:", *blocks,
                        "Please post an update on each: what has been done, and when it will "
                        "be finished; or ask for it to be closed."],
            person_id=person.id, footer=footer))
    if overdue:
        blocks = [f"{v.action.reference}\n{_action_block(v, raised_at, day=day)}"
                  for v in overdue]
        for user, address, name in _secretariat(session):
            emails.append(_Email(
                key=f"digest:user {user.id}:{week}", kind="digest", recipient=address,
                subject=f"Overdue actions: {len(overdue)} on {dates.short_date(day)}",
                greeting=f"Dear {name or 'colleague'},",
                paragraphs=[f"{len(overdue)} {'action is' if len(overdue) == 1 else 'actions are'}"
                            f" overdue on {dates.long_date(day)}:",
                            *blocks,
                            f"The action log: {base_url}/actions?rag=red"],
                footer=f"You receive this weekly as a member of the secretariat.\n\n"
                       f"{office.office_name}"))
    return emails


def _body(email: _Email, link: str) -> str:
    return "\n\n".join([email.greeting, *email.paragraphs, *([link] if link else []),
                        email.footer]) + "\n"


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_BATCH):
        batch = keys[start:start + KEY_BATCH]
        found |= set(session.exec(select(Notification.key).where(col(Notification.key).in_(batch))))
    return found


def _claim(session: Session, email: _Email) -> Notification | None:
    """Take the email's key, committed on its own; None when another run has it."""
    row = Notification(key=email.key, kind=email.kind, person_id=email.person_id,
                       action_id=email.action_id, recipient=email.recipient,
                       subject=email.subject[:300], status="sending")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        commit_apart(session)  # ends the transaction; the savepoint took the failed insert away
        return None
    commit_apart(session)
    return row


def _give_back(session: Session, row_id: int) -> None:
    """Free a key whose email was not sent, so that a later run sends it."""
    session.rollback()
    session.execute(delete(Notification).where(col(Notification.id) == row_id))
    commit_apart(session)


def _link_paragraph(session: Session, person_id: int, base_url: str) -> str:
    new = owner_links.create_link(session, person_id=person_id, by=SYSTEM)
    expires = dates.to_london(new.link.expires_at)
    return (f"To see your open actions and post an update (no password needed), open:\n"
            f"{base_url}{new.path()}\n"
            f"This link works until {dates.clock_12h(expires)} on {dates.long_date(expires)}. "
            "It is for you alone: please do not forward it.")


def _fail(session: Session, row: Notification, error: str) -> None:
    """Record why an email could not be sent; its key stays taken."""
    session.rollback()
    row.status = "failed"
    row.error = error[:4000]
    commit_apart(session)


def send_reminders(session: Session, *, today: date | None = None, base_url: str,
                   mailer: Mailer) -> Report:
    """Send every action email due today (London) that no run has sent yet, each once."""
    day = today or dates.today()
    base_url = base_url.rstrip("/")
    report = Report(day=day, via=mailer.describe())
    emails = due_emails(session, day=day, base_url=base_url)
    _send_all(session, emails, report=report, mailer=mailer, base_url=base_url)
    return report


def send_chair_news(session: Session, *, mailer: Mailer, base_url: str,
                    today: date | None = None) -> Report:
    """Send the chair's emails (minutes submitted for approval, closures asked for) that no
    run has sent yet, each once: after the request that made them has committed. A mail
    server that is down gives the keys back, and the reminders run sends them later."""
    day = today or dates.today()
    base_url = base_url.rstrip("/")
    report = Report(day=day, via=mailer.describe())
    _send_all(session, chair_emails(session, day=day, base_url=base_url), report=report,
              mailer=mailer, base_url=base_url)
    return report


def _send_all(session: Session, emails: list[_Email], *, report: Report, mailer: Mailer,
              base_url: str) -> None:
    """Send each email whose key no run has taken, claiming the key first."""
    taken = _existing_keys(session, [e.key for e in emails])
    commit_apart(session)  # the office row, if it was only just made
    links: dict[int | None, str] = {}  # one new link per owner per run, made when first needed
    for email in emails:
        if email.key in taken:
            report.skipped += 1
            continue
        row = _claim(session, email)
        if row is None:
            report.skipped += 1
            report.raced += 1
            continue
        row_id = row.id
        assert row_id is not None  # saved by _claim
        try:
            if email.person_id is not None and email.person_id not in links:
                links[email.person_id] = _link_paragraph(session, email.person_id, base_url)
            message = compose(
                sender=mailer.sender, to=email.recipient, subject=email.subject,
                body=_body(email, links.get(email.person_id, "")),
                headers={"X-Assure-Notification": email.key})
            commit_apart(session)  # hold no transaction (nor SQLite's lock) while mail is sent
            mailer.send(message)
        except TemporaryMailError as exc:
            _give_back(session, row_id)
            report.retry_later += 1
            error = str(exc)
            log.warning("Not sent, to be tried again: %s to %s: %s", email.key, email.recipient,
                        error)
        except (MailError, DomainError) as exc:
            error = getattr(exc, "message", None) or str(exc)
            _fail(session, row, error)
            log.warning("Not sent: %s to %s: %s", email.key, email.recipient, error)
        except Exception as exc:
            # Not the mail server's answer: a fault here, or the database. Free the key, so
            # that the email is not lost, and carry on with the others.
            log.exception("Not sent, to be tried again: %s to %s", email.key, email.recipient)
            _give_back(session, row_id)
            report.retry_later += 1
            error = f"{type(exc).__name__}: {exc}"
        else:
            row.status = "sent"
            row.sent_at = utcnow()
            commit_apart(session)
            report.sent[email.kind] += 1
            report.recipients.append((email.kind, email.recipient, email.subject))
            log.info("Sent %s to %s", email.key, email.recipient)
            continue
        report.failed += 1
        report.errors.append(f"{KIND_WORDS[email.kind]} to {email.recipient}: {error}")
