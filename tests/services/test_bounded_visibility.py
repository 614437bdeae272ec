"""The checks that look an action's item up its parent chain (visibility.under_exempt_item,
used where a page's other conditions leave few actions: an owner's open actions, issue 17)
decide as the whole-record check does: an action on an item under an exempt item, in a
meeting years old, is hidden from the force and shown to the office and to its owner."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from app.models import Action, ItemKind, Role, Side
from app.services import visibility
from app.services.action_log import owner_actions_page
from app.services.permissions import Actor
from app.services.waiting import counts
from tests.factories import make_action, make_item, make_meeting, make_person


def _old_exempt_branch(session):
    """An old meeting with an exempt item, a sub-item under it and one under that (none
    marked exempt themselves), and a recent meeting with an open item; an open action on the
    deepest exempt sub-item and one on the open item, both owned by a force officer."""
    old = make_meeting(session, starts_at=datetime(2016, 3, 8, 10, 0))
    secret = make_item(session, old, title="Covert operations", exempt=True,
                       exempt_reason="Section 31 (law enforcement)", kind=ItemKind.theme)
    under = make_item(session, old, parent=secret, title="Sources", kind=ItemKind.theme)
    deepest = make_item(session, old, parent=under, title="Handling", kind=ItemKind.theme)
    recent = make_meeting(session, starts_at=datetime(2026, 3, 10, 10, 0))
    plain = make_item(session, recent, title="Roads policing")
    owner = make_person(session, side=Side.force, full_name="Olive Owner")
    hidden = make_action(session, [owner], text="Review the handling of sources.",
                         meeting_id=old.id, item_id=deepest.id)
    shown = make_action(session, [owner], text="Report on road deaths.",
                        meeting_id=recent.id, item_id=plain.id)
    return owner, hidden, shown, (secret, under, deepest, plain)


def test_an_item_under_an_exempt_item_is_exempt_however_deep_and_no_item_is_not(session):
    _, _, _, (secret, under, deepest, plain) = _old_exempt_branch(session)
    ids = [secret.id, under.id, deepest.id, plain.id, None]
    found = {item_id: session.execute(sa.select(visibility.under_exempt_item(
        sa.literal(item_id, sa.Integer)))).scalar_one() for item_id in ids}
    assert found == {secret.id: True, under.id: True, deepest.id: True, plain.id: False,
                     None: False}
    # the same as the whole-record query gathers
    everywhere = set(session.execute(sa.select(visibility.exempt_items_query().c.id))
                     .scalars())
    assert {i for i in ids if found[i]} == everywhere


def test_an_action_under_an_exempt_parent_in_an_old_meeting_is_hidden_from_the_force(session):
    owner, hidden, shown, _ = _old_exempt_branch(session)
    colleague = make_person(session, side=Side.force, full_name="Colin Colleague")
    force = Actor(role=Role.force, person_id=colleague.id)
    office = Actor(role=Role.secretariat)
    as_owner = Actor(role=Role.force, person_id=owner.id)

    def listed(by):
        page = owner_actions_page(session, person_id=owner.id, by=by)
        return {v.action.id for v in page.views}, page.total

    assert listed(force) == ({shown.id}, 1)
    assert listed(office) == ({hidden.id, shown.id}, 2)
    assert listed(as_owner) == ({hidden.id, shown.id}, 2)
    # the bounded condition agrees with the whole-record one on every action
    for few in (True, False):
        seen = visibility.actions_seen_where(force, few=few)
        assert set(session.exec(select(Action.id).where(seen))) == {shown.id}, few
    assert visibility.actions_seen_where(office, few=True) is None


def test_the_officers_waiting_count_is_their_open_actions(session):
    owner, hidden, shown, _ = _old_exempt_branch(session)
    other = make_person(session, side=Side.force)
    make_action(session, [other], text="Not theirs.")
    closed = session.exec(select(Action).where(col(Action.id) == shown.id)).one()
    assert counts(session, Actor(role=Role.force, person_id=owner.id))["my-actions"] == 2
    closed.status = "closed"
    session.commit()
    assert counts(session, Actor(role=Role.force, person_id=owner.id))["my-actions"] == 1
