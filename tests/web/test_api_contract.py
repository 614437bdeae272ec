"""Every v1 endpoint: success, 401, 404, 422, and 403 and 409 where they apply.

Each case names how to call the endpoint; the checks are generated from the table, so an
endpoint added to the API without a row here fails `test_every_route_has_a_case`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.models import MeetingStatus
from tests.factories import PDF_BYTES, advance_meeting, bearer

MISSING = 987654


@dataclass
class Case:
    method: str
    route: str  # as FastAPI names it, for the coverage check
    path: Callable[[Any], str]
    success: int
    body: Callable[[Any], Any] | None = None
    invalid: Callable[[Any], Any] | None = None  # a body (or a path, for reads) that is invalid
    invalid_is_path: bool = False
    forbidden_role: str | None = None
    conflict: Callable[[Any, Any, Any], Any] | None = None  # (client, session, world) -> response
    files: Callable[[Any], Any] | None = None  # a multipart upload instead of a JSON body
    invalid_files: Callable[[Any], Any] | None = None

    @property
    def has_id(self) -> bool:
        return "{" in self.route


def lock(session, world):
    advance_meeting(session, world.meeting, MeetingStatus.approved)


def _as(client, world, method, path, role="secretariat", **kw):
    return client.request(method, path, headers=bearer(world.tokens[role]), **kw)


def conflict_approve_planned(client, session, world):
    # The chair can approve draft minutes only; this meeting is still planned.
    return _as(client, world, "PATCH", f"/api/v1/meetings/{world.meeting.id}", "chair",
               json={"status": "approved"})


def conflict_new_item_on_locked(client, session, world):
    lock(session, world)
    return _as(client, world, "POST", f"/api/v1/meetings/{world.meeting.id}/items",
               json={"title": "Late addition"})


def conflict_edit_item_on_locked(client, session, world):
    lock(session, world)
    return _as(client, world, "PATCH", f"/api/v1/items/{world.item.id}", json={"title": "Changed"})


def conflict_delete_item_with_minutes(client, session, world):
    return _as(client, world, "DELETE", f"/api/v1/items/{world.item.id}")


def conflict_entry_on_locked(client, session, world):
    lock(session, world)
    return _as(client, world, "POST", f"/api/v1/items/{world.item.id}/entries",
               json={"text": "After approval"})


def conflict_stale_entry(client, session, world):
    path = f"/api/v1/entries/{world.entry.id}"
    first = _as(client, world, "PATCH", path, json={"version": 1, "text": "First"})
    assert first.status_code == 200
    return _as(client, world, "PATCH", path, json={"version": 1, "text": "Second"})


def conflict_delete_entry_on_locked(client, session, world):
    lock(session, world)
    return _as(client, world, "DELETE", f"/api/v1/entries/{world.entry.id}")


def conflict_restore_on_locked(client, session, world):
    lock(session, world)
    return _as(client, world, "POST", f"/api/v1/entries/{world.deleted_entry.id}/restore")


def conflict_amend_draft(client, session, world):
    # Minutes not yet approved are edited, not amended.
    return _as(client, world, "POST", f"/api/v1/entries/{world.entry.id}/amendments",
               json={"reason": "Misheard", "text": "Changed"})


def conflict_update_closed(client, session, world):
    path = f"/api/v1/actions/{world.action.id}"
    assert _as(client, world, "PATCH", path, json={"status": "closed"}).status_code == 200
    return _as(client, world, "POST", f"{path}/updates", "force", json={"text": "More done"})


CASES: dict[str, Case] = {
    "search": Case("GET", "/api/v1/search", lambda w: "/api/v1/search?q=progress", 200,
                   invalid=lambda w: "/api/v1/search?q=progress&from=2026-02-30",
                   invalid_is_path=True),
    "list people": Case("GET", "/api/v1/people", lambda w: "/api/v1/people", 200),
    "create person": Case(
        "POST", "/api/v1/people", lambda w: "/api/v1/people", 201,
        body=lambda w: {"full_name": "Pippa Hart", "initials": "PH", "side": "opcc"},
        invalid=lambda w: {"full_name": 5, "initials": "PH"}, forbidden_role="chair"),
    "get person": Case(
        "GET", "/api/v1/people/{person_id}", lambda w: f"/api/v1/people/{w.pcc.id}", 200,
        invalid=lambda w: "/api/v1/people/abc", invalid_is_path=True),
    "update person": Case(
        "PATCH", "/api/v1/people/{person_id}", lambda w: f"/api/v1/people/{w.pcc.id}", 200,
        body=lambda w: {"role_title": "Police, Fire and Crime Commissioner"},
        invalid=lambda w: {"side": "alien"}, forbidden_role="viewer"),
    "list meeting types": Case(
        "GET", "/api/v1/meeting-types", lambda w: "/api/v1/meeting-types", 200),
    "create meeting type": Case(
        "POST", "/api/v1/meeting-types", lambda w: "/api/v1/meeting-types", 201,
        body=lambda w: {"name": "Performance", "default_venue": "Room 1.38"},
        invalid=lambda w: {}, forbidden_role="force"),
    "get meeting type": Case(
        "GET", "/api/v1/meeting-types/{meeting_type_id}",
        lambda w: f"/api/v1/meeting-types/{w.series.id}", 200,
        invalid=lambda w: "/api/v1/meeting-types/abc", invalid_is_path=True),
    "update meeting type": Case(
        "PATCH", "/api/v1/meeting-types/{meeting_type_id}",
        lambda w: f"/api/v1/meeting-types/{w.series.id}", 200,
        body=lambda w: {"recurrence": "monthly", "weekday": 1, "week_of_month": -1,
                        "start_time": "10:00", "skip_months": [8], "starts_on": "2019-01-01"},
        invalid=lambda w: {"recurrence": "monthly", "starts_on": "2019-01-01"},
        forbidden_role="chair"),
    "set standing items": Case(
        "PUT", "/api/v1/meeting-types/{meeting_type_id}/standing-items",
        lambda w: f"/api/v1/meeting-types/{w.series.id}/standing-items", 200,
        body=lambda w: [{"title": "Apologies"}, {"title": "AOB", "kind": "aob"}],
        invalid=lambda w: [{"title": "AOB", "kind": "gossip"}], forbidden_role="force"),
    "set series attendees": Case(
        "PUT", "/api/v1/meeting-types/{meeting_type_id}/attendees",
        lambda w: f"/api/v1/meeting-types/{w.series.id}/attendees", 200,
        body=lambda w: [{"person_id": w.pcc.id}, {"person_id": w.cc.id, "capacity": "CC"}],
        invalid=lambda w: [{"person_id": 999999}], forbidden_role="viewer"),
    "generate meetings": Case(
        "POST", "/api/v1/meeting-types/{meeting_type_id}/generate",
        lambda w: f"/api/v1/meeting-types/{w.scheduled.id}/generate", 200,
        invalid=lambda w: f"/api/v1/meeting-types/{w.series.id}/generate",
        invalid_is_path=True, forbidden_role="chair"),
    "list meetings": Case("GET", "/api/v1/meetings", lambda w: "/api/v1/meetings", 200),
    "create meeting": Case(
        "POST", "/api/v1/meetings", lambda w: "/api/v1/meetings", 201,
        body=lambda w: {"meeting_type_id": w.series.id, "starts_at": "2019-05-28T10:00"},
        invalid=lambda w: {"meeting_type_id": w.series.id, "starts_at": "2019-02-30T10:00"},
        forbidden_role="viewer"),
    "get meeting": Case(
        "GET", "/api/v1/meetings/{meeting_id}", lambda w: f"/api/v1/meetings/{w.meeting.id}", 200,
        invalid=lambda w: "/api/v1/meetings/0", invalid_is_path=True),
    "update meeting": Case(
        "PATCH", "/api/v1/meetings/{meeting_id}", lambda w: f"/api/v1/meetings/{w.meeting.id}",
        200, body=lambda w: {"venue": "Room 2"}, invalid=lambda w: {"status": "finished"},
        forbidden_role="viewer", conflict=conflict_approve_planned),
    "set attendance": Case(
        "PUT", "/api/v1/meetings/{meeting_id}/attendance",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/attendance", 200,
        body=lambda w: [{"person_id": w.pcc.id, "status": "present"},
                        {"person_id": w.cc.id, "status": "apologies"}],
        invalid=lambda w: [{"person_id": w.pcc.id, "status": "asleep"}],
        forbidden_role="chair"),
    "list items": Case(
        "GET", "/api/v1/meetings/{meeting_id}/items",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/items", 200,
        invalid=lambda w: "/api/v1/meetings/-1/items", invalid_is_path=True),
    "create item": Case(
        "POST", "/api/v1/meetings/{meeting_id}/items",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/items", 201,
        body=lambda w: {"title": "AOB", "kind": "aob"}, invalid=lambda w: {"title": ""},
        forbidden_role="force", conflict=conflict_new_item_on_locked),
    "update item": Case(
        "PATCH", "/api/v1/items/{item_id}", lambda w: f"/api/v1/items/{w.item.id}", 200,
        body=lambda w: {"title": "Roads Policing", "purpose": "assurance"},
        invalid=lambda w: {"purpose": "fun"}, forbidden_role="chair",
        conflict=conflict_edit_item_on_locked),
    "delete item": Case(
        "DELETE", "/api/v1/items/{item_id}", lambda w: f"/api/v1/items/{w.empty_item.id}", 204,
        invalid=lambda w: "/api/v1/items/1.5", invalid_is_path=True, forbidden_role="viewer",
        conflict=conflict_delete_item_with_minutes),
    "list entries": Case(
        "GET", "/api/v1/items/{item_id}/entries", lambda w: f"/api/v1/items/{w.item.id}/entries",
        200, invalid=lambda w: "/api/v1/items/x/entries", invalid_is_path=True),
    "create entry": Case(
        "POST", "/api/v1/items/{item_id}/entries", lambda w: f"/api/v1/items/{w.item.id}/entries",
        201, body=lambda w: {"kind": "decision", "text": "It was agreed."},
        invalid=lambda w: {"kind": "poem"}, forbidden_role="chair",
        conflict=conflict_entry_on_locked),
    "get entry": Case(
        "GET", "/api/v1/entries/{entry_id}", lambda w: f"/api/v1/entries/{w.entry.id}", 200,
        invalid=lambda w: "/api/v1/entries/99999999999", invalid_is_path=True),
    "update entry": Case(
        "PATCH", "/api/v1/entries/{entry_id}", lambda w: f"/api/v1/entries/{w.entry.id}", 200,
        body=lambda w: {"version": 1, "text": "The PCC asked the CC about NAS."},
        invalid=lambda w: {"text": "no version"}, forbidden_role="force",
        conflict=conflict_stale_entry),
    "delete entry": Case(
        "DELETE", "/api/v1/entries/{entry_id}", lambda w: f"/api/v1/entries/{w.entry.id}", 204,
        invalid=lambda w: "/api/v1/entries/0", invalid_is_path=True, forbidden_role="chair",
        conflict=conflict_delete_entry_on_locked),
    "restore entry": Case(
        "POST", "/api/v1/entries/{entry_id}/restore",
        lambda w: f"/api/v1/entries/{w.deleted_entry.id}/restore", 200,
        invalid=lambda w: "/api/v1/entries/x/restore", invalid_is_path=True,
        forbidden_role="viewer", conflict=conflict_restore_on_locked),
    "list revisions": Case(
        "GET", "/api/v1/entries/{entry_id}/revisions",
        lambda w: f"/api/v1/entries/{w.entry.id}/revisions", 200,
        invalid=lambda w: "/api/v1/entries/none/revisions", invalid_is_path=True),
    "list questions": Case(
        "GET", "/api/v1/questions", lambda w: "/api/v1/questions", 200,
        invalid=lambda w: "/api/v1/questions?status=pondering", invalid_is_path=True),
    "create question": Case(
        "POST", "/api/v1/questions", lambda w: "/api/v1/questions", 201,
        body=lambda w: {"text": "Is the force on track for NAS?", "asked_by_id": w.pcc.id,
                        "addressed_to_id": w.cc.id, "meeting_id": w.meeting.id,
                        "item_id": w.item.id},
        invalid=lambda w: {"text": "   "}, forbidden_role="force"),
    "get question": Case(
        "GET", "/api/v1/questions/{question_id}", lambda w: f"/api/v1/questions/{w.question.id}",
        200, invalid=lambda w: "/api/v1/questions/abc", invalid_is_path=True),
    "update question": Case(
        "PATCH", "/api/v1/questions/{question_id}",
        lambda w: f"/api/v1/questions/{w.question.id}", 200,
        body=lambda w: {"status": "ready"}, invalid=lambda w: {"status": "pondering"},
        forbidden_role="viewer"),
    "answer question": Case(
        "POST", "/api/v1/questions/{question_id}/answers",
        lambda w: f"/api/v1/questions/{w.question.id}/answers", 201,
        body=lambda w: {"respondent_id": w.cc.id, "text": "Year two.", "in_meeting": True},
        invalid=lambda w: {"respondent_id": w.cc.id}, forbidden_role="force"),
    "list actions": Case(
        "GET", "/api/v1/actions", lambda w: "/api/v1/actions", 200,
        invalid=lambda w: "/api/v1/actions?overdue=perhaps", invalid_is_path=True),
    "create action": Case(
        "POST", "/api/v1/actions", lambda w: "/api/v1/actions", 201,
        body=lambda w: {"text": "Report on NAS.", "owner_ids": [w.dcc.id, w.cc.id],
                        "due_date": "2019-05-28", "meeting_id": w.meeting.id},
        invalid=lambda w: {"text": "Report.", "owner_ids": []}, forbidden_role="chair"),
    "get action": Case(
        "GET", "/api/v1/actions/{action_id}", lambda w: f"/api/v1/actions/{w.action.id}", 200,
        invalid=lambda w: "/api/v1/actions/abc", invalid_is_path=True),
    "update action": Case(
        "PATCH", "/api/v1/actions/{action_id}", lambda w: f"/api/v1/actions/{w.action.id}", 200,
        body=lambda w: {"due_date": "2019-06-25"}, invalid=lambda w: {"due_date": "2019-06-31"},
        forbidden_role="force"),
    "list updates": Case(
        "GET", "/api/v1/actions/{action_id}/updates",
        lambda w: f"/api/v1/actions/{w.action.id}/updates", 200,
        invalid=lambda w: "/api/v1/actions/abc/updates", invalid_is_path=True),
    "add update": Case(
        "POST", "/api/v1/actions/{action_id}/updates",
        lambda w: f"/api/v1/actions/{w.action.id}/updates", 201,
        body=lambda w: {"text": "Review started.", "status": "in_progress"},
        invalid=lambda w: {"text": "Done", "status": "done"}, forbidden_role="viewer",
        conflict=conflict_update_closed),
    "agenda document": Case(
        "GET", "/api/v1/meetings/{meeting_id}/agenda.docx",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/agenda.docx", 200,
        invalid=lambda w: f"/api/v1/meetings/{w.meeting.id}/agenda.docx?edition=final",
        invalid_is_path=True, forbidden_role="force"),
    "question pack": Case(
        "GET", "/api/v1/meetings/{meeting_id}/question-pack.docx",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/question-pack.docx", 200,
        invalid=lambda w: "/api/v1/meetings/x/question-pack.docx", invalid_is_path=True,
        forbidden_role="viewer"),
    "send questions": Case(
        "POST", "/api/v1/meetings/{meeting_id}/questions/send",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/questions/send", 200,
        invalid=lambda w: "/api/v1/meetings/0/questions/send", invalid_is_path=True,
        forbidden_role="force"),
    "list papers": Case(
        "GET", "/api/v1/items/{item_id}/papers", lambda w: f"/api/v1/items/{w.item.id}/papers",
        200, invalid=lambda w: "/api/v1/items/x/papers", invalid_is_path=True),
    "attach paper": Case(
        "POST", "/api/v1/items/{item_id}/papers", lambda w: f"/api/v1/items/{w.item.id}/papers",
        201, files=lambda w: {"file": ("report.pdf", PDF_BYTES, "application/pdf")},
        invalid_files=lambda w: {"file": ("report.pdf", b"not a pdf at all", "application/pdf")},
        forbidden_role="chair"),
    "download paper": Case(
        "GET", "/api/v1/papers/{paper_id}", lambda w: f"/api/v1/papers/{w.paper.id}", 200,
        invalid=lambda w: "/api/v1/papers/abc", invalid_is_path=True),
    "delete paper": Case(
        "DELETE", "/api/v1/papers/{paper_id}", lambda w: f"/api/v1/papers/{w.paper.id}", 204,
        invalid=lambda w: "/api/v1/papers/-5", invalid_is_path=True, forbidden_role="viewer"),
    "amend entry": Case(
        "POST", "/api/v1/entries/{entry_id}/amendments",
        lambda w: f"/api/v1/entries/{w.approved_entry.id}/amendments", 201,
        body=lambda w: {"reason": "Misheard", "text": "Agreed words, amended."},
        invalid=lambda w: {"text": "Amended without a reason"}, forbidden_role="chair",
        conflict=conflict_amend_draft),
    "minutes document": Case(
        "GET", "/api/v1/meetings/{meeting_id}/minutes.docx",
        lambda w: f"/api/v1/meetings/{w.meeting.id}/minutes.docx", 200,
        invalid=lambda w: f"/api/v1/meetings/{w.meeting.id}/minutes.docx?edition=draft",
        invalid_is_path=True, forbidden_role="viewer"),
}


def _missing_path(case: Case, world) -> str:
    path = case.path(world)
    parts = path.split("/")
    for index, part in enumerate(parts):
        if part.split("?")[0].isdigit():
            parts[index] = str(MISSING)
            return "/".join(parts)
    raise AssertionError(f"{case.route} has no id")


CHECKS = []
for name, case in CASES.items():
    CHECKS.append((name, "success"))
    CHECKS.append((name, "401"))
    if case.has_id:
        CHECKS.append((name, "404"))
    if case.invalid is not None or case.invalid_files is not None:
        CHECKS.append((name, "422"))
    if case.forbidden_role:
        CHECKS.append((name, "403"))
    if case.conflict:
        CHECKS.append((name, "409"))


@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[f"{n}-{c}" for n, c in CHECKS])
def test_endpoint(name, check, client, session, qworld):
    case = CASES[name]
    world = qworld
    body = case.body(world) if case.body else None
    kwargs = {"json": body} if body is not None else {}
    if case.files:
        kwargs = {"files": case.files(world)}
    if check == "success":
        response = _as(client, world, case.method, case.path(world), **kwargs)
        assert response.status_code == case.success, response.text
    elif check == "401":
        response = client.request(case.method, case.path(world), **kwargs)
        assert response.status_code == 401, response.text
        assert response.json()["detail"]
        bad = client.request(case.method, case.path(world), headers=bearer("asr_not-a-token"),
                             **kwargs)
        assert bad.status_code == 401
    elif check == "404":
        response = _as(client, world, case.method, _missing_path(case, world), **kwargs)
        assert response.status_code == 404, response.text
        assert str(MISSING) in response.json()["detail"] or "no" in response.json()["detail"]
    elif check == "422":
        if case.invalid_files:
            response = _as(client, world, case.method, case.path(world),
                           files=case.invalid_files(world))
        elif case.invalid_is_path:
            response = _as(client, world, case.method, case.invalid(world), **kwargs)
        else:
            response = _as(client, world, case.method, case.path(world), json=case.invalid(world))
        assert response.status_code == 422, response.text
        assert response.json()["errors"], response.text
    elif check == "403":
        response = _as(client, world, case.method, case.path(world), case.forbidden_role,
                       **kwargs)
        assert response.status_code == 403, response.text
    elif check == "409":
        response = case.conflict(client, session, world)
        assert response.status_code == 409, response.text


def test_every_route_has_a_case(client):
    spec = client.get("/openapi.json").json()
    routes = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
    }
    covered = {(c.method, c.route) for c in CASES.values()}
    assert routes == covered, f"untested: {routes - covered}; stale: {covered - routes}"
