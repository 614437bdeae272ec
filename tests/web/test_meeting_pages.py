"""A meeting's life from the browser: add a one-off meeting, change its details, move it,
cancel it, start it and close it; each bad input is named in the error summary and changes
nothing; only the secretariat and administrators may do any of it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import Meeting, MeetingStatus, MeetingType, Role
from tests.factories import (
    CommittingClient,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
)
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
START = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)  # 10:00 in London


@pytest.fixture
def client(app, session):
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          follow_redirects=False, session=session) as test_client:
        yield test_client


def sign_in(client, session, role: Role):
    user, _ = make_user(session, role, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return user


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def fresh(session) -> None:
    session.rollback()
    session.expire_all()


def new_form(**changes) -> dict:
    values = {"series": "", "name": "Extraordinary Assurance Meeting", "date-day": "3",
              "date-month": "6", "date-year": "2026", "start_time": "14:00",
              "end_time": "15:30", "venue": "Hindlip Hall", "chair": "", "minute_taker": "",
              "marking": "OFFICIAL-SENSITIVE"}
    values.update(changes)
    return values


def count_meetings(session) -> int:
    return len(session.exec(select(Meeting)).all())


# --- adding a meeting ------------------------------------------------------------------------


def test_a_one_off_meeting_is_added_with_its_people_times_and_marking(client, session):
    pcc, cc, _ = make_top_team(session)
    sign_in(client, session, Role.secretariat)
    page = client.get("/meetings/new")
    assert page.status_code == 200 and "Add a meeting" in page.text
    response = client.post("/meetings/new", data={
        **new_form(chair=str(pcc.id), minute_taker=str(cc.id)), "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text
    fresh(session)
    meeting = session.exec(select(Meeting)).one()
    assert response.headers["location"].startswith(f"/meetings/{meeting.id}?notice=")
    series = session.get(MeetingType, meeting.meeting_type_id)
    assert series.name == "Extraordinary Assurance Meeting"
    assert meeting.starts_at == datetime(2026, 6, 3, 13, 0, tzinfo=UTC)  # 14:00 in London
    assert meeting.ends_at == datetime(2026, 6, 3, 14, 30, tzinfo=UTC)
    assert (meeting.venue, meeting.marking) == ("Hindlip Hall", "OFFICIAL-SENSITIVE")
    assert (meeting.chair_id, meeting.minute_taker_id) == (pcc.id, cc.id)
    assert meeting.status == MeetingStatus.planned
    shown = client.get(response.headers["location"])
    assert "The meeting has been added." in shown.text
    assert "Start the meeting" in shown.text


def test_a_meeting_of_a_series_takes_the_series_name_and_venue(client, session):
    series = make_meeting_type(session, name="Monthly Assurance Meeting",
                               default_venue="Room 1")
    sign_in(client, session, Role.admin)
    token = csrf_of(client.get("/meetings/new").text)
    response = client.post("/meetings/new", data={
        **new_form(series=str(series.id), name="", venue=""), "csrf_token": token})
    assert response.status_code == 303, response.text
    fresh(session)
    meeting = session.exec(select(Meeting)).one()
    assert meeting.meeting_type_id == series.id and meeting.venue == "Room 1"


@pytest.mark.parametrize("changes, field, message", [
    ({"date-day": "31", "date-month": "2"}, "date-day",
     "The date of the meeting must be a real date"),
    ({"date-day": "", "date-month": "", "date-year": ""}, "date-day",
     "Enter the date of the meeting"),
    ({"date-year": "26"}, "date-day", "the year must have 4 numbers"),
    ({"end_time": "13:00"}, "end_time", "The end time must be after the start time"),
    ({"start_time": "25:00"}, "start_time", "Enter the start time on the 24-hour clock"),
    ({"chair": "999999"}, "chair", "Choose the chair from the list"),
    ({"minute_taker": "abc"}, "minute_taker", "Choose the minute-taker from the list"),
    ({"series": "999999"}, "series", "Choose a series from the list"),
    ({"name": ""}, "name", "Choose a series, or give the one-off meeting a name"),
])
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_added(client, session, changes,
                                                                       field, message):
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get("/meetings/new").text)
    response = client.post("/meetings/new", data={**new_form(**changes), "csrf_token": token})
    assert response.status_code in (409, 422), response.text
    assert "<title>Error:" in response.text
    assert "There is a problem" in response.text
    assert f'href="#{field}"' in response.text
    assert message in response.text
    assert 'value="Hindlip Hall"' in response.text  # what was typed is kept
    fresh(session)
    assert count_meetings(session) == 0
    assert session.exec(select(MeetingType)).all() == []


@pytest.mark.parametrize("role", [Role.chair, Role.force, Role.viewer])
def test_only_the_secretariat_and_admins_add_meetings(client, session, role):
    sign_in(client, session, role)
    assert client.get("/meetings/new").status_code == 403
    assert "Add a meeting" not in client.get("/meetings").text
    token = csrf_of(client.get("/meetings").text)
    assert client.post("/meetings/new", data={**new_form(), "csrf_token": token}
                       ).status_code == 403
    fresh(session)
    assert count_meetings(session) == 0


# --- changing, moving, cancelling ------------------------------------------------------------


def edit_form(meeting, **changes) -> dict:
    values = {"start_time": "10:00", "end_time": "12:00", "venue": "Room 2", "chair": "",
              "minute_taker": "", "marking": "OFFICIAL", "next_meeting": ""}
    values.update(changes)
    return values


def test_the_details_of_a_meeting_are_changed(client, session):
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session, starts_at=START, ends_at=START + timedelta(hours=2))
    later = make_meeting(session, starts_at=START + timedelta(days=28))
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/edit")
    assert page.status_code == 200
    response = client.post(f"/meetings/{meeting.id}/edit", data={
        **edit_form(meeting, start_time="10:30", end_time="13:00", chair=str(pcc.id),
                    minute_taker=str(cc.id), marking="OFFICIAL-SENSITIVE",
                    next_meeting=str(later.id)),
        "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text
    fresh(session)
    changed = session.get(Meeting, meeting.id)
    assert changed.starts_at == datetime(2026, 5, 12, 9, 30, tzinfo=UTC)
    assert changed.ends_at == datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
    assert (changed.venue, changed.marking) == ("Room 2", "OFFICIAL-SENSITIVE")
    assert (changed.chair_id, changed.minute_taker_id) == (pcc.id, cc.id)
    assert changed.next_meeting_id == later.id


@pytest.mark.parametrize("changes, field, message", [
    ({"end_time": "09:00"}, "end_time", "The end time must be after the start time"),
    ({"chair": "999999"}, "chair", "Choose the chair from the list"),
    ({"minute_taker": "999999"}, "minute_taker", "Choose the minute-taker from the list"),
    ({"start_time": "ten"}, "start_time", "Enter the start time on the 24-hour clock"),
    ({"marking": ""}, "marking", "Enter the protective marking"),
])
def test_bad_details_change_nothing(client, session, changes, field, message):
    meeting = make_meeting(session, starts_at=START, ends_at=START + timedelta(hours=2),
                           venue="Room 1")
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get(f"/meetings/{meeting.id}/edit").text)
    response = client.post(f"/meetings/{meeting.id}/edit",
                           data={**edit_form(meeting, **changes), "csrf_token": token})
    assert response.status_code == 422, response.text
    assert "<title>Error:" in response.text and f'href="#{field}"' in response.text
    assert message in response.text
    fresh(session)
    kept = session.get(Meeting, meeting.id)
    assert (kept.venue, kept.starts_at, kept.chair_id) == ("Room 1", START,
                                                           None)


def test_a_moved_meeting_keeps_its_length(client, session):
    meeting = make_meeting(session, starts_at=START, ends_at=START + timedelta(minutes=150))
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get(f"/meetings/{meeting.id}/move").text)
    response = client.post(f"/meetings/{meeting.id}/move", data={
        "date-day": "19", "date-month": "5", "date-year": "2026", "start_time": "14:00",
        "csrf_token": token})
    assert response.status_code == 303, response.text
    fresh(session)
    moved = session.get(Meeting, meeting.id)
    assert moved.starts_at == datetime(2026, 5, 19, 13, 0, tzinfo=UTC)
    assert moved.ends_at == datetime(2026, 5, 19, 15, 30, tzinfo=UTC)
    assert "moved to 19 May 2026 at 14:00" in client.get(response.headers["location"]).text


@pytest.mark.parametrize("data, message", [
    ({"date-day": "30", "date-month": "2", "date-year": "2026", "start_time": "10:00"},
     "The new date must be a real date"),
    ({"date-day": "19", "date-month": "", "date-year": "2026", "start_time": "10:00"},
     "The new date must include a month"),
    ({"date-day": "19", "date-month": "5", "date-year": "2026", "start_time": "24:10"},
     "Enter the new start time on the 24-hour clock"),
])
def test_a_move_to_a_time_that_does_not_exist_changes_nothing(client, session, data, message):
    meeting = make_meeting(session, starts_at=START)
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get(f"/meetings/{meeting.id}/move").text)
    response = client.post(f"/meetings/{meeting.id}/move", data={**data, "csrf_token": token})
    assert response.status_code == 422
    assert "There is a problem" in response.text and message in response.text
    fresh(session)
    assert session.get(Meeting, meeting.id).starts_at == START


def test_a_cancelled_meeting_stays_listed_marked_with_its_reason(client, session):
    meeting = make_meeting(session, starts_at=START)
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get(f"/meetings/{meeting.id}/cancel").text)
    empty = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": " ",
                                                                 "csrf_token": token})
    assert empty.status_code == 422
    assert "Give the reason the meeting is cancelled" in empty.text
    fresh(session)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.planned
    response = client.post(f"/meetings/{meeting.id}/cancel",
                           data={"reason": "The chair is ill.", "csrf_token": token})
    assert response.status_code == 303
    page = client.get(f"/meetings/{meeting.id}")
    assert "This meeting was cancelled: The chair is ill." in page.text
    assert "Start the meeting" not in page.text
    listed = client.get("/meetings").text
    assert f'href="/meetings/{meeting.id}"' in listed and "Cancelled" in listed
    again = client.post(f"/meetings/{meeting.id}/cancel",
                        data={"reason": "Twice", "csrf_token": token})
    assert again.status_code == 409
    assert "Only a meeting that has not taken place can be cancelled" in again.text
    assert "This meeting is cancelled: only a meeting that has not taken place can be " \
           "moved" in client.get(f"/meetings/{meeting.id}/move").text


@pytest.mark.parametrize("role", [Role.chair, Role.force, Role.viewer])
def test_readers_cannot_change_move_cancel_start_or_close(client, session, role):
    meeting = make_meeting(session, starts_at=START, venue="Room 1")
    sign_in(client, session, role)
    page = client.get(f"/meetings/{meeting.id}")
    assert "Start the meeting" not in page.text and "Cancel the meeting" not in page.text
    token = csrf_of(page.text)
    for path in ("edit", "move", "cancel"):
        assert client.get(f"/meetings/{meeting.id}/{path}").status_code == 403, path
    posts = {"edit": edit_form(meeting, venue="Elsewhere"),
             "move": {"date-day": "19", "date-month": "5", "date-year": "2026",
                      "start_time": "10:00"},
             "cancel": {"reason": "No"}, "start": {}, "close": {}}
    for path, data in posts.items():
        response = client.post(f"/meetings/{meeting.id}/{path}",
                               data={**data, "csrf_token": token})
        assert response.status_code == 403, path
    fresh(session)
    kept = session.get(Meeting, meeting.id)
    assert (kept.status, kept.venue, kept.starts_at) == (
        MeetingStatus.planned, "Room 1", START)


def test_an_unknown_meeting_is_not_found(client, session):
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get("/meetings").text)
    for path in ("edit", "move", "cancel"):
        assert client.get(f"/meetings/999999/{path}").status_code == 404
    assert client.post("/meetings/999999/start", data={"csrf_token": token}).status_code == 404


# --- starting and closing --------------------------------------------------------------------


def test_the_meeting_page_offers_each_next_step(client, session):
    meeting = make_meeting(session, starts_at=START)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}")
    assert "Stage: " in page.text and ">Planned</strong>" in page.text
    assert "Start the meeting" in page.text
    token = csrf_of(page.text)
    started = client.post(f"/meetings/{meeting.id}/start", data={"csrf_token": token})
    assert started.status_code == 303
    assert started.headers["location"] == f"/meetings/{meeting.id}/take-minutes"
    page = client.get(f"/meetings/{meeting.id}")
    assert ">In progress</strong>" in page.text and "Close the meeting" in page.text
    closed = client.post(f"/meetings/{meeting.id}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    page = client.get(closed.headers["location"])
    assert ">Draft minutes</strong>" in page.text
    assert "Submit the minutes" in page.text
    fresh(session)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.draft


def test_a_step_out_of_turn_is_refused_on_the_page(client, session):
    meeting = make_meeting(session, starts_at=START)
    sign_in(client, session, Role.secretariat)
    token = csrf_of(client.get(f"/meetings/{meeting.id}").text)
    response = client.post(f"/meetings/{meeting.id}/close", data={"csrf_token": token})
    assert response.status_code == 409
    assert "<title>Error:" in response.text and 'href="#next-step"' in response.text
    assert "This meeting has not started yet: start it before you close it." in response.text
    fresh(session)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.planned


def test_posts_without_the_csrf_token_are_refused(client, session):
    meeting = make_meeting(session, starts_at=START)
    sign_in(client, session, Role.admin)
    assert client.post(f"/meetings/{meeting.id}/start").status_code == 403
    assert client.post("/meetings/new", data=new_form()).status_code == 403
    fresh(session)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.planned
