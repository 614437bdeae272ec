"""The "Take minutes" page: the shell and the state its script starts from.

Everything the page then changes goes through the JSON API (with the session cookie and the
CSRF header), so the rules are the API's; this module only gathers what the page shows.
"""

from fastapi import APIRouter, Request

from app.db import SessionDep
from app.models import ItemKind
from app.schemas import EntryRead
from app.services import people as people_service
from app.services import questions as questions_service
from app.services.agenda import ItemNode
from app.services.attendance import attendance_rows
from app.services.common import person_label, speaker_label
from app.services.dates import to_london
from app.services.finding_meetings import findings_by_item
from app.services.findings import short_text
from app.services.meetings import NOT_YET_HELD, default_capacity
from app.services.minutes import RecordItem, load_record
from app.services.permissions import Perm, require
from app.services.stages import stage_of
from app.web.deps import IdPath, PageCaller
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def _person(person) -> dict:
    return {
        "id": person.id,
        "name": person.full_name,
        "label": person_label(person),  # as an action's owner: "DCC", "NA"
        "speaker": speaker_label(person),  # as the minutes name a speaker: "Cllr Jones"
        "initials": person.initials,
        "abbreviation": person.role_abbreviation,
        "title": person.role_title,
        "capacity": default_capacity(person),
    }


def _item(record_item: RecordItem, questions: dict[int | None, list],
          findings: dict[int | None, list] | None = None) -> dict:
    node: ItemNode = record_item.node
    return {
        "id": node.item.id,
        "number": node.number,
        "label": node.local_number,
        "level": node.level,
        "title": node.item.title,
        "kind": node.item.kind,
        "commission": node.item.commission,
        "exempt": node.exempt,
        "entries": [EntryRead.model_validate(e).model_dump(mode="json")
                    for e in record_item.entries],
        "actions": [
            {
                "id": v.action.id,
                "reference": v.action.reference,
                "text": v.action.text,
                "owners": [person_label(p) for p in v.owners],
                "due_date": v.action.due_date.isoformat() if v.action.due_date else None,
            }
            for v in record_item.actions
        ],
        "questions": questions.get(node.item.id, []),
        "findings": (findings or {}).get(node.item.id, []),
        "children": [_item(child, questions, findings) for child in record_item.children],
    }


def _nodes(items: list[RecordItem]) -> list[ItemNode]:
    found = []
    for item in items:
        found.append(item.node)
        found.extend(_nodes(item.children))
    return found


@router.get("/meetings/{meeting_id}/take-minutes")
def take_minutes_page(
    meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller
):
    require(caller.actor, Perm.edit_record,
            "Only the secretariat and administrators take the minutes.")
    # The page does not show the actions carried forward from earlier meetings.
    record = load_record(session, meeting_id=meeting_id, redact=False, carried=False)
    people = people_service.list_people(session, include_inactive=False)
    by_id = {p.id: p for p in people}
    questions: dict[int | None, list] = {}
    nodes = _nodes(record.items)
    # Questions carried forward to this meeting come up under its first "Outstanding matters"
    # item (or its first item, when it has none).
    outstanding = [n.item.id for n in nodes if n.item.kind == ItemKind.outstanding_matters]
    carried_to = (outstanding or [n.item.id for n in nodes] or [None])[0]
    listed = questions_service.list_questions(session, by=caller.actor, meeting_id=meeting_id)
    carried = [q for q in questions_service.questions_at(session, meeting=record.meeting,
                                                         by=caller.actor)
               if q.carried_from_meeting_id is not None
               and q.carried_from_meeting_id != meeting_id]
    carried_ids = {q.id for q in carried}
    for question in [q for q in listed if q.id not in carried_ids] + carried:
        item_id = carried_to if question.id in carried_ids else question.item_id
        if item_id is None:
            continue
        asker, addressee = by_id.get(question.asked_by_id), by_id.get(question.addressed_to_id)
        questions.setdefault(item_id, []).append({
            "id": question.id,
            "text": question.text,
            "status": question.status,
            "asked_by_id": question.asked_by_id,
            "addressed_to_id": question.addressed_to_id,
            "asked_by": speaker_label(asker) if asker else "",
            "addressed_to": speaker_label(addressee) if addressee else "",
            "carried_forward": question.id in carried_ids,
        })
    # Under the HMICFRS item: the inspection findings due or changed since the last meeting.
    findings = {
        item_id: [{"label": f"{row.inspection.title}: {row.label}",
                   "text": short_text(row.finding.text, 200),
                   "due": row.due, "href": row.href,
                   "due_date": row.finding.due_date.isoformat() if row.finding.due_date
                   else None,
                   "changes": row.changes[-3:]} for row in rows]
        for item_id, rows in findings_by_item(
            session, record.meeting, [n.item.id for n in nodes],
            by=caller.actor).items()}
    state = {
        "meeting": {
            "id": record.meeting.id,
            "title": record.title,
            "starts_at": to_london(record.meeting.starts_at).isoformat(),
            "status": record.meeting.status,
        },
        "people": [_person(p) for p in people],
        "attendance": [
            {"person_id": p.id, "status": a.status, "capacity": a.capacity,
             "substitute_for_id": a.substitute_for_id, "item_ids": a.items}
            for a, p in record.attendance
        ],
        # The panel's rows: the series' usual attendees first, then anyone else recorded
        # (app/services/attendance.py); anyone else is found by typing a name.
        "attendance_rows": [
            {"person_id": row.person.id, "name": row.person.full_name, "usual": row.usual,
             "capacity": default_capacity(row.person)}
            for row in attendance_rows(session, record.meeting)
        ],
        "items": [_item(i, questions, findings) for i in record.items],
    }
    return render(request, "take_minutes.html", {
        "page_title": f"Take minutes: {record.title}",
        "record": record,
        "state": state,
        "locked": record.meeting.status in ("approved", "published"),
        "stage_view": stage_of(record.meeting, caller.actor),
        "not_started": record.meeting.status in NOT_YET_HELD,
    })
