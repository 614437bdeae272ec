"""Roles: force users read what is not exempt and update only their own actions; viewers read;
the chair approves and closes; 404 for what a caller may not see, 403 for what they may not do."""

from app.models import MeetingStatus
from app.services import approval
from tests.factories import SYSTEM, advance_meeting, bearer


def _get(client, world, role, path):
    return client.get(path, headers=bearer(world.tokens[role]))


def test_force_and_viewer_see_the_meeting_without_its_exempt_content(client, world):
    for role in ("force", "viewer"):
        meeting = _get(client, world, role, f"/api/v1/meetings/{world.meeting.id}").json()
        items = {i["title"]: i for i in meeting["items"]}
        exempt = items["Covert tactics"]
        assert exempt["exempt"] and exempt["entries"] == [] and exempt["actions"] == []
        texts = [e["text"] for e in items["Roads policing"]["entries"]]
        assert "A name that must not be published." not in texts
        assert "The PCC asked the CC about ANPR." in texts
        assert _get(client, world, role, f"/api/v1/entries/{world.exempt_entry.id}").status_code \
            == 404
        listed = [a["id"] for a in _get(client, world, role, "/api/v1/actions").json()["results"]]
        assert world.action.id in listed
        assert _get(client, world, role,
                    f"/api/v1/items/{world.exempt_item.id}/entries").status_code == 404
    # The viewer does not see the exempt action; the force user owns it, and does (below).
    assert _get(client, world, "viewer",
                f"/api/v1/actions/{world.exempt_action.id}").status_code == 404
    assert world.exempt_action.id not in [
        a["id"] for a in _get(client, world, "viewer", "/api/v1/actions").json()["results"]]
    secretariat = _get(client, world, "secretariat", f"/api/v1/meetings/{world.meeting.id}").json()
    assert any(i["entries"] for i in secretariat["items"] if i["title"] == "Covert tactics") \
        is False  # it has no entries, but the secretariat sees its action
    assert any(a["id"] == world.exempt_action.id
               for i in secretariat["items"] for a in i["actions"])


def test_the_owner_of_an_exempt_action_sees_it_marked_and_updates_it(client, world):
    """The DCC owns an action raised under an exempt item: they see and update it, marked as
    exempt; viewers do not (nor does the rest of the force: tests/web/test_exempt_canary.py)."""
    path = f"/api/v1/actions/{world.exempt_action.id}"
    seen = _get(client, world, "force", path)
    assert seen.status_code == 200 and seen.json()["exempt"] is True
    assert seen.json()["text"] == "Secret follow-up."
    assert world.exempt_action.id in [
        a["id"] for a in _get(client, world, "force", "/api/v1/actions").json()["results"]]
    posted = client.post(f"{path}/updates", headers=bearer(world.tokens["force"]),
                         json={"text": "Done the secret part.", "status": "in_progress"})
    assert posted.status_code == 201, posted.text
    assert _get(client, world, "force", f"{path}/updates").json()["results"][-1]["text"] == \
        "Done the secret part."
    assert _get(client, world, "viewer", path).status_code == 404


def test_a_force_owner_updates_their_own_action_only_and_cannot_close_it(client, world):
    headers = bearer(world.tokens["force"])
    own = f"/api/v1/actions/{world.action.id}"
    other = f"/api/v1/actions/{world.other_action.id}"
    response = client.post(f"{own}/updates", headers=headers,
                           json={"text": "Business case found.", "status": "in_progress"})
    assert response.status_code == 201
    response = client.post(f"{other}/updates", headers=headers, json={"text": "Not mine"})
    assert response.status_code == 403
    assert client.get(f"{other}/updates", headers=headers).json()["results"] == []
    response = client.post(f"{own}/updates", headers=headers,
                           json={"text": "Done", "status": "closed"})
    assert response.status_code == 403
    assert client.patch(own, headers=headers, json={"text": "Rewritten"}).status_code == 403
    response = client.post(f"{own}/updates", headers=headers,
                           json={"text": "Please close.", "status": "pending_signoff"})
    assert response.status_code == 201
    assert client.get(own, headers=headers).json()["status"] == "pending_signoff"
    chair = bearer(world.tokens["chair"])
    closed = client.patch(own, headers=chair, json={"status": "closed"})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["rag"] is None


def test_force_and_viewer_download_only_the_public_edition(client, world):
    path = f"/api/v1/meetings/{world.meeting.id}/minutes.docx"
    for role in ("force", "viewer"):
        assert client.get(path, headers=bearer(world.tokens[role])).status_code == 403
        public = client.get(f"{path}?edition=public", headers=bearer(world.tokens[role]))
        assert public.status_code == 200


def test_draft_questions_are_the_commissioners_own(client, world):
    chair = bearer(world.tokens["chair"])
    draft = client.post("/api/v1/questions", headers=chair, json={
        "text": "Is the force ready for NAS?", "meeting_id": world.meeting.id,
        "item_id": world.item.id}).json()
    for role in ("force", "viewer"):
        assert _get(client, world, role, f"/api/v1/questions/{draft['id']}").status_code == 404
    client.patch(f"/api/v1/questions/{draft['id']}", headers=chair, json={"status": "sent"})
    assert _get(client, world, "force", f"/api/v1/questions/{draft['id']}").status_code == 200


def test_the_chair_approves_draft_minutes_but_edits_nothing_else(client, world, session):
    chair = bearer(world.tokens["chair"])
    path = f"/api/v1/meetings/{world.meeting.id}"
    assert client.patch(path, headers=chair, json={"venue": "Elsewhere"}).status_code == 403
    advance_meeting(session, world.meeting, MeetingStatus.draft)
    unsubmitted = client.patch(path, headers=chair, json={"status": "approved"})
    assert unsubmitted.status_code == 409
    assert unsubmitted.json()["detail"] == approval.NOT_SUBMITTED
    approval.submit_to_chair(session, meeting_id=world.meeting.id, by=SYSTEM)
    response = client.patch(path, headers=chair, json={"status": "approved"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    entry = client.patch(f"/api/v1/entries/{world.entry.id}",
                         headers=bearer(world.tokens["secretariat"]),
                         json={"version": 1, "text": "Changed after approval"})
    assert entry.status_code == 409


def test_every_change_is_audited_with_who_did_it(client, world, session):
    from sqlmodel import select

    from app.models import AuditEvent

    headers = bearer(world.tokens["secretariat"])
    client.patch(f"/api/v1/people/{world.cc.id}", headers=headers, json={"initials": "ABa"})
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "person",
                                                  AuditEvent.object_id == world.cc.id,
                                                  AuditEvent.verb == "update")).one()
    assert event.actor.startswith("secretariat") and "initials" in event.summary
    exported = client.get(f"/api/v1/meetings/{world.meeting.id}/minutes.docx", headers=headers)
    assert exported.status_code == 200
    session.rollback()  # end the read transaction, to see what the app committed since
    assert session.exec(select(AuditEvent).where(AuditEvent.verb == "export")).first()
