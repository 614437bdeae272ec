"""The action log's chart, open actions at the end of each of twelve weeks by their RAG then,
is one grouped query (issue 17); its figures are those the twelve queries it replaced gave
(kept below as the reference), on actions raised, paused, reopened and closed across the weeks.
"""

import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import col

from app.models import Action, ActionStatus, ActionUpdate, Rag, Role
from app.services.action_log import WeekCounts, _owned_by, _rag_case, open_over_time, visible_to
from app.services.dates import end_of_day_utc, today
from app.services.permissions import Actor
from tests.factories import make_person
from tests.services.test_actions import make_action


def _weeks_before(session, *, by, weeks=12, owner_id=None) -> list[WeekCounts]:
    """open_over_time as it was: one query a week."""
    result = []
    end = today()
    visible = visible_to(by)
    for back in range(weeks - 1, -1, -1):
        day = end - timedelta(days=7 * back)
        cutoff = end_of_day_utc(day)
        status_then = func.coalesce(
            sa.select(col(ActionUpdate.status_to))
            .where(col(ActionUpdate.action_id) == col(Action.id),
                   col(ActionUpdate.status_to).is_not(None),
                   col(ActionUpdate.created_at) <= cutoff)
            .order_by(col(ActionUpdate.created_at).desc(), col(ActionUpdate.id).desc())
            .limit(1).correlate(Action).scalar_subquery(),
            ActionStatus.open.value)
        alive = [col(Action.created_at) <= cutoff,
                 or_(col(Action.closed_at).is_(None), col(Action.closed_at) > cutoff)]
        if visible is not None:
            alive.append(visible)
        if owner_id is not None:
            alive.append(col(Action.id).in_(_owned_by(owner_id)))
        then = (sa.select(_rag_case(status_then, col(Action.due_date), day).label("rag"))
                .where(*alive).subquery())
        counts = {Rag.red: 0, Rag.amber: 0, Rag.green: 0}
        for rating, count in session.execute(
                sa.select(then.c.rag, func.count()).group_by(then.c.rag)):
            if rating is not None:
                counts[Rag(rating)] += count
        result.append(WeekCounts(week_ending=day, red=counts[Rag.red],
                                 amber=counts[Rag.amber], green=counts[Rag.green]))
    return result


def test_the_weeks_are_those_counted_a_week_at_a_time(session):
    chance = random.Random(17)
    owners = [make_person(session, full_name=f"Owner {n}") for n in range(3)]
    now = datetime.now(UTC)
    for n in range(80):
        raised = now - timedelta(days=chance.randint(0, 120), hours=chance.randint(0, 23))
        action = make_action(session, [chance.choice(owners)], text=f"Action {n}.",
                             due_date=(raised + timedelta(days=chance.randint(-10, 90))).date()
                             if n % 6 else None)
        action.created_at = raised
        if n % 4 == 0:
            action.status = ActionStatus.closed
            action.closed_at = raised + timedelta(days=chance.randint(0, 60))
        for u in range(chance.randint(0, 3)):
            session.add(ActionUpdate(
                action_id=action.id, text=f"Update {u}.",
                status_to=chance.choice([None, ActionStatus.paused, ActionStatus.in_progress,
                                         ActionStatus.closed, ActionStatus.open]),
                created_at=raised + timedelta(days=chance.randint(0, 50))))
    session.commit()
    for by, owner in [(Actor(role=Role.secretariat), None), (Actor(role=Role.viewer), None),
                      (Actor(role=Role.secretariat), owners[1].id)]:
        now_counted = open_over_time(session, by=by, owner_id=owner)
        assert now_counted == _weeks_before(session, by=by, owner_id=owner)
    assert sum(w.red + w.amber + w.green for w in now_counted) > 0
    assert len({(w.red, w.amber, w.green) for w in now_counted}) > 3  # the weeks differ
