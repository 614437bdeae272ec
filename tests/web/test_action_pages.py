"""Owners update their own actions (with an account or from an emailed link), ask for
closure, and only the chair or the secretariat closes; the action log finds and exports."""

import re
from datetime import date, datetime, timedelta

import pytest

from app.models import ActionStatus, ItemKind, OwnerLink, Role, utcnow
from app.schemas import ActionUpdateCreate
from app.services import actions, owner_links
from app.services.minutes import Edition, load_record, minutes_of
from app.web.deps import link_form_token
from tests.factories import (
    SYSTEM,
    make_action,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
)
from tests.web.signing import sign_in_through_form
from tests.web.test_live import sign_in


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def status_of(session, action):
    session.rollback()
    session.refresh(action)
    return action.status


@pytest.fixture
def team(session):
    pcc, cc, dcc = make_top_team(session)
    mine = make_action(session, [dcc], text="The DCC to review the ANPR business case.")
    theirs = make_action(session, [cc], text="The CC to report on the CIU model.")
    return {"pcc": pcc, "cc": cc, "dcc": dcc, "mine": mine, "theirs": theirs}


def sign_in_as_person(client, session, role, person):
    email = f"{role}.{person.id}@people.example"
    make_user(session, role, person=person, email=email, password="a long passphrase here")
    sign_in_through_form(client, session, email, "a long passphrase here")


def test_a_force_user_updates_only_their_own_and_cannot_close(client, session, team):
    sign_in_as_person(client, session, Role.force, team["dcc"])
    page = client.get("/my-actions")
    assert page.status_code == 200
    assert team["mine"].text in page.text and team["theirs"].text not in page.text
    token = csrf(page.text)
    ok = client.post(f"/my-actions/{team['mine'].id}/updates", data={
        "csrf_token": token, "text": "Business case found.", "status": "in_progress"},
        follow_redirects=False)
    assert ok.status_code == 303
    assert status_of(session, team["mine"]) == ActionStatus.in_progress
    other = client.post(f"/my-actions/{team['theirs'].id}/updates", data={
        "csrf_token": token, "text": "Not mine", "status": "in_progress"})
    assert other.status_code == 403
    assert status_of(session, team["theirs"]) == ActionStatus.open
    closing = client.post(f"/my-actions/{team['mine'].id}/updates", data={
        "csrf_token": token, "text": "Done", "status": "closed"})
    assert closing.status_code == 403
    assert status_of(session, team["mine"]) == ActionStatus.in_progress
    asked = client.post(f"/my-actions/{team['mine'].id}/updates", data={
        "csrf_token": token, "text": "Criteria met; please close.",
        "status": "pending_signoff"}, follow_redirects=False)
    assert asked.status_code == 303
    assert status_of(session, team["mine"]) == ActionStatus.pending_signoff
    # The action's own page offers the force user no closing button.
    assert "Close the action" not in client.get(f"/actions/{team['mine'].id}").text


def test_the_chair_closes_or_sends_back_with_a_reason(client, session, team):
    actions.add_update(session, action_id=team["mine"].id, by=SYSTEM, data=ActionUpdateCreate(
        text="Please close.", status=ActionStatus.pending_signoff))
    sign_in_as_person(client, session, Role.chair, team["pcc"])
    page = client.get(f"/actions/{team['mine'].id}")
    assert "The owner has asked for this action to be closed." in page.text
    token = csrf(page.text)
    refused = client.post(f"/actions/{team['mine'].id}/send-back",
                          data={"csrf_token": token, "text": " "})
    assert refused.status_code == 422 and "say why" in refused.text.lower()
    back = client.post(f"/actions/{team['mine'].id}/send-back", data={
        "csrf_token": token, "text": "The criteria need evidence."}, follow_redirects=False)
    assert back.status_code == 303
    assert status_of(session, team["mine"]) == ActionStatus.in_progress
    closed = client.post(f"/actions/{team['mine'].id}/close", data={
        "csrf_token": token, "text": "Evidence seen."}, follow_redirects=False)
    assert closed.status_code == 303
    assert status_of(session, team["mine"]) == ActionStatus.closed
    history = client.get(f"/actions/{team['mine'].id}").text
    assert "The criteria need evidence." in history and "Evidence seen." in history


