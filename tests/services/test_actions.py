"""RAG, references, status rules and what carries forward to later meetings."""

from datetime import date, datetime, timedelta

import pytest

from app.models import Action, ActionStatus, MeetingStatus, Rag, Role, Side
from app.schemas import ActionEdit, ActionUpdateCreate
from app.services import actions
from app.services.errors import Conflict, Forbidden, InvalidInput
from app.services.office import OfficeChanges, check_reference_format, update_office
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    advance_meeting,
    make_action,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)

TODAY = date(2024, 6, 10)


@pytest.mark.parametrize(
    ("due", "status", "expected"),
    [
        (TODAY - timedelta(days=1), ActionStatus.open, Rag.red),
        (TODAY - timedelta(days=1), ActionStatus.paused, Rag.red),
        (TODAY, ActionStatus.open, Rag.amber),
        (TODAY + timedelta(days=14), ActionStatus.in_progress, Rag.amber),
        (TODAY + timedelta(days=15), ActionStatus.open, Rag.green),
        (TODAY + timedelta(days=60), ActionStatus.paused, Rag.amber),
        (None, ActionStatus.open, Rag.amber),
        (TODAY + timedelta(days=60), ActionStatus.pending_signoff, Rag.green),
        (TODAY - timedelta(days=10), ActionStatus.closed, None),
    ],
)
def test_rag_is_derived(due, status, expected):
    action = Action(reference="A/1", year=2024, seq=1, text="x", due_date=due, status=status)
    assert actions.rag_of(action, on=TODAY) == expected


def test_references_count_within_the_meeting_year_in_the_office_format(session):
    owner = make_person(session)
    m2019 = make_meeting(session, starts_at=datetime(2019, 4, 30, 10))
    m2020 = make_meeting(session, starts_at=datetime(2020, 1, 14, 10))
    first = make_action(session, [owner], meeting_id=m2019.id)
    second = make_action(session, [owner], meeting_id=m2019.id)
    other_year = make_action(session, [owner], meeting_id=m2020.id)
    assert [first.reference, second.reference, other_year.reference] == [
        "A/2019/001", "A/2019/002", "A/2020/001"]
    update_office(session, changes=OfficeChanges(action_reference_format="ACT-{year}-{seq}"),
                  by=SYSTEM)
    assert make_action(session, [owner], meeting_id=m2019.id).reference == "ACT-2019-3"


def test_a_reference_format_must_make_unique_references():
    with pytest.raises(InvalidInput):
        check_reference_format("A/{year}")
    with pytest.raises(InvalidInput):
        check_reference_format("A/{year}/{nope}")
    assert check_reference_format("A/{year}/{seq:03d}")


def test_owners_are_ordered_lead_first_and_must_exist(session):
    lead, second = make_person(session), make_person(session)
    action = make_action(session, [lead, second])
    assert actions.get_action(session, action_id=action.id, by=SYSTEM).owner_ids == [
        lead.id, second.id]
    with pytest.raises(InvalidInput):
        make_action(session, [lead, lead])


def test_an_owner_asks_for_closure_and_only_the_chair_or_secretariat_closes(session):
    owner_person = make_person(session)
    action = make_action(session, [owner_person])
    owner = Actor(role=Role.force, person_id=owner_person.id, user_id=None, label="owner")
    stranger = Actor(role=Role.force, person_id=make_person(session).id, label="stranger")
    chair = Actor(role=Role.chair, label="chair")

    with pytest.raises(Forbidden):
        actions.add_update(session, action_id=action.id, by=stranger,
                           data=ActionUpdateCreate(text="Not mine"))
    with pytest.raises(Forbidden):
        actions.add_update(session, action_id=action.id, by=owner,
                           data=ActionUpdateCreate(text="Done", status=ActionStatus.closed))
    update = actions.add_update(session, action_id=action.id, by=owner, data=ActionUpdateCreate(
        text="Review complete.", status=ActionStatus.pending_signoff))
    assert (update.status_from, update.status_to) == ("open", "pending_signoff")
    with pytest.raises(Forbidden):  # the chair may not edit the text, only close or reopen
        actions.update_action(session, action_id=action.id, by=chair,
                              data=ActionEdit(text="Changed"))
    actions.update_action(session, action_id=action.id, by=chair,
                          data=ActionEdit(status=ActionStatus.closed))
    closed = actions.get_action(session, action_id=action.id, by=SYSTEM).action
    assert closed.status == "closed" and closed.closed_at is not None
    with pytest.raises(Conflict):
        actions.add_update(session, action_id=action.id, by=owner,
                           data=ActionUpdateCreate(text="One more thing"))
    history = actions.list_updates(session, action_id=action.id, by=SYSTEM)
    assert [(u.status_from, u.status_to) for u in history] == [
        ("open", "pending_signoff"), ("pending_signoff", "closed")]


