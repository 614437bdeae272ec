"""What the minutes say: rules that hold whatever the layout."""

from datetime import date, datetime

from app.models import ActionStatus, ItemKind, MeetingStatus, Rag
from app.schemas import ActionEdit, ActionUpdateCreate
from app.services import actions
from app.services.minutes import Edition, load_record, minutes_of
from tests.factories import (
    SYSTEM,
    advance_meeting,
    make_action,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)


def minutes(session, meeting, edition=Edition.internal):
    record = load_record(session, meeting_id=meeting.id, redact=edition == Edition.public)
    return minutes_of(record, office_short_name="OPCC", office_name="Office", edition=edition)


def test_approved_minutes_show_actions_as_they_stood_on_the_day(session):
    series = make_meeting_type(session)
    owner = make_person(session, role_abbreviation="ACC")
    march = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    april = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    make_item(session, april, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    action = make_action(session, [owner], meeting_id=march.id, due_date=date(2024, 6, 30))
    advance_meeting(session, april, MeetingStatus.approved)
    actions.add_update(session, action_id=action.id, by=SYSTEM, data=ActionUpdateCreate(
        text="Paused for the restructure.", status=ActionStatus.paused))
    actions.update_action(session, action_id=action.id, by=SYSTEM,
                          data=ActionEdit(status=ActionStatus.closed))
    carried = minutes(session, april).items[0].carried_forward
    # On 9 April 2024 it was open, due in more than 14 days, with no update yet.
    assert [(a.reference, a.status, a.rag, a.latest_update) for a in carried] == [
        (action.reference, ActionStatus.open, Rag.green, None)]


def test_open_actions_show_even_without_an_outstanding_matters_item(session):
    series = make_meeting_type(session)
    owner = make_person(session, role_abbreviation="DCC")
    march = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    april = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    make_item(session, april, title="Holding to account")
    action = make_action(session, [owner], meeting_id=march.id)
    items = minutes(session, april).items
    assert items[-1].title == "Outstanding from earlier meetings"
    assert [a.reference for a in items[-1].carried_forward] == [action.reference]


def test_carried_actions_are_listed_once_under_the_first_outstanding_matters(session):
    series = make_meeting_type(session)
    march = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    april = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    for title in ("Outstanding matters", "Items brought forward"):
        make_item(session, april, title=title, kind=ItemKind.outstanding_matters)
    make_action(session, [make_person(session)], meeting_id=march.id)
    first, second = minutes(session, april).items
    assert len(first.carried_forward) == 1 and second.carried_forward == []
    assert second.text_after_title == "None were discussed."


def test_the_next_meeting_line_and_a_cancelled_next_meeting(session):
    performance = make_meeting_type(session, name="Performance", default_venue="Room 1.38")
    following = make_meeting(session, performance, starts_at=datetime(2019, 5, 28, 14, 30))
    meeting = make_meeting(session, starts_at=datetime(2019, 4, 30, 10),
                           next_meeting_id=following.id)
    make_item(session, meeting, title="Confirmation of next meeting", kind=ItemKind.next_meeting)
    assert minutes(session, meeting).items[0].text_after_title == (
        "Performance, Tuesday 28 May 2019, 2:30pm Room 1.38")
    advance_meeting(session, following, MeetingStatus.cancelled)
    assert minutes(session, meeting).items[0].text_after_title == "To be confirmed"


def test_the_public_edition_leaves_out_exempt_actions_everywhere(session):
    series = make_meeting_type(session)
    owner = make_person(session)
    march = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    april = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    private = make_item(session, march, title="Covert tactics", exempt=True,
                        exempt_reason="section 31 of the Freedom of Information Act 2000")
    open_item = make_item(session, march, title="Roads policing")
    hidden = make_action(session, [owner], meeting_id=march.id, item_id=private.id)
    flagged = make_action(session, [owner], meeting_id=march.id, item_id=open_item.id,
                          exempt=True)
    shown = make_action(session, [owner], meeting_id=march.id, item_id=open_item.id)
    make_item(session, april, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    public = minutes(session, march, Edition.public)
    assert public.items[0].exempt_notice == (
        "This item was considered in private "
        "(exempt under section 31 of the Freedom of Information Act 2000).")
    assert [a.reference for a in public.items[1].actions] == [shown.reference]
    carried = minutes(session, april, Edition.public).items[0].carried_forward
    assert [a.reference for a in carried] == [shown.reference]
    internal = minutes(session, april).items[0].carried_forward
    assert {a.reference: a.exempt for a in internal} == {
        hidden.reference: True, flagged.reference: True, shown.reference: False}


def test_the_public_edition_is_marked_releasable_whatever_the_meetings_marking(session):
    meeting = make_meeting(session, marking="OFFICIAL-SENSITIVE")
    assert minutes(session, meeting).marking == "OFFICIAL-SENSITIVE"
    assert minutes(session, meeting, Edition.public).marking == "OFFICIAL"