def test_an_emailed_link_opens_only_the_owners_actions(client, session, team):
    new = owner_links.create_link(session, person_id=team["dcc"].id, by=SYSTEM)
    page = client.get(new.path())
    assert page.status_code == 200
    assert team["mine"].text in page.text and team["theirs"].text not in page.text
    form_token = link_form_token(new.token)  # bound to the link: there is no session
    assert f'name="csrf_token" value="{form_token}"' in page.text
    posted = client.post(f"{new.path()}/actions/{team['mine'].id}/updates",
                         data={"text": "Started.", "status": "in_progress",
                               "csrf_token": form_token},
                         follow_redirects=False)
    assert posted.status_code == 303
    assert status_of(session, team["mine"]) == ActionStatus.in_progress
    other = client.post(f"{new.path()}/actions/{team['theirs'].id}/updates",
                        data={"text": "Sneaky", "status": "in_progress",
                              "csrf_token": form_token})
    assert other.status_code == 403
    assert status_of(session, team["theirs"]) == ActionStatus.open
    closing = client.post(f"{new.path()}/actions/{team['mine'].id}/updates",
                          data={"text": "All done", "status": "closed",
                                "csrf_token": form_token})
    assert closing.status_code == 403
    assert status_of(session, team["mine"]) == ActionStatus.in_progress


def test_the_owner_of_an_exempt_action_works_on_it_and_nobody_else_in_the_force_sees_it(
        client, session, team):
    """Once an action is exempt its force owner still sees it, marked, on My actions, their
    emailed link and its own page, and updates it there; another force officer does not."""
    from app.services.redaction import set_action_exemption

    secret = make_action(session, [team["dcc"]], text="The DCC to brief on the covert unit.")
    set_action_exemption(session, action_id=secret.id, exempt=True,
                         reason="section 31 of the Freedom of Information Act 2000", by=SYSTEM)
    mark = "Exempt – not for publication"

    link = owner_links.create_link(session, person_id=team["dcc"].id, by=SYSTEM)
    page = client.get(link.path())
    assert secret.text in page.text and mark in page.text
    posted = client.post(f"{link.path()}/actions/{secret.id}/updates",
                         data={"text": "Briefing booked.", "status": "in_progress",
                               "csrf_token": link_form_token(link.token)},
                         follow_redirects=False)
    assert posted.status_code == 303
    assert status_of(session, secret) == ActionStatus.in_progress

    sign_in_as_person(client, session, Role.force, team["dcc"])
    mine = client.get("/my-actions")
    assert secret.text in mine.text and mine.text.count(mark) == 1
    own_page = client.get(f"/actions/{secret.id}")
    assert own_page.status_code == 200 and mark in own_page.text
    assert "Briefing booked." in own_page.text
    log = client.get("/actions")
    assert secret.text in log.text and mark in log.text

    client.cookies.clear()
    sign_in_as_person(client, session, Role.force, team["cc"])
    assert secret.text not in client.get("/actions").text
    assert client.get(f"/actions/{secret.id}").status_code == 404
    cc_link = owner_links.create_link(session, person_id=team["cc"].id, by=SYSTEM)
    assert client.get(f"{cc_link.path()}/actions/{secret.id}/updates").status_code in (404, 405)
    refused = client.post(f"{cc_link.path()}/actions/{secret.id}/updates",
                          data={"text": "Peek", "csrf_token": link_form_token(cc_link.token)})
    assert refused.status_code == 404 and secret.text not in refused.text


def test_expired_revoked_and_altered_links_are_refused(client, session, team):
    new = owner_links.create_link(session, person_id=team["dcc"].id, by=SYSTEM)
    altered = new.path()[:-2] + ("AA" if not new.path().endswith("AA") else "BB")
    assert client.get(altered).status_code == 404
    link = session.get(OwnerLink, new.link.id)
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert client.get(new.path()).status_code == 404
    fresh = owner_links.create_link(session, person_id=team["dcc"].id, by=SYSTEM)
    assert client.get(fresh.path()).status_code == 200
    owner_links.revoke_link(session, link_id=fresh.link.id, by=SYSTEM)
    refused = client.get(fresh.path())
    assert refused.status_code == 404 and "Ask the Commissioner" in refused.text
    posted = client.post(f"{fresh.path()}/actions/{team['mine'].id}/updates",
                         data={"text": "Too late", "status": "in_progress",
                               "csrf_token": link_form_token(fresh.token)})
    assert posted.status_code == 404
    assert status_of(session, team["mine"]) == ActionStatus.open


