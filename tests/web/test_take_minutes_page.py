"""The Take minutes page: for the secretariat and administrators, with everything it starts from."""

import json
from datetime import datetime

import pytest
from sqlalchemy import event

from app.models import Action, MeetingStatus, Role
from app.schemas import QuestionCreate
from app.services.questions import create_question
from tests.factories import (
    SYSTEM,
    advance_meeting,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    make_top_team,
)
from tests.web.test_live import sign_in


def state_of(html: str) -> dict:
    start = html.index('<script type="application/json" id="minutes-state">') + len(
        '<script type="application/json" id="minutes-state">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.mark.parametrize("role", [Role.chair, Role.force, Role.viewer])
def test_only_the_secretariat_and_admins_take_minutes(client, session, role):
    meeting = make_meeting(session)
    sign_in(client, session, role)
    response = client.get(f"/meetings/{meeting.id}/take-minutes")
    assert response.status_code == 403
    assert "Only the secretariat and administrators take the minutes." in response.text


def test_the_page_starts_from_the_whole_record(client, session):
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session)
    roads = make_item(session, meeting, title="Roads policing <b>")
    entry = make_entry(session, roads, text="</script><script>alert(1)</script>", speaker_id=pcc.id)
    create_question(session, by=SYSTEM, data=QuestionCreate(
        text="Is collaboration effective?", asked_by_id=pcc.id, addressed_to_id=cc.id,
        meeting_id=meeting.id, item_id=roads.id))
    sign_in(client, session, Role.secretariat)
    response = client.get(f"/meetings/{meeting.id}/take-minutes")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text  # the state is escaped inside its script
    state = state_of(response.text)
    item = state["items"][0]
    assert item["title"] == "Roads policing <b>"
    assert [(e["id"], e["text"], e["speaker_id"]) for e in item["entries"]] == [
        (entry.id, "</script><script>alert(1)</script>", pcc.id)]
    assert [(q["text"], q["asked_by"], q["addressed_to"]) for q in item["questions"]] == [
        ("Is collaboration effective?", "PCC", "CC")]
    assert {p["label"] for p in state["people"]} >= {"PCC", "CC", "DCC"}
    assert 'href="#item-' in response.text  # the agenda works without the script
    assert "Keyboard shortcuts" in response.text


def test_approved_minutes_open_read_only(client, session):
    meeting = make_meeting(session, status=MeetingStatus.draft)
    advance_meeting(session, meeting, MeetingStatus.approved)
    sign_in(client, session, Role.admin)
    response = client.get(f"/meetings/{meeting.id}/take-minutes")
    assert 'data-locked="true"' in response.text
    assert "no longer changed" in response.text


def test_a_panel_member_is_offered_as_a_speaker_by_title_and_surname(client, session):
    pcc, _, _ = make_top_team(session)
    councillor = make_person(session, full_name="Gareth Jones", initials="GJ", title="Cllr")
    public = make_person(session, full_name="Jane Smith", initials="JS")
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Questions to the Commissioner")
    create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many officers patrol the villages?", asked_by_id=councillor.id,
        addressed_to_id=pcc.id, meeting_id=meeting.id, item_id=item.id))
    sign_in(client, session, Role.secretariat)
    response = client.get(f"/meetings/{meeting.id}/take-minutes")
    state = state_of(response.text)
    speakers = {p["id"]: p["speaker"] for p in state["people"]}
    assert (speakers[councillor.id], speakers[public.id], speakers[pcc.id]) == (
        "Cllr Jones", "Jane Smith", "PCC")
    assert [(q["asked_by"], q["addressed_to"]) for q in state["items"][0]["questions"]] == [
        ("Cllr Jones", "PCC")]
    assert '<option value="Cllr Jones">' in response.text  # the speaker box's choices
    assert '<option value="Jane Smith">' in response.text


def test_the_page_does_not_load_the_actions_carried_forward_which_it_does_not_show(
        client, session):
    """The record's outstanding matters are every open action of the series' earlier
    meetings (hundreds after some years); the minute-taker's page shows the meeting's own."""
    _, cc, _ = make_top_team(session)
    series = make_meeting_type(session)
    earlier = make_meeting(session, series, starts_at=datetime(2024, 2, 13, 10))
    meeting = make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    old = make_action(session, [cc], meeting_id=earlier.id, text="Carried forward.")
    own = make_action(session, [cc], meeting_id=meeting.id, item_id=make_item(session, meeting).id,
                      text="Raised here.")
    sign_in(client, session, Role.secretariat)
    loaded = []

    def note(target, context):
        loaded.append(target.id)

    event.listen(Action, "load", note)
    try:
        response = client.get(f"/meetings/{meeting.id}/take-minutes")
    finally:
        event.remove(Action, "load", note)
    assert response.status_code == 200
    assert [a["reference"] for a in state_of(response.text)["items"][0]["actions"]] == [
        own.reference]
    assert own.id in loaded and old.id not in loaded
