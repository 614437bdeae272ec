"""Who came to a meeting, and as what: present, apologies, absent, a substitute for someone,
or in attendance for some items only.

The list offered to the secretariat starts with the series' usual attendees (see
`usual_attendees`); anyone else in the people directory is found by name and added.
"""

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    Person,
    utcnow,
)
from app.schemas import AttendanceIn
from app.services import audit, invites
from app.services.agenda import ItemNode, agenda_tree, flatten
from app.services.common import person_label
from app.services.errors import InvalidInput
from app.services.meetings import (
    default_capacity,
    ensure_minutes_editable,
    get_meeting,
    list_attendance,
    series_attendees,
)
from app.services.permissions import Actor, Perm, require

# The statuses the office's words name; "expected" is how a meeting's invitees start.
STATUS_WORDS = {
    AttendanceStatus.expected: "Invited",
    AttendanceStatus.present: "Present",
    AttendanceStatus.substitute: "Substitute",
    AttendanceStatus.in_attendance: "In attendance for items",
    AttendanceStatus.apologies: "Apologies",
    AttendanceStatus.absent: "Absent",
}


# --- who is offered first -----------------------------------------------------------------


def _previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    query = (
        select(Meeting)
        .where(Meeting.meeting_type_id == meeting.meeting_type_id,
               Meeting.starts_at < meeting.starts_at,
               Meeting.status != MeetingStatus.cancelled)
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    )
    return session.exec(query.limit(1)).first()


def usual_attendees(session: Session, meeting: Meeting) -> list[Person]:
    """The people a meeting of this series is usually attended by, in order: the series'
    invitees ("Invited to every meeting" on the series' page); for a series without any, the
    people listed on the attendance of its previous meeting (cancelled meetings skipped)."""
    invited = [person for _, person in series_attendees(session, meeting.meeting_type_id)]
    if invited:
        return invited
    previous = _previous_meeting(session, meeting)
    if previous is None or previous.id is None:
        return []
    return [person for _, person in list_attendance(session, previous.id)]


@dataclass
class AttendanceRow:
    """A line of a meeting's attendance form: someone usual or already recorded."""

    person: Person
    attendance: Attendance | None  # None: not recorded at this meeting yet
    usual: bool  # one of the series' usual attendees

    @property
    def status(self) -> str:
        return str(self.attendance.status) if self.attendance else ""

    @property
    def capacity(self) -> str:
        return self.attendance.capacity if self.attendance else default_capacity(self.person)


def attendance_rows(session: Session, meeting: Meeting) -> list[AttendanceRow]:
    """The series' usual attendees first, in the series' order, with what is recorded for
    them; then everyone else recorded at this meeting, in the order recorded."""
    assert meeting.id is not None  # loaded from the database
    recorded = list_attendance(session, meeting.id)
    by_person = {p.id: a for a, p in recorded}
    rows: list[AttendanceRow] = []
    seen: set[int | None] = set()
    for person in usual_attendees(session, meeting):
        if person.id in seen or (not person.active and person.id not in by_person):
            continue
        seen.add(person.id)
        rows.append(AttendanceRow(person=person, attendance=by_person.get(person.id), usual=True))
    for attendance, person in recorded:
        if person.id not in seen:
            seen.add(person.id)
            rows.append(AttendanceRow(person=person, attendance=attendance, usual=False))
    return rows


# --- items by their numbers ---------------------------------------------------------------


def numbered_items(session: Session, meeting_id: int) -> list[ItemNode]:
    """A meeting's agenda items in agenda order, with their numbers ("4", "2.1")."""
    return flatten(agenda_tree(session, meeting_id))


def items_words(numbers: list[str]) -> str:
    """"for item 4", "for items 4 and 5", "for items 2.1, 2.2 and 4"."""
    if not numbers:
        return ""
    if len(numbers) == 1:
        return f"for item {numbers[0]}"
    return f"for items {', '.join(numbers[:-1])} and {numbers[-1]}"


def item_ids_from_numbers(nodes: list[ItemNode], typed: str) -> list[int]:
    """The items a person typed by number ("4 and 5", "2.1, 2.2"), in agenda order; a number
    not on the agenda is InvalidInput on "items"."""
    by_number = {node.number: node.item.id for node in nodes}
    wanted = [w.rstrip(".") for w in re.split(r"[\s,;&/]+|\band\b", typed.lower()) if w]
    wanted = [w[len("items"):] if w.startswith("items") else w for w in wanted]
    wanted = [w[len("item"):] if w.startswith("item") else w for w in wanted]
    wanted = [w for w in wanted if w]
    unknown = [w for w in wanted if w not in by_number]
    if unknown:
        raise InvalidInput({"items": f"There is no item {unknown[0]} on this meeting's agenda: "
                                     "give the items' numbers, like 4 and 5"})
    chosen = {by_number[w] for w in wanted}
    return [node.item.id for node in nodes if node.item.id in chosen and node.item.id]


# --- saving -------------------------------------------------------------------------------


