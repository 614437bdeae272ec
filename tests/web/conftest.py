"""A small world of records and one user per role, for the API tests."""

from dataclasses import dataclass
from datetime import datetime

import pytest

from app.models import ItemKind, Role
from tests.factories import (
    SYSTEM,
    advance_meeting,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
)


@dataclass
class World:
    pcc: object
    cc: object
    dcc: object
    series: object
    meeting: object
    item: object
    exempt_item: object
    empty_item: object
    entry: object
    exempt_entry: object
    action: object  # owned by the DCC, whose user has the force role
    other_action: object  # owned by the CC
    exempt_action: object
    tokens: dict


@pytest.fixture
def world(session) -> World:
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10, 0),
                           chair_id=pcc.id)
    item = make_item(session, meeting, title="Roads policing")
    exempt_item = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                            exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    empty_item = make_item(session, meeting, title="AOB", kind=ItemKind.aob)
    entry = make_entry(session, item, text="The PCC asked the CC about ANPR.")
    exempt_entry = make_entry(session, item, text="A name that must not be published.",
                              exempt=True)
    action = make_action(session, [dcc], meeting_id=meeting.id, item_id=item.id,
                         text="The DCC to review the ANPR business case.")
    other_action = make_action(session, [cc], meeting_id=meeting.id, item_id=item.id)
    exempt_action = make_action(session, [dcc], meeting_id=meeting.id, item_id=exempt_item.id,
                                text="Secret follow-up.")
    tokens = {}
    for role in Role:
        person = dcc if role == Role.force else (pcc if role == Role.chair else None)
        _, tokens[role.value] = make_user(session, role, person=person)
    return World(pcc, cc, dcc, series, meeting, item, exempt_item, empty_item, entry,
                 exempt_entry, action, other_action, exempt_action, tokens)


@pytest.fixture
def qworld(world, session):
    """The world with a question that has been sent to the force."""
    from datetime import date

    from app.schemas import QuestionCreate
    from app.services.entries import delete_entry
    from app.services.papers import attach_paper
    from app.services.questions import create_question
    from tests.factories import PDF_BYTES

    world.scheduled = make_meeting_type(session, name="Police Accountability Board")
    world.scheduled.recurrence, world.scheduled.weekday = "monthly", 3
    world.scheduled.week_of_month, world.scheduled.starts_on = 1, date(2026, 1, 1)
    session.commit()
    world.paper = attach_paper(session, item_id=world.item.id, filename="report.pdf",
                               content=PDF_BYTES, by=SYSTEM)
    world.deleted_entry = make_entry(session, world.item, text="Struck out.")
    delete_entry(session, entry_id=world.deleted_entry.id, by=SYSTEM)
    # Approved minutes of an earlier meeting, which change only by amendment.
    world.approved = make_meeting(session, world.series, starts_at=datetime(2019, 3, 26, 10),
                                  status="draft")
    world.approved_entry = make_entry(session, make_item(session, world.approved),
                                      text="Agreed words.")
    advance_meeting(session, world.approved, "approved")
    world.question = create_question(session, by=SYSTEM, data=QuestionCreate(
        text="When will the force join NAS?", asked_by_id=world.pcc.id,
        addressed_to_id=world.cc.id, meeting_id=world.meeting.id, item_id=world.item.id,
        status="sent"))
    return world
