"""A use case is one transaction: services add and flush, the caller commits once at the end.
When the last write of a multi-step use case fails (a full disk, a lost connection), nothing of
that use case is left in the database, and trying again does it once, in full.

Before the unit of work, `approve_at_meeting` committed on its way: a failure in its last step
left the later meeting saying "The minutes were agreed as an accurate record." while the
minutes stayed a draft, and a retry wrote the sentence twice."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from app.models import (
    EntryKind,
    Meeting,
    MeetingStatus,
    MinuteEntry,
    Role,
    Side,
)
from app.services import approval, finding_links, inspections, publication
from app.services.approval import AGREED
from app.services.inspections import FindingChange, ReviewedFinding, ReviewedReport
from app.services.mail import OutboxMailer
from app.services.notifications import send_reminders
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    submit_and_approve,
)

CHAIR = Actor(role=Role.chair, label="chair")
OFFICER = Actor(role=Role.secretariat, label="policy.officer@opcc.example")


class DiskFull(Exception):
    """What the database says when a write cannot be made."""


def snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, in an order that does not depend on how they were written."""
    with engine.connect() as connection:
        return {table.name: sorted(repr(tuple(row)) for row in
                                   connection.execute(select(table)))
                for table in SQLModel.metadata.sorted_tables}


def _is_write(statement: str) -> bool:
    return statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}


@contextmanager
def writes_counted(engine: Engine, *, fail_at: int | None = None,
                   fail_on: str | None = None) -> Iterator[list[str]]:
    """The write statements sent to the database while the block runs; with `fail_at`, the
    fail_at-th of them fails instead of being sent; with `fail_on`, the first that holds
    those words."""
    seen: list[str] = []

    def before(_connection, _cursor, statement, _parameters, _context, _many):
        if _is_write(statement):
            seen.append(statement)
            first_holding = bool(fail_on) and [s for s in seen if fail_on in s] == [statement]
            if len(seen) == fail_at or first_holding:
                raise DiskFull(f"could not write: {statement.split()[0:3]}")

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@dataclass
class Case:
    name: str
    build: Callable[[Session], dict]  # the world before the use case; ids only
    run: Callable[[Session, dict], object]  # the use case, as a caller runs it


def _approved_meeting(session: Session) -> dict:
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10),
                           status=MeetingStatus.draft)
    item = make_item(session, meeting, title="Roads policing")
    entry = make_entry(session, item, text="The PCC asked the CC about casualties.")
    submit_and_approve(session, meeting.id, CHAIR)
    return {"meeting": meeting.id, "entry": entry.id, "series": series.id}


def _build_approval_at_meeting(session: Session) -> dict:
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10),
                           status=MeetingStatus.draft)
    make_entry(session, make_item(session, meeting), text="Casualties were discussed.")
    later = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    return {"meeting": meeting.id, "later": later.id}