def _check_rows(session: Session, meeting: Meeting, rows: list[AttendanceIn],
                existing: dict[int, Attendance]) -> dict[int, Person]:
    """Every person named exists, once; a substitute names someone else; items are this
    meeting's. Returns the people listed, by id."""
    errors: dict[str, str] = {}
    seen: set[int] = set()
    people: dict[int, Person] = {}
    meeting_items: set[int] | None = None
    for index, row in enumerate(rows):
        if row.person_id in seen:
            errors[f"{index}.person_id"] = f"person {row.person_id} is listed twice"
        seen.add(row.person_id)
        person = session.get(Person, row.person_id)
        if person is None:
            errors[f"{index}.person_id"] = f"there is no person with id {row.person_id}"
            continue
        people[row.person_id] = person
        kept = existing.get(row.person_id)
        if row.status == AttendanceStatus.substitute:
            substitute_for = row.substitute_for_id or (kept.substitute_for_id if kept else None)
            if substitute_for is None:
                errors[f"{index}.substitute_for_id"] = (
                    f"say whom {person.full_name} is a substitute for")
            elif substitute_for == row.person_id:
                errors[f"{index}.substitute_for_id"] = (
                    f"{person.full_name} cannot be a substitute for themselves")
            elif session.get(Person, substitute_for) is None:
                errors[f"{index}.substitute_for_id"] = (
                    f"there is no person with id {substitute_for}")
        elif row.substitute_for_id is not None:
            errors[f"{index}.substitute_for_id"] = (
                "only someone whose attendance is substitute is a substitute for someone")
        if row.item_ids:
            if row.status != AttendanceStatus.in_attendance:
                errors[f"{index}.item_ids"] = (
                    "only someone in attendance for items has items; set the status to "
                    "in_attendance")
                continue
            if meeting_items is None:
                meeting_items = {item.id for item in session.exec(
                    select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)) if item.id}
            foreign = [i for i in row.item_ids if i not in meeting_items]
            if foreign:
                errors[f"{index}.item_ids"] = (
                    f"item {foreign[0]} is not on this meeting's agenda")
    if errors:
        raise InvalidInput(errors)
    return people


def set_attendance(
    session: Session, *, meeting_id: int, rows: list[AttendanceIn], by: Actor
) -> list[tuple[Attendance, Person]]:
    """Replace a meeting's attendance with the list given, in its order. What a row leaves
    out (null) is kept from what is recorded: the capacity (the role's for someone new),
    whom a substitute came for, the items someone attended for. A status other than
    substitute or in attendance clears those."""
    meeting = get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    require(by, Perm.edit_record)
    ensure_minutes_editable(meeting)
    existing = {a.person_id: a for a in session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    people = _check_rows(session, meeting, rows, existing)
    listed = {row.person_id for row in rows}
    for person_id, attendance in existing.items():
        if person_id not in listed:
            session.delete(attendance)
    order = {node.item.id: n for n, node in enumerate(numbered_items(session, meeting.id))} \
        if any(row.item_ids for row in rows) else {}
    for position, row in enumerate(rows):
        kept = existing.get(row.person_id)
        attendance = kept or Attendance(meeting_id=meeting.id, person_id=row.person_id)
        attendance.status = row.status
        # No capacity given: someone already listed keeps theirs (the minute-taker's panel
        # may send only who came); someone new gets their role's.
        if row.capacity is not None:
            attendance.capacity = row.capacity
        elif kept is None:
            attendance.capacity = default_capacity(people[row.person_id])
        if row.status != AttendanceStatus.substitute:
            attendance.substitute_for_id = None
        elif row.substitute_for_id is not None:
            attendance.substitute_for_id = row.substitute_for_id
        if row.status != AttendanceStatus.in_attendance:
            attendance.item_ids = ""
        elif row.item_ids is not None:
            ids = sorted(set(row.item_ids), key=lambda i: order.get(i, 0))
            attendance.item_ids = ",".join(str(i) for i in ids)
        attendance.position = position
        session.add(attendance)
    meeting.updated_at = utcnow()
    summary = ", ".join(f"{people[r.person_id].full_name}: {r.status}" for r in rows)
    audit.record(session, by=by, verb="update", object_type="attendance",
                 object_id=meeting.id, summary=summary)
    session.flush()
    invites.queue_removals(session, meeting)  # those taken off get a calendar cancellation
    return list_attendance(session, meeting.id)


# --- how the minutes say it ---------------------------------------------------------------


def attendance_note(attendance: Attendance, people: dict[int, Person],
                    numbers: dict[int, str]) -> str:
    """What the minutes add after a name: "substitute for Amanda Blakeman, DCC", "for items
    4 and 5"; empty for anyone else. Items no longer on the agenda are left out."""
    if attendance.status == AttendanceStatus.substitute and attendance.substitute_for_id:
        other = people.get(attendance.substitute_for_id)
        if other is None:
            return ""
        label = person_label(other)
        return f"substitute for {other.full_name}" + (f", {label}" if label else "")
    if attendance.status == AttendanceStatus.in_attendance:
        return items_words([numbers[i] for i in attendance.items if i in numbers])
    return ""
