"""Every refused form answers the same way: "Error:" at the start of the page's title, and an
error summary ("There is a problem") whose messages each link to a field on the page. A refusal
never shows in a green success banner."""

import re
from datetime import datetime

from app.models import ItemKind, MeetingStatus, Role
from tests.factories import make_item, make_meeting, make_meeting_type
from tests.web.test_action_pages import csrf, sign_in_as_person, team  # noqa: F401 (fixture)
from tests.web.test_live import sign_in as sign_in_with_role
from tests.web.test_record_pages import minuted  # noqa: F401 (fixture)
from tests.web.test_record_pages import sign_in as sign_in_for_record


def assert_refused_as_an_error(response, *, status: int) -> list[str]:
    """The page says "Error:" in its title and links each message to a field it has; the
    field ids linked to."""
    html = response.text
    assert response.status_code == status
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.S)[1]
    assert title.startswith("Error:"), title
    summary = html[html.index('class="govuk-error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert "There is a problem" in summary
    targets = re.findall(r'<a href="#([^"]+)"', summary)
    assert targets
    for target in targets:
        assert f'id="{target}"' in html, target
    assert "govuk-notification-banner--success" not in html
    return targets


def test_taking_up_nothing_is_refused_as_an_error_not_a_success(client, session, team):  # noqa: F811
    sign_in_with_role(client, session, Role.secretariat)
    series = make_meeting_type(session)
    later = make_meeting(session, series, starts_at=datetime(2019, 5, 28, 10))
    make_item(session, later, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    token = csrf(client.get("/actions").text)
    nothing_ticked = client.post("/actions/take-up", data={
        "csrf_token": token, "meeting_id": str(later.id), "back": "q=CIU"})
    assert "Tick at least one action" in nothing_ticked.text
    assert assert_refused_as_an_error(nothing_ticked, status=422) == [f"pick-{team['theirs'].id}"]
    assert 'value="CIU"' in nothing_ticked.text  # the filters it was sent from are kept
    no_meeting = client.post("/actions/take-up", data={
        "csrf_token": token, "action_id": [str(team["mine"].id)]})
    assert "Choose the meeting" in no_meeting.text
    assert assert_refused_as_an_error(no_meeting, status=422) == ["take-up-meeting"]


def test_the_action_log_with_a_date_that_does_not_exist(client, session, team):  # noqa: F811
    sign_in_with_role(client, session, Role.viewer)
    assert assert_refused_as_an_error(client.get("/actions?due_from=31/02/2030"),
                                      status=200) == ["due_from"]


def test_the_record_page_refusals(client, session, minuted):  # noqa: F811
    meeting = minuted["meeting"]
    token = sign_in_for_record(client, session, Role.chair, person=minuted["pcc"])
    early = client.post(f"/meetings/{meeting.id}/approve", data={"csrf_token": token})
    assert_refused_as_an_error(early, status=409)

    series = make_meeting_type(session)
    april = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10),
                         status=MeetingStatus.draft)
    token = sign_in_for_record(client, session, Role.secretariat)
    bad = client.post(f"/meetings/{april.id}/approve-at-meeting",
                      data={"csrf_token": token, "at_meeting_id": "x"})
    assert assert_refused_as_an_error(bad, status=422) == ["at_meeting_id"]


def test_the_redaction_page_refusal(client, session, minuted):  # noqa: F811
    meeting, entry = minuted["meeting"], minuted["entry"]
    token = sign_in_for_record(client, session, Role.secretariat)
    missing = client.post(f"/meetings/{meeting.id}/redaction", data={
        "csrf_token": token, "kind": "entry", "target_id": str(entry.id), "exempt": "yes"})
    assert assert_refused_as_an_error(missing, status=422) == [f"entry-{entry.id}-choice"]


def test_the_owners_page_refusals(client, session, team):  # noqa: F811
    sign_in_as_person(client, session, Role.force, team["dcc"])
    token = csrf(client.get("/my-actions").text)
    action_id = team["mine"].id
    empty = client.post(f"/my-actions/{action_id}/updates", data={
        "csrf_token": token, "text": "", "status": ""})
    assert assert_refused_as_an_error(empty, status=422) == [f"text-{action_id}"]
    nobody = client.post(f"/my-actions/{action_id}/delegate", data={
        "csrf_token": token, "to_person_id": ""})
    assert assert_refused_as_an_error(nobody, status=422) == [f"to_person_id-{action_id}"]