def _build_finding(session: Session) -> dict:
    owner = make_person(session, full_name="Amanda Blakeman", initials="AB",
                        role_title="Deputy Chief Constable", role_abbreviation="DCC",
                        side=Side.force)
    make_person(session, full_name="John Campion", initials="JC",
                role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    inspection = inspections.save_import(session, ReviewedReport(
        title="Roads policing inspection", published_on=date(2024, 3, 14),
        findings=[ReviewedFinding(kind="recommendation", number="1",
                                  text="Improve the collision investigation unit.")]),
        by=SYSTEM)
    finding = inspections.findings_of(session, inspection.id)[0]
    inspections.update_finding(session, inspection.id, finding.id,
                               FindingChange(owner_id=owner.id, due_date=date(2030, 9, 30)),
                               by=SYSTEM)
    session.commit()
    return {"finding": finding.id}


CASES = [
    Case("approval at a later meeting", _build_approval_at_meeting,
         lambda s, w: approval.approve_at_meeting(s, meeting_id=w["meeting"],
                                                  at_meeting_id=w["later"], by=OFFICER)),
    Case("publication", _approved_meeting,
         lambda s, w: publication.publish_minutes(s, meeting_id=w["meeting"], by=OFFICER)),
    Case("amendment", _approved_meeting,
         lambda s, w: approval.amend_entry(s, entry_id=w["entry"], reason="A name was wrong.",
                                           text="The PCC asked the DCC about casualties.",
                                           by=OFFICER)),
    Case("question from a finding", _build_finding,
         lambda s, w: finding_links.question_from_finding(s, w["finding"], by=OFFICER)),
    Case("action from a finding", _build_finding,
         lambda s, w: finding_links.action_from_finding(s, w["finding"], by=OFFICER)),
    Case("inspection import", lambda s: {},
         lambda s, w: inspections.save_import(s, ReviewedReport(
             title="PEEL 2023", published_on=date(2024, 3, 14),
             findings=[ReviewedFinding(kind="recommendation", number="1", text="Do better."),
                       ReviewedFinding(kind="area_for_improvement", text="Improve.")]),
             by=SYSTEM)),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_when_the_last_write_fails_nothing_of_the_use_case_is_left(engine, case):
    with Session(engine, expire_on_commit=False) as session:
        world = case.build(session)
        session.commit()
    before = snapshot(engine)

    # How many writes the use case makes; then it is undone, as a refused request's is.
    with writes_counted(engine) as writes, Session(engine) as session:
        case.run(session, world)
        session.rollback()
    assert len(writes) >= 2, f"{case.name} is one write, not a use case of several"
    assert snapshot(engine) == before, "undone, the use case leaves nothing"

    with writes_counted(engine, fail_at=len(writes)), Session(engine) as session:
        with pytest.raises(DiskFull):
            case.run(session, world)
            session.commit()
    assert snapshot(engine) == before, f"the failed {case.name} left part of itself behind"

    # Tried again, it is done once, in full.
    with writes_counted(engine) as again, Session(engine) as session:
        case.run(session, world)
        session.commit()
    assert len(again) == len(writes)
    assert snapshot(engine) != before


def test_a_retried_approval_at_a_meeting_says_agreed_once(engine):
    """The defect as it was seen: a failure in the last step, then a retry."""
    with Session(engine, expire_on_commit=False) as session:
        world = _build_approval_at_meeting(session)
        session.commit()
    with writes_counted(engine) as writes, Session(engine) as session:
        approval.approve_at_meeting(session, meeting_id=world["meeting"],
                                    at_meeting_id=world["later"], by=OFFICER)
        session.rollback()
    with writes_counted(engine, fail_at=len(writes)), Session(engine) as session:
        with pytest.raises(DiskFull):
            approval.approve_at_meeting(session, meeting_id=world["meeting"],
                                        at_meeting_id=world["later"], by=OFFICER)
    with Session(engine) as session:
        assert session.get(Meeting, world["meeting"]).status == MeetingStatus.draft
        assert session.scalars(select(MinuteEntry).where(MinuteEntry.text == AGREED)).all() == []
        approval.approve_at_meeting(session, meeting_id=world["meeting"],
                                    at_meeting_id=world["later"], by=OFFICER)
        session.commit()
        agreed = session.scalars(select(MinuteEntry).where(MinuteEntry.text == AGREED)).all()
        assert len(agreed) == 1 and agreed[0].kind == EntryKind.decision
        assert session.get(Meeting, world["meeting"]).status == MeetingStatus.approved


def test_a_reminder_whose_preparation_fails_is_neither_sent_nor_claimed(engine, tmp_path):
    """Each reminder is a unit of work of its own: its claim, the owner's link and the
    email. When writing the owner's link fails, the claim is given back and no link is left,
    no email goes, and the next run sends it. (Once the email has left, its claim stays: a
    failure to mark it sent must not send it twice.)"""
    with Session(engine, expire_on_commit=False) as session:
        dcc = make_person(session, full_name="Amanda Blakeman", initials="AB",
                          email="dcc@police.example", side=Side.force)
        make_action(session, [dcc], due_date=date(2030, 1, 31))
        session.commit()
    before = snapshot(engine)
    outbox = tmp_path / "outbox"
    mailer = OutboxMailer(outbox, sender="assure@opcc.example")

    with writes_counted(engine, fail_on="INSERT INTO owner_link"), Session(engine) as session:
        report = send_reminders(session, today=date(2019, 5, 28),
                                base_url="https://assure.example", mailer=mailer)
        session.commit()
    assert report.retry_later == 1 and report.total_sent == 0
    assert not outbox.exists() or not list(outbox.glob("*.eml"))
    assert snapshot(engine) == before, "the failed reminder left its claim or link behind"

    with Session(engine) as session:
        report = send_reminders(session, today=date(2019, 5, 28),
                                base_url="https://assure.example", mailer=mailer)
        session.commit()
    assert report.total_sent == 1 and len(list(outbox.glob("*.eml"))) == 1