def test_only_the_chair_or_secretariat_sends_a_request_for_closure_back(session):
    owner_person = make_person(session)
    action = make_action(session, [owner_person])
    owner = Actor(role=Role.force, person_id=owner_person.id, label="owner")
    actions.add_update(session, action_id=action.id, by=owner, data=ActionUpdateCreate(
        text="Review complete.", status=ActionStatus.pending_signoff))
    with pytest.raises(Forbidden):  # the owner may not refuse their own request
        actions.send_back(session, action_id=action.id, text="Not yet.", by=owner)
    with pytest.raises(InvalidInput):  # the owner is told why
        actions.send_back(session, action_id=action.id, text=" ", by=Actor(role=Role.chair))
    back = actions.send_back(session, action_id=action.id, text="Evidence, please.",
                             by=Actor(role=Role.chair))
    assert (back.status_from, back.status_to, back.text) == (
        "pending_signoff", "in_progress", "Evidence, please.")


def test_an_action_is_handed_on_only_to_an_active_colleague_in_the_force(session):
    dcc = make_person(session, full_name="Amanda Blakeman", side=Side.force)
    acc = make_person(session, full_name="Rachel Jones", side=Side.force)
    retired = make_person(session, full_name="Sam Cole", side=Side.force, active=False)
    policy = make_person(session, full_name="Nina Ash", side=Side.opcc)
    council = make_person(session, full_name="Cllr Bell", side=Side.other)
    action = make_action(session, [dcc])
    owner = Actor(role=Role.force, person_id=dcc.id, label="owner")
    for by in (owner, SYSTEM):  # the owner and the secretariat alike
        for person, words in ((retired, "is no longer active"),
                              (policy, "not in the force"), (council, "not in the force")):
            with pytest.raises(InvalidInput) as refused:
                actions.delegate_action(session, action_id=action.id, to_person_id=person.id,
                                        from_person_id=dcc.id, by=by)
            assert words in refused.value.errors["to_person_id"]
    assert [p.id for p in actions.delegates(session, excluding=[dcc.id])] == [acc.id]
    actions.delegate_action(session, action_id=action.id, to_person_id=acc.id, by=owner)
    assert actions.get_action(session, action_id=action.id, by=SYSTEM).owner_ids == [acc.id]


def test_an_update_needs_words_or_a_new_status(session):
    action = make_action(session, [make_person(session)])
    with pytest.raises(InvalidInput):
        actions.add_update(session, action_id=action.id, by=SYSTEM,
                           data=ActionUpdateCreate(text="  "))


def test_open_actions_of_earlier_meetings_carry_forward_until_closed(session):
    series = make_meeting_type(session)
    owner = make_person(session)
    march = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    april = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    other_series = make_meeting(session, starts_at=datetime(2024, 3, 1, 10))
    item = make_item(session, march)
    still_open = make_action(session, [owner], meeting_id=march.id, item_id=item.id)
    closed = make_action(session, [owner], meeting_id=march.id)
    make_action(session, [owner], meeting_id=other_series.id)  # another series: not carried
    make_action(session, [owner], meeting_id=april.id)  # raised at April itself: not carried
    actions.add_update(session, action_id=still_open.id, by=SYSTEM,
                       data=ActionUpdateCreate(text="Half done.", status=ActionStatus.in_progress))
    actions.update_action(session, action_id=closed.id, by=SYSTEM,
                          data=ActionEdit(status=ActionStatus.closed))
    carried = actions.carried_forward(session, april)
    assert [v.action.id for v in carried] == [still_open.id]
    assert carried[0].latest_update.text == "Half done."


def test_approved_minutes_keep_the_actions_that_were_open_on_the_day(session):
    series = make_meeting_type(session)
    owner = make_person(session)
    march = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    april = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    action = make_action(session, [owner], meeting_id=march.id)
    advance_meeting(session, april, MeetingStatus.approved)
    actions.update_action(session, action_id=action.id, by=SYSTEM,
                          data=ActionEdit(status=ActionStatus.closed))
    # Closed today, long after April's meeting: April's approved record still lists it.
    assert [v.action.id for v in actions.carried_forward(session, april)] == [action.id]
