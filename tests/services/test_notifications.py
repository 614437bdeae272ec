"""Action emails: who gets which, on which day, exactly once; the owner's link; SMTP and the
outbox; the in-app scheduler."""

import logging
import re
import smtplib
import socketserver
import threading
import time
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app import db
from app.models import ActionStatus, AuditEvent, Notification, OwnerLink, Role, Side
from app.schemas import ActionEdit, ActionUpdateCreate
from app.services import actions, mail, owner_links, scheduler
from app.services.mail import MailError, OutboxMailer, TemporaryMailError
from app.services.notifications import send_reminders
from app.services.office import OfficeChanges, update_office
from tests.factories import SYSTEM, make_action, make_person, make_user

BASE = "https://assure.opcc.example"
DUE = date(2019, 5, 28)  # a Tuesday
MONDAY = date(2019, 5, 27)
LINK = re.compile(re.escape(BASE) + r"/owner/(\S+)")


@pytest.fixture
def outbox(tmp_path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def mailer(outbox) -> OutboxMailer:
    return OutboxMailer(outbox, sender="assure@opcc.example")


def run(session, mailer, day):
    return send_reminders(session, today=day, base_url=BASE, mailer=mailer)


def read_outbox(outbox: Path) -> list[EmailMessage]:
    if not outbox.exists():
        return []
    return [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in sorted(outbox.glob("*.eml"))]


def sent(outbox: Path) -> list[tuple[str, str]]:
    """(To, Subject) of every email in the outbox, in the order written."""
    return [(m["To"], m["Subject"]) for m in read_outbox(outbox)]


def kinds(outbox: Path) -> list[tuple[str, str]]:
    """(To, kind) of every email, the kind read from its notification key."""
    return [(m["To"], m["X-Assure-Notification"].split(":")[0]) for m in read_outbox(outbox)]


def owner(session, name, email):
    initials = "".join(w[0] for w in name.split())
    return make_person(session, full_name=name, initials=initials, email=email,
                       side=Side.force)


def set_office(session, **values):
    update_office(session, changes=OfficeChanges(**values), by=SYSTEM)


def test_the_assignment_email_goes_once_to_each_owner_with_an_address(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    acc = owner(session, "Rachel Jones", "acc@police.example")
    silent = owner(session, "No Address", None)
    action = make_action(session, [dcc, acc, silent], due_date=date(2030, 1, 31),
                         text="Report back on the speed camera van deployment.")

    report = run(session, mailer, DUE)

    assert sent(outbox) == [
        ("dcc@police.example", f"Action {action.reference} has been given to you"),
        ("acc@police.example", f"Action {action.reference} has been given to you"),
    ]
    assert report.sent == {"assigned": 2} and report.failed == 0
    body = read_outbox(outbox)[0].get_content()
    assert "Dear Amanda Blakeman," in body
    assert "you are the lead owner" in body
    assert "Report back on the speed camera van deployment." in body
    assert "Due: Thursday 31 January 2030" in body
    assert "If this is not yours, tell the Commissioner's office." in body

    again = run(session, mailer, DUE)
    assert len(read_outbox(outbox)) == 2
    assert again.total_sent == 0 and again.skipped == 2


def test_owners_of_long_standing_actions_are_not_told_they_were_given_them(
        session, mailer, outbox):
    from app.models import ActionOwner
    from app.services.dates import start_of_day_utc

    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    acc = owner(session, "Rachel Jones", "acc@police.example")
    cfo = owner(session, "Louise Hall", "cfo@police.example")
    action = make_action(session, [dcc, acc], due_date=date(2030, 1, 31))
    # As if given a year ago (or before the emails were turned on): nobody is told now.
    for row in session.exec(select(ActionOwner).where(ActionOwner.action_id == action.id)):
        row.assigned_at = start_of_day_utc(DUE - timedelta(days=365))
        session.add(row)
    session.commit()
    run(session, mailer, DUE)
    assert kinds(outbox) == []

    # A change of lead keeps the owners' assignment; a new owner is told, once.
    actions.update_action(session, action_id=action.id, by=SYSTEM,
                          data=ActionEdit(owner_ids=[acc.id, dcc.id, cfo.id]))
    run(session, mailer, DUE)
    run(session, mailer, DUE)
    assert kinds(outbox) == [("cfo@police.example", "assigned")]
    # Handed on: the colleague is told.
    actions.delegate_action(session, action_id=action.id, from_person_id=dcc.id,
                            to_person_id=owner(session, "Sam Cole", "sc@police.example").id,
                            by=SYSTEM)
    run(session, mailer, DUE)
    assert kinds(outbox)[1:] == [("sc@police.example", "assigned")]


def test_the_due_soon_reminder_goes_once_and_again_when_the_date_moves(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    action = make_action(session, [dcc], due_date=DUE)
    ref = action.reference

    run(session, mailer, DUE - timedelta(days=8))
    assert kinds(outbox) == [("dcc@police.example", "assigned")]
    run(session, mailer, DUE - timedelta(days=7))
    run(session, mailer, DUE - timedelta(days=7))
    run(session, mailer, DUE - timedelta(days=6))
    assert sent(outbox)[1:] == [("dcc@police.example", f"Action {ref} is due in 7 days")]
    body = read_outbox(outbox)[1].get_content()
    assert f"Action {ref} is due in 7 days, on Tuesday 28 May 2019." in body

    # A new due date brings a new reminder, a week before it.
    actions.update_action(session, action_id=action.id, by=SYSTEM,
                          data=ActionEdit(due_date=date(2019, 6, 11)))
    run(session, mailer, date(2019, 6, 3))
    assert len(read_outbox(outbox)) == 2
    run(session, mailer, date(2019, 6, 4))
    assert sent(outbox)[2:] == [("dcc@police.example", f"Action {ref} is due in 7 days")]
    assert "on Tuesday 11 June 2019" in read_outbox(outbox)[2].get_content()


def test_a_missed_day_still_brings_the_reminder_once_before_the_due_date(
        session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    action = make_action(session, [dcc], due_date=DUE)
    set_office(session, reminder_days_before=10)

    run(session, mailer, DUE - timedelta(days=4))  # the runs of the six days before were missed
    run(session, mailer, DUE - timedelta(days=3))
    run(session, mailer, DUE - timedelta(days=1))
    assert sent(outbox) == [
        ("dcc@police.example", f"Action {action.reference} has been given to you"),
        ("dcc@police.example", f"Action {action.reference} is due in 4 days"),
    ]


def test_due_today_goes_once_on_the_day_and_not_after(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    action = make_action(session, [dcc], due_date=DUE)
    set_office(session, digest_weekday=6)  # Sundays: no digest in this test

    run(session, mailer, DUE)
    run(session, mailer, DUE)
    assert kinds(outbox) == [("dcc@police.example", "assigned"),
                             ("dcc@police.example", "due_today")]
    assert sent(outbox)[1][1] == f"Action {action.reference} is due today"
    assert "is due today, Tuesday 28 May 2019." in read_outbox(outbox)[1].get_content()
    # The day after, it is overdue: the weekly digest speaks of it, not another reminder.
    run(session, mailer, DUE + timedelta(days=1))
    assert len(read_outbox(outbox)) == 2


def test_a_late_first_run_does_not_send_a_due_today_reminder_afterwards(
        session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_action(session, [dcc], due_date=DUE)
    set_office(session, digest_weekday=6)
    run(session, mailer, DUE + timedelta(days=2))
    assert kinds(outbox) == [("dcc@police.example", "assigned")]


def test_closed_actions_get_nothing(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_user(session, Role.secretariat, email="secretariat@opcc.example")
    action = make_action(session, [dcc], due_date=DUE)
    actions.update_action(session, action_id=action.id, by=SYSTEM,
                          data=ActionEdit(status=ActionStatus.closed))
    for day in (DUE - timedelta(days=7), DUE, DUE + timedelta(days=6)):
        report = run(session, mailer, day)
        assert report.total_sent == 0
    assert read_outbox(outbox) == []


def test_the_weekly_digest_goes_once_a_week_to_owners_with_overdue_actions_and_the_secretariat(
        session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    acc = owner(session, "Rachel Jones", "acc@police.example")
    on_time = owner(session, "Kevin Purcell", "hq@police.example")
    late = make_action(session, [dcc, acc], due_date=date(2019, 5, 1), text="Late one.")
    private = make_action(session, [dcc], due_date=date(2019, 5, 20), exempt=True,
                          text="The covert operation's review.")
    make_action(session, [on_time], due_date=date(2019, 7, 1), text="Not yet due.")
    secretariat, _ = make_user(session, Role.secretariat, email="policy@opcc.example")
    gone, _ = make_user(session, Role.secretariat, email="left@opcc.example")
    gone.active = False
    make_user(session, Role.force, email="force.user@police.example")
    session.commit()
    run(session, mailer, date(2019, 5, 20))  # the week before: assignments (and its digests)
    first = len(read_outbox(outbox))

    run(session, mailer, MONDAY)
    run(session, mailer, MONDAY + timedelta(days=1))
    run(session, mailer, MONDAY + timedelta(days=6))
    digests = read_outbox(outbox)[first:]
    assert [(m["To"], m["Subject"]) for m in digests] == [
        ("dcc@police.example", "You have 2 overdue actions"),
        ("acc@police.example", "You have 1 overdue action"),
        ("policy@opcc.example", "Overdue actions: 2 on 27 May 2019"),
    ]
    to_dcc, to_acc, to_secretariat = (m.get_content() for m in digests)
    assert late.reference in to_dcc and private.reference in to_dcc
    assert "The covert operation's review." in to_dcc  # the owner needs their exempt action
    assert "not published" in to_dcc
    assert late.reference in to_acc and private.reference not in to_acc
    assert "Due: Wednesday 1 May 2019 (26 days overdue)" in to_acc
    assert private.reference in to_secretariat and late.reference in to_secretariat
    assert "Owners: AB (lead), RJ" in to_secretariat
    assert f"{BASE}/actions?rag=red" in to_secretariat
    assert "/owner/" not in to_secretariat
    keys = set(session.exec(select(Notification.key).where(Notification.kind == "digest")))
    assert f"digest:person {dcc.id}:2019-W22" in keys
    assert f"digest:user {secretariat.id}:2019-W22" in keys

    run(session, mailer, MONDAY + timedelta(days=7))  # a new week, a new digest
    assert [m["To"] for m in read_outbox(outbox)[first + 3:]] == [
        "dcc@police.example", "acc@police.example", "policy@opcc.example"]


def test_the_digest_waits_for_the_office_s_weekday(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_action(session, [dcc], due_date=date(2019, 5, 1))
    set_office(session, digest_weekday=2)  # Wednesdays
    run(session, mailer, MONDAY)
    run(session, mailer, MONDAY + timedelta(days=1))
    assert kinds(outbox) == [("dcc@police.example", "assigned")]
    run(session, mailer, MONDAY + timedelta(days=3))  # Thursday: Wednesday's run was missed
    run(session, mailer, MONDAY + timedelta(days=4))
    assert kinds(outbox)[1:] == [("dcc@police.example", "digest")]


def test_owners_who_asked_for_closure_are_not_chased(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_user(session, Role.secretariat, email="policy@opcc.example")
    action = make_action(session, [dcc], due_date=date(2019, 5, 1))
    actions.add_update(session, action_id=action.id, by=SYSTEM, data=ActionUpdateCreate(
        text="Done; please close.", status=ActionStatus.pending_signoff))
    run(session, mailer, MONDAY)
    # The secretariat still hears of it: it is for them to close it.
    assert kinds(outbox) == [("dcc@police.example", "assigned"),
                             ("policy@opcc.example", "digest")]
    assert "Awaiting sign-off" in read_outbox(outbox)[1].get_content()


def test_a_second_run_on_the_same_day_sends_nothing(session, mailer, outbox):
    people = [owner(session, f"Owner {n}", f"owner{n}@police.example") for n in range(3)]
    make_user(session, Role.secretariat, email="policy@opcc.example")
    for n in range(6):
        make_action(session, people[n % 3:] or people, due_date=DUE + timedelta(days=n - 2))
    set_office(session, reminder_days_before=3)

    first = run(session, mailer, DUE)
    files = sorted(outbox.glob("*.eml"))
    # Assigned: 3+2+1+3+2+1 owners; due today: 1; due soon (within 3 days): 3+2+1; digests:
    # the three owners of the two overdue actions and the secretariat.
    assert first.sent == {"assigned": 12, "due_today": 1, "due_soon": 6, "digest": 4}
    assert len(files) == first.total_sent == 23
    second = run(session, mailer, DUE)
    assert sorted(outbox.glob("*.eml")) == files
    assert second.total_sent == 0 and second.skipped == 23 and second.raced == 0
    rows = session.exec(select(Notification)).all()
    assert len(rows) == 23 and {r.status for r in rows} == {"sent"}
    assert all(r.sent_at is not None for r in rows)


def test_the_email_holds_a_working_owner_link_and_no_row_or_log_holds_its_secret(
        session, mailer, outbox, caplog):
    caplog.set_level(logging.DEBUG)
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    acc = owner(session, "Rachel Jones", "acc@police.example")
    make_action(session, [dcc, acc], due_date=DUE)
    make_action(session, [dcc], due_date=DUE)

    run(session, mailer, DUE)

    messages = read_outbox(outbox)
    to_dcc = [m for m in messages if m["To"] == "dcc@police.example"]
    assert len(to_dcc) == 4  # two assignments, two due today
    tokens = {LINK.search(m.get_content()).group(1) for m in to_dcc}
    assert len(tokens) == 1  # one link per owner per run, in all of their emails
    token = tokens.pop()
    assert "This link works until" in to_dcc[0].get_content()
    link, actor = owner_links.open_link(session, token)
    assert link.person_id == dcc.id and actor.person_id == dcc.id
    assert len(owner_links.links_of(session, dcc.id)) == 1
    assert len(session.exec(select(OwnerLink)).all()) == 2  # one for each owner

    every_token = {LINK.search(m.get_content()).group(1) for m in messages}
    stored = [" ".join(map(str, (r.key, r.kind, r.recipient, r.subject, r.error)))
              for r in session.exec(select(Notification))]
    stored += [f"{e.actor} {e.summary}" for e in session.exec(select(AuditEvent))]
    for secret in every_token:
        assert not any(secret in text for text in stored)
        assert secret not in caplog.text
        assert all(secret not in m["Subject"] for m in messages)


def test_owners_without_an_address_or_no_longer_active_are_left_out(session, mailer, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    retired = owner(session, "Retired Officer", "retired@police.example")
    retired.active = False
    session.commit()
    make_action(session, [dcc, retired], due_date=DUE)
    run(session, mailer, DUE)
    assert {to for to, _ in kinds(outbox)} == {"dcc@police.example"}


def test_a_failure_that_may_pass_is_tried_again_and_one_that_will_not_is_recorded(
        session, outbox):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    acc = owner(session, "Rachel Jones", "bounces@police.example")
    make_action(session, [dcc, acc], due_date=date(2030, 1, 31))

    class Flaky(OutboxMailer):
        def __init__(self, folder, fail):
            super().__init__(folder)
            self.fail = fail

        def send(self, message):
            if message["To"] in self.fail:
                raise self.fail[message["To"]]
            super().send(message)

    down = Flaky(outbox, {"dcc@police.example": TemporaryMailError("server busy"),
                          "bounces@police.example": MailError("550 no such user")})
    report = run(session, down, DUE)
    assert report.total_sent == 0 and report.failed == 2 and report.retry_later == 1
    rows = session.exec(select(Notification)).all()
    assert [(r.recipient, r.status, r.error) for r in rows] == [
        ("bounces@police.example", "failed", "550 no such user")]

    report = run(session, OutboxMailer(outbox), DUE)
    assert report.sent == {"assigned": 1} and report.skipped == 1
    assert [to for to, _ in sent(outbox)] == ["dcc@police.example"]


# --- SMTP ---------------------------------------------------------------------------------


class SmtpSink(socketserver.ThreadingTCPServer):
    """Enough of an SMTP server for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        super().__init__(("127.0.0.1", 0), SmtpHandler)


class SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        sender, recipients = "", []
        self.reply("220 sink.example ESMTP")
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250-sink.example")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 sink.example")
            elif verb == "MAIL":
                sender, recipients = line.decode().split()[1][5:].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.decode().split()[1][3:].strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.received.append((sender, recipients, data))
                self.reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.fixture
def smtp_sink():
    server = SmtpSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_mode_delivers_the_message_to_the_server(session, smtp_sink, tmp_path):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    action = make_action(session, [dcc], due_date=DUE, text="Publish the roads policing plan.")
    port = smtp_sink.server_address[1]
    smtp = mail.make_mailer(smtp_url=f"smtp://127.0.0.1:{port}", sender="assure@opcc.example",
                            outbox_dir=tmp_path / "outbox", timeout=5)
    set_office(session, digest_weekday=6)

    report = run(session, smtp, DUE)

    assert report.sent == {"assigned": 1, "due_today": 1}, report.lines()
    assert not (tmp_path / "outbox").exists()
    assert [(s, r) for s, r, _ in smtp_sink.received] == [
        ("assure@opcc.example", ["dcc@police.example"])] * 2
    message = BytesParser(policy=policy.default).parsebytes(smtp_sink.received[1][2])
    assert message["Subject"] == f"Action {action.reference} is due today"
    assert message["From"] == "assure@opcc.example"
    assert "Publish the roads policing plan." in message.get_content()
    token = LINK.search(message.get_content()).group(1)
    assert owner_links.open_link(session, token)[0].person_id == dcc.id


def test_an_unreachable_smtp_server_leaves_the_reminder_for_the_next_run(session, tmp_path):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_action(session, [dcc], due_date=date(2030, 1, 31))
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as closed:
        port = closed.server_address[1]  # nothing listens there once it is closed
    smtp = mail.make_mailer(smtp_url=f"smtp://127.0.0.1:{port}", timeout=2)
    report = run(session, smtp, DUE)
    assert report.failed == 1 and report.retry_later == 1
    assert session.exec(select(Notification)).all() == []


class FakeSMTP:
    """Stands in for smtplib.SMTP and SMTP_SSL, recording what the mailer asks of it."""

    made: list["FakeSMTP"] = []

    def __init__(self, host, port, timeout=None, context=None, starttls=True):
        self.host, self.port, self.timeout = host, port, timeout
        self.ssl = context is not None
        self.offers_starttls = starttls
        self.calls: list = []
        self.messages: list[EmailMessage] = []
        FakeSMTP.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.calls.append("quit")

    def ehlo(self):
        self.calls.append("ehlo")

    def has_extn(self, name):
        return name == "starttls" and self.offers_starttls

    def starttls(self, context=None):
        self.calls.append("starttls")

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.calls.append("send")
        self.messages.append(message)


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://reminders%40opcc.example:p%40ss%3Aword@mail.example:587",
     ("mail.example", 587, False,
      ["ehlo", "starttls", "ehlo", ("login", "reminders@opcc.example", "p@ss:word"), "send",
       "quit"])),
    ("smtps://user:secret@mail.example:465",
     ("mail.example", 465, True, ["ehlo", ("login", "user", "secret"), "send", "quit"])),
    ("smtps://mail.example", ("mail.example", 465, True, ["ehlo", "send", "quit"])),
    ("smtp://relay.example", ("relay.example", 25, False,
                              ["ehlo", "starttls", "ehlo", "send", "quit"])),
])
def test_the_smtp_url_says_how_to_connect(monkeypatch, url, expected):
    FakeSMTP.made = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(smtplib, "SMTP_SSL", FakeSMTP)
    mailer = mail.make_mailer(smtp_url=url, sender="assure@opcc.example", timeout=7)
    message = mail.compose(sender=mailer.sender, to="dcc@police.example", subject="Hello",
                           body="Action A/2019/014 is due in 7 days.")
    mailer.send(message)
    [client] = FakeSMTP.made
    host, port, tls, calls = expected
    assert (client.host, client.port, client.ssl, client.timeout) == (host, port, tls, 7)
    assert client.calls == calls
    assert client.messages == [message]
    assert "secret" not in mailer.describe() and "word" not in mailer.describe()


def test_a_password_is_not_sent_to_a_server_without_starttls(monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", lambda *a, **kw: FakeSMTP(*a, **kw, starttls=False))
    mailer = mail.make_mailer(smtp_url="smtp://user:secret@mail.example:587")
    message = mail.compose(sender="a@b.example", to="c@d.example", subject="x", body="y")
    with pytest.raises(MailError, match="STARTTLS"):
        mailer.send(message)
    assert not any(isinstance(c, tuple) for c in FakeSMTP.made[-1].calls)


def test_a_bad_smtp_url_is_explained():
    with pytest.raises(ValueError, match="smtp://"):
        mail.make_mailer(smtp_url="mail.example:25")


def test_the_outbox_files_are_whole_messages_with_sortable_unique_names(tmp_path):
    mailer = OutboxMailer(tmp_path / "out", sender="assure@opcc.example")
    for n in range(5):
        mailer.send(mail.compose(sender=mailer.sender, to="x@y.example", subject=f"n{n}",
                                 body="Due on Tuesday 28 May 2019 – café"))
    files = sorted((tmp_path / "out").iterdir())
    assert [f.suffix for f in files] == [".eml"] * 5
    assert [m["Subject"] for m in read_outbox(tmp_path / "out")] == [f"n{n}" for n in range(5)]
    assert "café" in read_outbox(tmp_path / "out")[0].get_content()


# --- the in-app scheduler -----------------------------------------------------------------


def _scheduler_settings(engine, outbox, **kw):
    values = dict(database_url=engine.url.render_as_string(hide_password=False),
                  smtp_url="", outbox_dir=outbox, mail_from="assure@opcc.example",
                  smtp_timeout_seconds=5, base_url=BASE, scheduler_enabled=True,
                  scheduler_minutes=0.01)
    values.update(kw)
    return SimpleNamespace(**values)


@pytest.fixture
def stop_scheduler(separate_connections, engine):
    yield
    scheduler.stop_scheduler()
    url = engine.url.render_as_string(hide_password=False)
    made = db._engines.pop(url, None)
    if made is not None:
        made.dispose()


def _wait_for(condition, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_the_scheduler_sends_in_the_background_once(session, engine, outbox, stop_scheduler):
    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_action(session, [dcc], due_date=date(2030, 1, 31))

    thread = scheduler.start_scheduler(_scheduler_settings(engine, outbox), first_delay=0)
    assert thread is not None and thread.daemon
    assert scheduler.start_scheduler(_scheduler_settings(engine, outbox)) is thread
    assert _wait_for(lambda: len(read_outbox(outbox)) == 1)
    time.sleep(1.5)  # a few more rounds: nothing more to send
    scheduler.stop_scheduler()
    assert not thread.is_alive()
    assert kinds(outbox) == [("dcc@police.example", "assigned")]


def test_the_scheduler_is_off_unless_asked_and_survives_failures(
        session, engine, outbox, caplog, stop_scheduler):
    assert scheduler.start_scheduler(
        _scheduler_settings(engine, outbox, scheduler_enabled=False)) is None
    broken = _scheduler_settings(engine, outbox, smtp_url="ftp://mail.example")
    thread = scheduler.start_scheduler(broken, first_delay=0)
    assert _wait_for(lambda: caplog.text.count("The reminders round failed") >= 2)
    assert thread.is_alive()


def test_the_settings_read_the_mail_and_scheduler_variables(monkeypatch, tmp_path):
    from app.config import Settings

    monkeypatch.setenv("ASSURE_SMTP_URL", "smtps://assure:pw@mail.opcc.example:465")
    monkeypatch.setenv("ASSURE_MAIL_FROM", "assure@opcc.example")
    monkeypatch.setenv("ASSURE_BASE_URL", "https://assure.opcc.example/")
    monkeypatch.setenv("ASSURE_SCHEDULER", "1")
    monkeypatch.setenv("ASSURE_SCHEDULER_MINUTES", "5")
    settings = Settings(_env_file=None)
    assert settings.scheduler_enabled and settings.scheduler_minutes == 5
    mailer = mail.mailer_from_settings(settings)
    assert mailer.describe() == "the mail server smtps://assure@mail.opcc.example:465"
    assert mailer.sender == "assure@opcc.example"
    assert mail.base_url_from_settings(settings) == "https://assure.opcc.example"

    monkeypatch.delenv("ASSURE_SMTP_URL")
    monkeypatch.setenv("ASSURE_OUTBOX_DIR", str(tmp_path / "mail"))
    monkeypatch.setenv("ASSURE_SCHEDULER", "0")
    settings = Settings(_env_file=None)
    assert not settings.scheduler_enabled
    assert mail.mailer_from_settings(settings).describe() == \
        f"the outbox folder {tmp_path / 'mail'}"


def test_the_app_starts_the_scheduler_when_asked_and_stops_it_at_shutdown(
        session, engine, outbox, monkeypatch, stop_scheduler):
    from fastapi.testclient import TestClient

    from app.main import create_app

    dcc = owner(session, "Amanda Blakeman", "dcc@police.example")
    make_action(session, [dcc], due_date=date(2030, 1, 31))
    settings = _scheduler_settings(engine, outbox)
    monkeypatch.setattr(scheduler, "get_settings", lambda: settings)
    monkeypatch.setattr(scheduler, "FIRST_ROUND_WITHIN", 0.05)
    with TestClient(create_app()):
        assert _wait_for(lambda: len(read_outbox(outbox)) == 1)
        thread = scheduler._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()
    assert kinds(outbox) == [("dcc@police.example", "assigned")]