def test_an_owner_hands_an_action_on_and_it_is_recorded(client, session, team):
    new = owner_links.create_link(session, person_id=team["dcc"].id, by=SYSTEM)
    done = client.post(f"{new.path()}/actions/{team['mine'].id}/delegate",
                       data={"to_person_id": str(team["cc"].id), "note": "CC's area.",
                             "csrf_token": link_form_token(new.token)},
                       follow_redirects=False)
    assert done.status_code == 303
    view = actions.get_action(session, action_id=team["mine"].id, by=SYSTEM)
    assert view.owner_ids == [team["cc"].id]
    assert "Handed on from Amanda Blakeman to Anthony Bangham. CC's area." in [
        u.text for u in actions.list_updates(session, action_id=team["mine"].id, by=SYSTEM)]
    assert client.get(new.path()).text.count("The DCC to review") == 0


def test_the_page_offers_and_the_service_allows_only_force_colleagues(client, session, team):
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/actions/{team['mine'].id}")
    offered = re.findall(r'<option value="(\d+)">', page.text.split('id="to_person_id"')[1]
                         .split("</select>")[0])
    assert offered == [str(team["cc"].id)]  # not the PCC (OPCC side), not the DCC (owner)
    refused = client.post(f"/actions/{team['mine'].id}/delegate", data={
        "csrf_token": csrf(page.text), "from_person_id": str(team["dcc"].id),
        "to_person_id": str(team["pcc"].id), "note": "Yours"})
    assert refused.status_code == 422
    assert "John Campion is not in the force" in refused.text
    assert 'value="Yours"' in refused.text  # what was typed is kept
    view = actions.get_action(session, action_id=team["mine"].id, by=SYSTEM)
    assert view.owner_ids == [team["dcc"].id]


def test_the_action_log_filters_searches_sorts_and_takes_actions_up(client, session, team):
    series = make_meeting_type(session, name="Performance")
    meeting = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10))
    holding = make_item(session, meeting, title="Holding to account")
    roads = make_item(session, meeting, title="Roads policing", parent=holding)
    sub = make_item(session, meeting, title="Partnership working", parent=roads)
    themed = make_action(session, [team["dcc"]], meeting_id=meeting.id, item_id=sub.id,
                         text="Evaluate Op SNAP.", due_date=date(2030, 3, 1))
    sign_in(client, session, Role.secretariat)
    assert "Evaluate Op SNAP." in client.get("/actions?theme=roads+policing").text
    assert "Evaluate Op SNAP." not in client.get("/actions?theme=domestic+abuse").text
    found = client.get("/actions?q=ANPR").text
    assert team["mine"].text in found and "Evaluate Op SNAP." not in found
    ranged = client.get("/actions?due_from=01/02/2030&due_to=31/12/2030").text
    assert "Evaluate Op SNAP." in ranged and team["mine"].text not in ranged
    bad = client.get("/actions?due_from=31/02/2030")
    assert bad.status_code == 200 and "enter a real date" in bad.text.lower()
    by_due = client.get("/actions?sort=due&order=desc").text
    assert by_due.index("Evaluate Op SNAP.") < by_due.index(team["mine"].text)
    later = make_meeting(session, series, starts_at=datetime(2019, 5, 28, 10))
    make_item(session, later, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    token = csrf(client.get("/actions").text)
    taken = client.post("/actions/take-up", data={
        "csrf_token": token, "action_id": [str(team["theirs"].id)], "meeting_id": str(later.id)},
        follow_redirects=False)
    assert taken.status_code == 303 and "1%20actions" in taken.headers["location"]
    session.rollback()
    record = load_record(session, meeting_id=later.id, redact=False)
    carried = minutes_of(record, office_short_name="OPCC", office_name="Office",
                         edition=Edition.internal).items[0].carried_forward
    assert {a.text for a in carried} == {team["theirs"].text, "Evaluate Op SNAP."}
    assert themed


def test_the_action_log_chart_counts_open_actions_by_rag(client, session, team):
    sign_in(client, session, Role.viewer)
    page = client.get("/actions").text
    assert "Open actions over the last 12 weeks" in page
    assert '<svg class="assure-chart__svg"' in page and "<title id=\"chart-title\">" in page
    table = page[page.index("Open actions shown, by owner and RAG"):]
    assert ">DCC<" in table and ">CC<" in table


def test_a_search_finds_words_of_an_actions_latest_update_not_of_older_ones(
        client, session, team):
    from datetime import UTC

    from app.models import ActionUpdate

    action = team["mine"]
    for days, words in ((1, "Waiting on the camera supplier."), (2, "Funding agreed.")):
        session.add(ActionUpdate(action_id=action.id, text=words,
                                 created_at=datetime(2026, 1, days, 10, tzinfo=UTC)))
    session.commit()
    sign_in(client, session, Role.secretariat)
    assert action.text in client.get("/actions?q=funding+AGREED").text
    assert action.text not in client.get("/actions?q=camera+supplier").text
