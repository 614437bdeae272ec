"""Pages after ten years (issue 17): the action log at a ten-year office's size is a page,
not the record, and the forms that offer a meeting offer a bounded choice of them.

The record is written as rows in a few bulk inserts (not through the use cases), which is
enough for reading and keeps the test to seconds."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert
from sqlmodel import select

from app.models import (
    Action,
    ActionOwner,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Meeting,
    MeetingType,
    Person,
    Role,
    Side,
)
from app.services import identity
from tests.sql_counter import page_cost
from tests.web.test_live import sign_in

YEAR = 12  # meetings


def _next_id(session, model) -> int:
    return (session.exec(select(func.max(model.id))).one() or 0) + 1


def build_record(session, meetings: int, *, first: datetime = datetime(2016, 1, 12, 10,
                                                                       tzinfo=UTC)) -> None:
    """An office's record of this many monthly meetings, each with five items (the last
    exempt) and forty actions with an owner and four updates; a quarter of each meeting's
    actions still open, the rest closed a few weeks after."""
    series = MeetingType(name=f"Board {_next_id(session, MeetingType)}")
    session.add(series)
    people = list(session.exec(select(Person).where(Person.initials.startswith("O"))))
    if not people:  # the same forty owners however many times the record grows
        people = [Person(full_name=f"Owner {n}", initials=f"O{n}", side=Side.force)
                  for n in range(40)]
        session.add_all(people)
    session.flush()
    meeting_id, item_id = _next_id(session, Meeting), _next_id(session, AgendaItem)
    action_id, seq = _next_id(session, Action), _next_id(session, Action)
    rows: dict[type, list[dict]] = {Meeting: [], AgendaItem: [], Action: [], ActionOwner: [],
                                    ActionUpdate: []}
    for m in range(meetings):
        when = first + timedelta(days=30 * m)
        rows[Meeting].append({"id": meeting_id, "meeting_type_id": series.id,
                              "starts_at": when, "status": "approved"})
        for i in range(5):
            rows[AgendaItem].append({"id": item_id + i, "meeting_id": meeting_id,
                                     "position": i + 1, "title": f"Item {i}",
                                     "exempt": i == 4})
        for a in range(40):
            is_open = a >= 30
            rows[Action].append({
                "id": action_id, "reference": f"A/{when.year}/{seq:04}", "year": when.year,
                "seq": seq, "text": f"Action {seq}: report back on the matter raised. " * 3,
                "due_date": when.date() + timedelta(days=60), "meeting_id": meeting_id,
                "item_id": item_id + a % 5, "exempt": False, "exempt_reason": "",
                "status": ActionStatus.open if is_open else ActionStatus.closed,
                "created_at": when, "updated_at": when,
                "closed_at": None if is_open else when + timedelta(days=50)})
            rows[ActionOwner].append({"action_id": action_id, "person_id": people[a].id,
                                      "is_lead": True, "position": 0, "assigned_at": when})
            rows[ActionUpdate].extend({"action_id": action_id, "text": f"Update {u}. " * 10,
                                       "created_at": when + timedelta(days=u)}
                                      for u in range(4))
            action_id += 1
            seq += 1
        meeting_id += 1
        item_id += 5
    for model, values in rows.items():
        stamps = {c for c in ("created_at", "updated_at") if c in model.__table__.c}
        for value in values:  # what the models' defaults fill in, which bulk inserts skip
            value.update({c: value.get("created_at", first) for c in stamps if c not in value})
        session.execute(insert(model), values)
    session.commit()


def test_the_action_log_after_ten_years_is_under_200_kb(client, session):
    """Ten years: 120 meetings, 4,800 actions (1,200 open) and 19,200 updates; the log as it
    opens is one page of the open actions, its totals, chart and filters."""
    build_record(session, 10 * YEAR)
    sign_in(client, session, Role.secretariat)
    _, _, html = page_cost(client, session, "/actions")
    assert "1200 actions" in html or "1,200 actions" in html
    assert len(html.encode()) < 200_000, len(html.encode())


def test_the_action_logs_meeting_choices_do_not_grow_with_the_record(client, session,
                                                                    monkeypatch):
    """The log's meeting filter offers the latest meetings and the one chosen, not every
    meeting: a year's record and ten years' load as many rows."""
    # the sign-in's once-a-minute touch is not the page's: a slow build must not count it
    monkeypatch.setattr(identity, "touch_interval", lambda idle: timedelta(days=1))
    sign_in(client, session, Role.secretariat)
    build_record(session, 3 * YEAR)
    oldest = session.exec(select(Meeting).order_by(Meeting.starts_at)).first()
    small = page_cost(client, session, "/actions")
    build_record(session, 10 * YEAR, first=datetime(2019, 1, 15, 10, tzinfo=UTC))
    large = page_cost(client, session, "/actions")
    assert large[0] == small[0], (small[0], large[0])  # statements
    # rows loaded: at most the meetings of the page's 25 actions besides (a year's record
    # offers them among its latest meetings already)
    assert large[1] <= small[1] + 25, (small[1], large[1])
    chosen = page_cost(client, session, f"/actions?meeting={oldest.id}&status=all")[2]
    # the meeting chosen is offered, selected, however old
    assert f'<option value="{oldest.id}" selected>Board 1 January 2016</option>' in chosen
