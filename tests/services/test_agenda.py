"""Numbering comes from positions; moves renumber; nesting stops at three levels."""

import pytest

from app.schemas import ItemCreate, ItemUpdate
from app.services import agenda
from app.services.errors import Conflict, InvalidInput
from tests.factories import SYSTEM, make_entry, make_item, make_meeting


def numbers(session, meeting):
    return [(n.number, n.local_number, n.item.title)
            for n in agenda.flatten(agenda.agenda_tree(session, meeting.id))]


def test_numbers_follow_positions_at_three_levels(session):
    meeting = make_meeting(session)
    make_item(session, meeting, title="Outstanding matters")
    hta = make_item(session, meeting, title="Holding to account")
    roads = make_item(session, meeting, title="Roads policing", parent=hta)
    make_item(session, meeting, title="Partnership working", parent=roads)
    make_item(session, meeting, title="Performance", parent=roads)
    make_item(session, meeting, title="HMICFRS", parent=hta)
    make_item(session, meeting, title="AOB")
    assert numbers(session, meeting) == [
        ("1", "1", "Outstanding matters"),
        ("2", "2", "Holding to account"),
        ("2.1", "2.1", "Roads policing"),
        ("2.1.1", "1.", "Partnership working"),
        ("2.1.2", "2.", "Performance"),
        ("2.2", "2.2", "HMICFRS"),
        ("3", "3", "AOB"),
    ]


def test_inserting_at_a_position_renumbers_the_rest(session):
    meeting = make_meeting(session)
    make_item(session, meeting, title="A")
    make_item(session, meeting, title="B")
    make_item(session, meeting, title="First", position=1)
    assert [t for _, _, t in numbers(session, meeting)] == ["First", "A", "B"]


def test_moving_an_item_under_another_renumbers_both_levels(session):
    meeting = make_meeting(session)
    a = make_item(session, meeting, title="A")
    b = make_item(session, meeting, title="B")
    c = make_item(session, meeting, title="C")
    agenda.update_item(session, item_id=c.id, by=SYSTEM, data=ItemUpdate(parent_id=a.id))
    agenda.update_item(session, item_id=a.id, by=SYSTEM, data=ItemUpdate(position=2))
    assert numbers(session, meeting) == [("1", "1", "B"), ("2", "2", "A"), ("2.1", "2.1", "C")]
    assert b.position == 1


def test_an_item_cannot_move_under_itself_or_nest_four_deep(session):
    meeting = make_meeting(session)
    a = make_item(session, meeting, title="A")
    b = make_item(session, meeting, title="B", parent=a)
    c = make_item(session, meeting, title="C", parent=b)
    with pytest.raises(InvalidInput) as err:
        agenda.update_item(session, item_id=a.id, by=SYSTEM, data=ItemUpdate(parent_id=c.id))
    assert "itself" in err.value.errors["parent_id"]
    with pytest.raises(InvalidInput) as err:
        make_item(session, meeting, title="D", parent=c)
    assert "3 levels" in err.value.errors["parent_id"]
    other = make_item(session, meeting, title="Other")
    with pytest.raises(InvalidInput):  # B's subtree (B, C) under Other's child would be 4 deep
        leaf = make_item(session, meeting, title="Leaf", parent=other)
        agenda.update_item(session, item_id=b.id, by=SYSTEM, data=ItemUpdate(parent_id=leaf.id))


def test_parent_must_be_on_the_same_meeting(session):
    meeting, other = make_meeting(session), make_meeting(session)
    foreign = make_item(session, other, title="Elsewhere")
    with pytest.raises(InvalidInput):
        agenda.create_item(session, meeting_id=meeting.id, by=SYSTEM,
                           data=ItemCreate(title="X", parent_id=foreign.id))


def test_an_exempt_item_needs_a_reason_and_its_children_are_exempt(session):
    meeting = make_meeting(session)
    with pytest.raises(InvalidInput) as err:
        make_item(session, meeting, title="Private", exempt=True)
    assert "reason" in err.value.errors["exempt_reason"]
    private = make_item(session, meeting, title="Private", exempt=True,
                        exempt_reason="section 40 (personal data)")
    child = make_item(session, meeting, title="Detail", parent=private)
    assert agenda.node_for(session, child).exempt


def test_an_item_holding_minutes_is_never_deleted_but_an_empty_one_is(session):
    meeting = make_meeting(session)
    a = make_item(session, meeting, title="A")
    inner = make_item(session, meeting, title="Inner", parent=a)
    make_entry(session, inner, text="Said something.")
    b = make_item(session, meeting, title="B")
    with pytest.raises(Conflict) as err:
        agenda.delete_item(session, item_id=a.id, by=SYSTEM)
    assert "1 minute entries" in err.value.message
    agenda.delete_item(session, item_id=b.id, by=SYSTEM)
    c = make_item(session, meeting, title="C")
    assert [t for _, _, t in numbers(session, meeting)] == ["A", "Inner", "C"]
    assert c.position == 2
