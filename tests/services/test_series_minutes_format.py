"""An office chooses how each series writes its minutes; bad choices change nothing."""

from datetime import datetime

import pytest
from sqlmodel import select

from app.models import AuditEvent, MeetingStatus, Role
from app.services import meetings
from app.services.errors import Forbidden, InvalidInput
from app.services.minutes import running_start_of
from app.services.minutes_format import (
    Naming,
    Numbering,
    Preset,
    load,
)
from app.services.permissions import Actor
from tests.factories import make_item, make_meeting, make_meeting_type

SECRETARIAT = Actor(role=Role.secretariat, label="policy officer")


def test_a_series_keeps_its_preset_and_only_the_options_that_differ(session):
    series = make_meeting_type(session, name="Police and Crime Panel")
    meetings.set_minutes_format(session, series_id=series.id, by=SECRETARIAT,
                                options={"preset": "panel", "naming": "full_name",
                                         "numbering": "running"})
    session.commit()
    fmt = load(series.minutes_format)
    assert fmt.preset == Preset.panel and fmt.naming == Naming.full_name
    assert fmt.numbering == Numbering.running  # the panel's own value: not stored again
    assert '"numbering"' not in series.minutes_format
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "meeting_type",
                                                  AuditEvent.object_id == series.id)
                         .order_by(AuditEvent.id.desc())).first()
    assert event.verb == "update" and "minutes format" in event.summary
    assert "full_name" in event.summary and event.actor == "policy officer"


def test_the_reference_notes_are_stored_as_nothing(session):
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meetings.set_minutes_format(session, series_id=series.id, by=SECRETARIAT,
                                options={"preset": "board"})
    meetings.set_minutes_format(session, series_id=series.id, by=SECRETARIAT,
                                options={"preset": "notes"})
    assert series.minutes_format == ""


@pytest.mark.parametrize("options, field", [
    ({"preset": "council"}, "preset"),
    ({"preset": "board", "colour": "blue"}, "colour"),
    ({"naming": "nickname"}, "naming"),
    ({"show_end_time": "yes"}, "show_end_time"),
    ({"first_minute_number": 0}, "first_minute_number"),
    ({"heading": "Minutes of {meeting}"}, "heading"),
    ({"heading": "{series:>99999999999}"}, "heading"),  # it would fill the memory on export
    ({"minute_taker": "{name!r}"}, "minute_taker"),
    ({"preset": "board", "actions": ["column"]}, "actions"),
])
def test_bad_options_are_refused_by_name_and_nothing_changes(session, options, field):
    series = make_meeting_type(session, name="Accountability Board")
    meetings.set_minutes_format(session, series_id=series.id, by=SECRETARIAT,
                                options={"preset": "board", "naming": "role"})
    session.commit()
    before = series.minutes_format
    events = len(session.exec(select(AuditEvent)).all())
    with pytest.raises(InvalidInput) as refused:
        meetings.set_minutes_format(session, series_id=series.id, by=SECRETARIAT,
                                    options=options)
    assert field in refused.value.errors
    session.rollback()
    session.refresh(series)
    assert series.minutes_format == before
    assert len(session.exec(select(AuditEvent)).all()) == events


@pytest.mark.parametrize("role", [Role.chair, Role.force, Role.viewer])
def test_only_the_secretariat_and_administrators_choose_the_format(session, role):
    series = make_meeting_type(session, name="Accountability Board")
    with pytest.raises(Forbidden):
        meetings.set_minutes_format(session, series_id=series.id, by=Actor(role=role),
                                    options={"preset": "board"})


def test_running_numbers_go_on_from_the_earlier_meetings_not_cancelled(session):
    series = make_meeting_type(session, name="Police and Crime Panel")
    first = make_meeting(session, series, starts_at=datetime(2024, 1, 10, 14, 0))
    cancelled = make_meeting(session, series, starts_at=datetime(2024, 2, 10, 14, 0),
                             status=MeetingStatus.cancelled)
    third = make_meeting(session, series, starts_at=datetime(2024, 3, 10, 14, 0))
    other = make_meeting(session, make_meeting_type(session, name="Board"),
                         starts_at=datetime(2024, 1, 5, 14, 0))
    for meeting, count in ((first, 3), (cancelled, 5), (other, 7)):
        for n in range(count):
            make_item(session, meeting, title=f"Item {n}")
    fmt = load('{"preset": "panel", "first_minute_number": 598}')
    assert running_start_of(session, first, fmt) == 598
    assert running_start_of(session, third, fmt) == 601
