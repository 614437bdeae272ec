"""The series pages: the list with everyone's own calendar, and one series' schedule, standing
items, invitees, meetings and calendar links."""

import re
from datetime import date

import pytest
from sqlmodel import select

from app.models import ItemKind, Meeting, Role
from app.services import meetings as meeting_service
from app.services import schedule
from app.web import series_pages
from tests.factories import (
    CommittingClient,
    make_meeting_type,
    make_person,
    make_top_team,
    make_user,
)
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
XSS = "<script>alert('x')</script>"


@pytest.fixture
def client(app, session):
    if not any(getattr(r, "path", "").startswith("/series") for r in app.routes):
        app.include_router(series_pages.router)
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          session=session) as test_client:
        yield test_client


@pytest.fixture
def april(monkeypatch):
    """Today is Monday 20 April 2026 for the schedule, so that May 2026 is still to come."""
    monkeypatch.setattr(schedule, "today", lambda: date(2026, 4, 20))


def sign_in(client, session, role: Role, person=None):
    user, _ = make_user(session, role, person=person, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return user


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def fresh(session) -> None:
    session.rollback()
    session.expire_all()


def schedule_form(people=(), **changes) -> dict:
    """The series form for a weekly Monday series from 27 April 2026."""
    values = {
        "name": "Police Accountability Board", "default_venue": "Hindlip Hall",
        "recurrence": "weekly", "interval": "1", "weekday": "0", "monthly_by": "weekday",
        "week_of_month": "", "day_of_month": "", "start_time": "10:00",
        "duration_minutes": "120", "starts_on-day": "27", "starts_on-month": "4",
        "starts_on-year": "2026", "ends_on-day": "", "ends_on-month": "", "ends_on-year": "",
        "public_question_days": "10",
        "standing_items": "outstanding matters: Outstanding matters\nHolding to account\n"
                          "aob: AOB",
        "invitees": [str(p.id) for p in people],
    }
    values.update(changes)
    return values


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_series(client, session, role):
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    sign_in(client, session, role)
    listing = client.get("/series")
    assert listing.status_code == 200
    assert f'href="/series/{series.id}"' in listing.text and "Not scheduled" in listing.text
    page = client.get(f"/series/{series.id}")
    assert page.status_code == 200
    editable = role in (Role.admin, Role.secretariat)
    assert ("Save the series" in page.text) == editable
    assert ("Make the meetings for the next 12 months" in page.text) == editable
    # the reader's own link to the series
    assert re.search(rf"/calendar/series/{series.id}\.ics\?user=\d+&amp;token=", page.text)
    assert client.get("/series/999999").status_code == 404


def test_the_list_shows_your_own_calendar_when_you_are_a_person(client, session):
    pcc, _, _ = make_top_team(session)
    sign_in(client, session, Role.chair, person=pcc)
    page = client.get("/series").text
    assert f"/calendar/person/{pcc.id}.ics?token=" in page
    assert f"webcal://testserver/calendar/person/{pcc.id}.ics?token=" in page
    client.cookies.clear()
    sign_in(client, session, Role.viewer)
    assert "/calendar/person/" not in client.get("/series").text
    assert "not linked to a person" in client.get("/series").text


def test_a_schedule_is_saved_its_meetings_made_and_bank_holidays_shown(client, session, april):
    pcc, cc, _ = make_top_team(session)
    series = make_meeting_type(session, name="Board")
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{series.id}")
    saved = client.post(f"/series/{series.id}", data={
        **schedule_form([pcc, cc]), "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"])
    assert "The series has been saved." in page.text
    assert "Weekly on Monday at 10:00" in page.text
    fresh(session)
    items = meeting_service.series_items(session, series.id)
    assert [(i.title, i.kind) for i in items] == [
        ("Outstanding matters", ItemKind.outstanding_matters),
        ("Holding to account", ItemKind.other), ("AOB", ItemKind.aob)]
    assert [p.id for _, p in meeting_service.series_attendees(session, series.id)] == [
        pcc.id, cc.id]

    made = client.post(f"/series/{series.id}/meetings", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert made.status_code == 303
    fresh(session)
    count = len(session.exec(select(Meeting).where(Meeting.meeting_type_id == series.id)).all())
    assert count >= 52
    page = client.get(made.headers["location"])
    assert f"{count} meetings made, 0 already there." in page.text
    assert "Mon 27 Apr 2026, 10:00" in page.text
    row = re.search(r"Mon 4 May 2026, 10:00.*?</tr>", page.text, re.S)[0]
    assert "Bank holiday: Early May bank holiday" in row
    assert "Police Accountability Board May 2026" in row and "Hindlip Hall" in row
    assert re.search(rf"webcal://testserver/calendar/series/{series.id}\.ics\?user=\d+&amp;"
                     r"token=", page.text)
    assert "Subscribe from web" in page.text

    again = client.post(f"/series/{series.id}/meetings", data={"csrf_token": csrf_of(page.text)})
    assert f"0 meetings made, {count} already there." in again.text


def test_a_monthly_schedule_by_date_ignores_the_weekday(client, session, april):
    series = make_meeting_type(session, name="Board")
    sign_in(client, session, Role.admin)
    page = client.get(f"/series/{series.id}")
    saved = client.post(f"/series/{series.id}", data={
        **schedule_form(recurrence="monthly", monthly_by="day", day_of_month="15",
                        week_of_month="-1", skip_months=["8"]),
        "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    page = client.get(f"/series/{series.id}").text
    assert "Monthly on the 15th at 10:00, no meeting in August" in page
    assert 'value="8" checked' in page


def test_a_date_that_does_not_exist_is_a_field_error_and_input_is_kept(client, session):
    series = make_meeting_type(session, name="Board")
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{series.id}")
    response = client.post(f"/series/{series.id}", data={
        **schedule_form(**{"starts_on-day": "31", "starts_on-month": "2",
                           "start_time": "25:00", "standing_items": "aob: Kept AOB"}),
        "csrf_token": csrf_of(page.text)})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "The start date must be a real date" in response.text
    assert 'href="#starts_on-day"' in response.text
    assert 'value="31"' in response.text and 'value="25:00"' in response.text
    assert "aob: Kept AOB" in response.text
    fresh(session)
    assert meeting_service.get_meeting_type(session, series.id).recurrence == "none"


def test_a_schedule_that_cannot_make_meetings_says_what_to_change(client, session):
    series = make_meeting_type(session, name="Board")
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{series.id}")
    token = csrf_of(page.text)
    response = client.post(f"/series/{series.id}", data={
        **schedule_form(weekday="", name="Renamed board"), "csrf_token": token})
    assert response.status_code == 422
    assert "Choose the day of the week the series meets on" in response.text
    assert 'value="Renamed board"' in response.text
    fresh(session)
    assert meeting_service.get_meeting_type(session, series.id).name == "Board"
    unscheduled = client.post(f"/series/{series.id}/meetings", data={"csrf_token": token})
    assert unscheduled.status_code == 422
    assert "Set the series&#39; schedule before making its meetings" in unscheduled.text


def test_posts_without_the_csrf_token_or_by_readers_are_refused(client, session):
    series = make_meeting_type(session, name="Board")
    sign_in(client, session, Role.admin)
    assert client.post(f"/series/{series.id}", data=schedule_form()).status_code == 403
    assert client.post(f"/series/{series.id}/meetings").status_code == 403
    client.cookies.clear()
    sign_in(client, session, Role.chair)
    token = csrf_of(client.get(f"/series/{series.id}").text)
    for path, data in [(f"/series/{series.id}", schedule_form()),
                       (f"/series/{series.id}/meetings", {})]:
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    fresh(session)
    assert meeting_service.get_meeting_type(session, series.id).recurrence == "none"


def test_everything_typed_is_escaped(client, session, april):
    series = make_meeting_type(session, name="Board", default_venue=XSS)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{series.id}")
    saved = client.post(f"/series/{series.id}", data={
        **schedule_form(name=XSS, standing_items=f"aob: {XSS}", default_venue=XSS),
        "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert saved.status_code == 303
    client.post(f"/series/{series.id}/meetings", data={"csrf_token": csrf_of(page.text)})
    for path in ("/series", f"/series/{series.id}"):
        text = client.get(path).text
        assert XSS not in text and "&lt;script&gt;" in text, path


# --- adding a series --------------------------------------------------------------------------


def new_series_form(chair=None, taker=None, people=(), **changes) -> dict:
    """A monthly series on the 25th from 20 April 2026: Saturday 25 April, the Spring bank
    holiday on 25 May and Christmas Day fall on its dates."""
    values = schedule_form(people, name="Performance and Accountability Board",
                           recurrence="monthly", monthly_by="day", day_of_month="25",
                           weekday="", **{"starts_on-day": "20", "starts_on-month": "4"})
    values.update(default_chair_id=str(chair.id) if chair else "",
                  default_minute_taker_id=str(taker.id) if taker else "")
    values.update(changes)
    return values


def series_count(session) -> int:
    fresh(session)
    return len(meeting_service.list_meeting_types(session))


def test_the_secretariat_previews_a_new_series_then_saves_it_and_makes_its_meetings(
        client, session, april):
    pcc, cc, _ = make_top_team(session)
    officer = make_person(session, full_name="Nicola Adams", initials="NA")
    sign_in(client, session, Role.secretariat)
    listing = client.get("/series").text
    assert 'href="/series/new"' in listing and "Add a series" in listing
    page = client.get("/series/new")
    assert page.status_code == 200 and ">Add a series</h1>" in page.text
    token = csrf_of(page.text)

    preview = client.post("/series/new", data={
        **new_series_form(pcc, officer, [pcc, cc]), "action": "preview", "csrf_token": token})
    assert preview.status_code == 200, preview.text
    assert "The dates this schedule makes" in preview.text
    rows = {re.search(r"<time[^>]*>([^<]+)</time>", row)[1]: row
            for row in re.findall(r"<tr class=\"govuk-table__row\">.*?</tr>", preview.text, re.S)
            if "<time" in row}
    assert len(rows) == 12
    assert "Saturday" in rows["Sat 25 Apr 2026, 10:00"]
    assert "Bank holiday: Spring bank holiday" in rows["Mon 25 May 2026, 10:00"]
    assert "Bank holiday: Christmas Day" in rows["Fri 25 Dec 2026, 10:00"]
    assert "Bank holiday" not in rows["Thu 25 Jun 2026, 10:00"]
    assert "Saturday" not in rows["Thu 25 Jun 2026, 10:00"]
    assert 'value="Performance and Accountability Board"' in preview.text  # the form is kept
    assert series_count(session) == 0  # a preview saves nothing

    saved = client.post("/series/new", data={
        **new_series_form(pcc, officer, [pcc, cc]), "action": "make",
        "csrf_token": csrf_of(preview.text)}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    fresh(session)
    [series] = meeting_service.list_meeting_types(session)
    assert saved.headers["location"].startswith(f"/series/{series.id}?saved=1&made=12")
    assert (series.default_chair_id, series.default_minute_taker_id) == (pcc.id, officer.id)
    assert [i.title for i in meeting_service.series_items(session, series.id)] == [
        "Outstanding matters", "Holding to account", "AOB"]
    assert [p.id for _, p in meeting_service.series_attendees(session, series.id)] == [
        pcc.id, cc.id]
    made = session.exec(select(Meeting).where(Meeting.meeting_type_id == series.id)).all()
    assert len(made) == 12
    assert {(m.chair_id, m.minute_taker_id, m.venue) for m in made} == {
        (pcc.id, officer.id, "Hindlip Hall")}
    page = client.get(saved.headers["location"]).text
    # one banner says both: saved, and the meetings made
    assert page.count("govuk-notification-banner--success") == 1
    assert re.search(r'govuk-notification-banner__heading">\s*The series has been saved\. '
                     r"12 meetings made, 0 already there\.", page)
    assert "Monthly on the 25th at 10:00" in page
    client.cookies.clear()
    sign_in(client, session, Role.viewer)
    read = client.get(f"/series/{series.id}").text
    assert "Usually chaired by" in read and "John Campion" in read and "Nicola Adams" in read


def test_save_keeps_the_series_without_making_meetings(client, session, april):
    sign_in(client, session, Role.admin)
    token = csrf_of(client.get("/series/new").text)
    saved = client.post("/series/new", data={**new_series_form(), "action": "save",
                                              "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    fresh(session)
    [series] = meeting_service.list_meeting_types(session)
    assert saved.headers["location"] == f"/series/{series.id}?saved=1"
    assert session.exec(select(Meeting)).all() == []


@pytest.mark.parametrize(("changes", "status", "message", "anchor"), [
    ({"starts_on-day": "31", "starts_on-month": "2"}, 422,
     "The start date must be a real date", "#starts_on-day"),
    ({"default_chair_id": "999999"}, 422, "Choose the chair from the list",
     "#default_chair_id"),
    ({"default_minute_taker_id": "someone"}, 422, "Choose the minute-taker from the list",
     "#default_minute_taker_id"),
    ({"name": "B" * 300}, 422, "The name must be at most 200 characters", "#name"),
    ({"name": ""}, 422, "Enter the name of the series", "#name"),
    ({"day_of_month": "32"}, 422, "Give a day of the month from 1 to 31", "#day_of_month"),
    ({"standing_items": "x" * 150_000}, 422, "Some of what was sent is not valid", None),
])
@pytest.mark.parametrize("action", ["preview", "make"])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
        client, session, april, changes, status, message, anchor, action):
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get("/series/new").text)
    response = client.post("/series/new", data={**new_series_form(), **changes,
                                                 "action": action, "csrf_token": token})
    assert response.status_code == status
    assert message in response.text
    if anchor:
        assert "<title>Error: Add a series" in response.text
        assert f'href="{anchor}"' in response.text
    assert series_count(session) == 0
    assert session.exec(select(Meeting)).all() == []


def test_an_invitee_who_does_not_exist_leaves_nothing_saved(client, session, april):
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get("/series/new").text)
    response = client.post("/series/new", data={**new_series_form(), "invitees": ["999999"],
                                                 "action": "make", "csrf_token": token})
    assert response.status_code == 422
    assert "There is no person with id 999999" in response.text
    assert series_count(session) == 0


@pytest.mark.parametrize("role", [Role.viewer, Role.force, Role.chair])
def test_only_the_secretariat_and_administrators_add_a_series(client, session, role):
    sign_in(client, session, role)
    listing = client.get("/series").text
    assert 'href="/series/new"' not in listing and "Add a series" not in listing
    assert client.get("/series/new").status_code == 403
    token = csrf_of(listing)
    response = client.post("/series/new", data={**new_series_form(), "action": "make",
                                                 "csrf_token": token})
    assert response.status_code == 403
    assert series_count(session) == 0


def test_a_series_page_previews_a_changed_schedule_without_saving_it(client, session, april):
    series = make_meeting_type(session, name="Board")
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{series.id}")
    assert "Preview dates" in page.text
    preview = client.post(f"/series/{series.id}", data={
        **new_series_form(name="Renamed"), "action": "preview",
        "csrf_token": csrf_of(page.text)})
    assert preview.status_code == 200, preview.text
    assert "Bank holiday: Christmas Day" in preview.text
    assert 'value="Renamed"' in preview.text
    fresh(session)
    kept = meeting_service.get_meeting_type(session, series.id)
    assert (kept.name, kept.recurrence) == ("Board", "none")
