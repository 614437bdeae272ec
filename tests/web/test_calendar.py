"""Calendar feeds: what a subscribed calendar app reads, and who may read it."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.config import get_settings
from app.models import AttendanceStatus, AuditEvent, MeetingStatus, Person, Role, SeriesAttendee
from app.schemas import AttendanceIn
from app.services import calendar
from app.services import meetings as meeting_service
from app.services.calendar import check_feed_token, feed_token
from app.services.dates import london_to_utc, today
from app.services.errors import Forbidden, NotFound
from app.services.permissions import Actor
from app.web import calendar as calendar_web
from tests.factories import SYSTEM, make_meeting, make_meeting_type, make_person, make_user

SECRET = "calendar-test-secret"
BASE = "https://testserver"


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    """A known secret, so no test writes var/secret_key."""
    monkeypatch.setattr(get_settings(), "secret_key", SECRET)
    return SECRET


@pytest.fixture
def feeds(client):
    """The client, with the calendar routes whether or not app/main.py includes them yet."""
    if not any(getattr(r, "path", "").startswith("/calendar") for r in client.app.routes):
        client.app.include_router(calendar_web.router)
    return client


@dataclass
class Diary:
    series: object
    other_series: object
    summer: object  # chaired by `chair`, minuted by `taker`
    winter: object  # `attendee` sent apologies; no end time
    cancelled: object
    old: object  # more than 60 days ago: in no feed
    other: object  # another series; `attendee` is expected
    chair: object
    taker: object
    attendee: object
    regular: object  # invited to every meeting of `series`
    outsider: object
    holder: object  # a user, whose own link to a series is used


@pytest.fixture
def diary(session) -> Diary:
    year = today().year + 1
    series = make_meeting_type(session, name="Monthly Assurance Meeting",
                               default_venue="Room 1.38")
    other_series = make_meeting_type(session, name="Performance Board", default_venue="Hub")
    chair = make_person(session, full_name="John Campion", initials="JC")
    taker = make_person(session, full_name="Nina Ash", initials="NA")
    attendee = make_person(session, full_name="Amanda Blakeman", initials="AB")
    regular = make_person(session, full_name="Andy Champness", initials="AC")
    outsider = make_person(session, full_name="Out Sider", initials="OS")

    summer = make_meeting(session, series, starts_at=datetime(year, 6, 16, 10, 0),
                          ends_at=datetime(year, 6, 16, 12, 30),
                          chair_id=chair.id, minute_taker_id=taker.id)
    winter = make_meeting(session, series, starts_at=datetime(year, 1, 20, 10, 0),
                          venue="Hindlip Hall")
    cancelled = make_meeting(session, series, starts_at=datetime(year, 3, 17, 10, 0),
                             status=MeetingStatus.cancelled)
    old = make_meeting(session, series, starts_at=datetime.now(UTC) - timedelta(days=90),
                       chair_id=chair.id)
    other = make_meeting(session, other_series, starts_at=datetime(year, 2, 10, 14, 0))
    meeting_service.set_attendance(session, meeting_id=winter.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=attendee.id, status=AttendanceStatus.apologies)])
    meeting_service.set_attendance(session, meeting_id=other.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=attendee.id, status=AttendanceStatus.expected)])
    meeting_service.set_attendance(session, meeting_id=old.id, by=SYSTEM, rows=[
        AttendanceIn(person_id=attendee.id, status=AttendanceStatus.present)])
    session.add(SeriesAttendee(meeting_type_id=series.id, person_id=regular.id))
    session.commit()
    holder, _ = make_user(session, Role.viewer)
    return Diary(series, other_series, summer, winter, cancelled, old, other,
                 chair, taker, attendee, regular, outsider, holder)


def person_url(person, token: str | None = None) -> str:
    if token is None:
        token = feed_token("person", person.id, SECRET, person.calendar_secret)
    return f"/calendar/person/{person.id}.ics?token={token}"


def series_url(series, holder, token: str | None = None) -> str:
    """A user's own link to a series' feed."""
    if token is None:
        token = feed_token("series", series.id, SECRET,
                           f"{series.calendar_secret}:user {holder.id}")
    return f"/calendar/series/{series.id}.ics?user={holder.id}&token={token}"


def read_feed(client, url: str) -> Calendar:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def uid(meeting) -> str:
    return f"meeting-{meeting.id}@assure"


# --- tokens -------------------------------------------------------------------------------


def test_tokens_are_url_safe_stable_and_specific():
    token = feed_token("person", 7, SECRET)
    assert len(token) >= 22
    assert token.replace("-", "").replace("_", "").isalnum()
    assert token == feed_token("person", 7, SECRET)
    assert check_feed_token("person", 7, token, SECRET)
    assert token != feed_token("person", 8, SECRET)
    assert token != feed_token("series", 7, SECRET)
    assert token != feed_token("person", 7, "another secret")
    assert not check_feed_token("series", 7, token, SECRET)
    assert not check_feed_token("person", 7, token, "another secret")
    assert not check_feed_token("person", 7, "", SECRET)
    assert not check_feed_token("person", 7, None, SECRET)
    assert not check_feed_token("person", 7, "é" * 43, SECRET)
    with pytest.raises(ValueError):
        feed_token("user", 7, SECRET)


# --- the feeds ----------------------------------------------------------------------------


def test_series_feed_lists_its_recent_and_future_meetings_without_sign_in(feeds, diary):
    response = feeds.get(series_url(diary.series, diary.holder))

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == (
        'inline; filename="Monthly-Assurance-Meeting.ics"')
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["PRODID"]) == "-//Assure//Meetings//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Monthly Assurance Meeting"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/London"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        uid(diary.winter), uid(diary.cancelled), uid(diary.summer)]


def test_person_feed_holds_exactly_the_meetings_they_are_invited_to(feeds, diary):
    expected = [
        (diary.chair, [diary.summer]),
        (diary.taker, [diary.summer]),
        (diary.attendee, [diary.winter, diary.other]),  # apologies still appear
        (diary.regular, [diary.winter, diary.cancelled, diary.summer]),
        (diary.outsider, []),
    ]
    for person, meetings in expected:
        calendar = read_feed(feeds, person_url(person))
        assert list(events_by_uid(calendar)) == [uid(m) for m in meetings], person.full_name
        assert person.full_name in str(calendar["X-WR-CALNAME"])


def test_times_are_utc_across_summer_and_winter(feeds, diary):
    events = events_by_uid(read_feed(feeds, series_url(diary.series, diary.holder)))
    summer, winter = events[uid(diary.summer)], events[uid(diary.winter)]

    # 10:00 in London is 09:00Z under British Summer Time and 10:00Z in winter.
    year = diary.summer.starts_at.year
    assert summer.start == datetime(year, 6, 16, 9, 0, tzinfo=UTC) == diary.summer.starts_at
    assert summer.end == datetime(year, 6, 16, 11, 30, tzinfo=UTC)
    assert winter.start == datetime(year, 1, 20, 10, 0, tzinfo=UTC) == diary.winter.starts_at
    assert winter.end == winter.start + timedelta(hours=2)  # no end time: two hours
    assert summer.start.utcoffset() == timedelta(0)


def test_events_carry_title_place_link_and_status(feeds, diary):
    events = events_by_uid(read_feed(feeds, person_url(diary.regular)))
    year = diary.summer.starts_at.year
    summer, winter = events[uid(diary.summer)], events[uid(diary.winter)]

    assert str(summer["SUMMARY"]) == f"Monthly Assurance Meeting June {year}"
    assert str(summer["LOCATION"]) == "Room 1.38"  # the series' default venue
    assert str(winter["LOCATION"]) == "Hindlip Hall"
    assert str(summer["URL"]) == f"{BASE}/meetings/{diary.summer.id}"
    assert f"{BASE}/meetings/{diary.summer.id}" in str(summer["DESCRIPTION"])
    assert str(summer["STATUS"]) == "CONFIRMED"
    assert summer.sequence == 0
    assert summer.stamp is not None
    assert summer.last_modified == diary.summer.updated_at.replace(microsecond=0)


def test_a_cancelled_meeting_is_sent_as_cancelled(feeds, diary):
    year = diary.cancelled.starts_at.year
    for url in (series_url(diary.series, diary.holder), person_url(diary.regular)):
        event = events_by_uid(read_feed(feeds, url))[uid(diary.cancelled)]
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["SUMMARY"]) == f"Cancelled: Monthly Assurance Meeting March {year}"
        assert "cancelled" in str(event["DESCRIPTION"])


def test_a_moved_meeting_keeps_its_uid_with_a_new_time_and_higher_sequence(
        feeds, diary, session):
    before = events_by_uid(read_feed(feeds, person_url(diary.chair)))[uid(diary.summer)]
    year = diary.summer.starts_at.year

    meeting = meeting_service.get_meeting(session, diary.summer.id)
    meeting.starts_at = london_to_utc(datetime(year, 6, 23, 14, 0))
    meeting.ends_at = london_to_utc(datetime(year, 6, 23, 16, 0))
    meeting.sequence += 1
    session.commit()

    after = events_by_uid(read_feed(feeds, person_url(diary.chair)))
    assert list(after) == [uid(diary.summer)]
    moved = after[uid(diary.summer)]
    assert moved.start == datetime(year, 6, 23, 13, 0, tzinfo=UTC)
    assert moved.end == datetime(year, 6, 23, 15, 0, tzinfo=UTC)
    assert moved.sequence > before.sequence
    assert moved.sequence == 1


def test_head_request_is_answered(feeds, diary):
    response = feeds.head(series_url(diary.series, diary.holder))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


# --- refusals -----------------------------------------------------------------------------


def test_missing_wrong_or_borrowed_tokens_are_not_found(feeds, diary):
    chair, series = diary.chair, diary.series
    refused = [
        f"/calendar/person/{chair.id}.ics",
        person_url(chair, token=""),
        person_url(chair, token="not-the-token"),
        person_url(chair, token=feed_token("person", chair.id, "another secret")),
        person_url(chair, token=feed_token("person", diary.taker.id, SECRET)),
        person_url(chair, token=feed_token("series", chair.id, SECRET)),
        f"/calendar/series/{series.id}.ics",
        series_url(series, diary.holder, token="not-the-token"),
        series_url(series, diary.holder, token=feed_token("series", diary.other_series.id, SECRET)),
        series_url(series, diary.holder, token=feed_token("person", series.id, SECRET)),
    ]
    for url in refused:
        response = feeds.get(url)
        assert response.status_code == 404, url
        assert "BEGIN:VCALENDAR" not in response.text


def test_a_valid_token_for_a_missing_object_looks_the_same_as_a_wrong_one(feeds, diary):
    missing = feeds.get(f"/calendar/person/999999.ics?token={feed_token('person', 999999, SECRET)}")
    wrong = feeds.get("/calendar/person/999999.ics?token=wrong")
    assert missing.status_code == wrong.status_code == 404
    assert missing.text == wrong.text
    token = feed_token("series", 999999, SECRET)
    assert feeds.get(f"/calendar/series/999999.ics?token={token}").status_code == 404


def test_an_inactive_person_has_no_feed(feeds, diary, session):
    diary.chair.active = False
    session.add(diary.chair)
    session.commit()
    assert feeds.get(person_url(diary.chair)).status_code == 404


def test_each_user_s_link_to_a_series_stops_when_they_are_deactivated(feeds, diary, session):
    """Everyone sees a series, so each user is given a link of their own: deactivating one
    stops theirs at once, and only theirs; a link is not borrowed by changing its user."""
    from app.services import accounts

    leaver, _ = make_user(session, Role.force)
    theirs, mine = series_url(diary.series, leaver), series_url(diary.series, diary.holder)
    assert feeds.get(theirs).status_code == 200 and feeds.get(mine).status_code == 200
    borrowed = theirs.replace(f"user={leaver.id}", f"user={diary.holder.id}")
    assert feeds.get(borrowed).status_code == 404
    token = feed_token("series", diary.series.id, SECRET)
    assert feeds.get(f"/calendar/series/{diary.series.id}.ics?token={token}").status_code == 404
    accounts.deactivate_user(session, user_id=leaver.id, by=SYSTEM)
    assert feeds.get(theirs).status_code == 404
    assert feeds.get(mine).status_code == 200
    assert feeds.get(f"/calendar/series/{diary.series.id}.ics?user=0&token=x").status_code == 422


# --- new links, one at a time -------------------------------------------------------------


def test_a_renewed_link_stops_while_every_other_link_works(feeds, diary, session):
    everyone = [diary.chair, diary.taker, diary.attendee]
    before = {p.id: person_url(p) for p in everyone}
    series_before = {s.id: series_url(s, diary.holder) for s in (diary.series, diary.other_series)}
    assert all(feeds.get(url).status_code == 200
               for url in [*before.values(), *series_before.values()])

    renewed = calendar.new_link(session, kind="person", object_id=diary.chair.id, by=SYSTEM)
    calendar.new_link(session, kind="series", object_id=diary.series.id, by=SYSTEM)

    assert feeds.get(before[diary.chair.id]).status_code == 404
    assert feeds.get(series_before[diary.series.id]).status_code == 404
    assert feeds.get(person_url(renewed)).status_code == 200
    assert feeds.get(series_url(diary.series, diary.holder)).status_code == 200
    assert feeds.get(before[diary.taker.id]).status_code == 200
    assert feeds.get(before[diary.attendee.id]).status_code == 200
    assert feeds.get(series_before[diary.other_series.id]).status_code == 200
    verbs = session.exec(select(AuditEvent.verb).where(AuditEvent.verb == "new_calendar_link"))
    assert len(verbs.all()) == 2


def test_links_made_before_links_could_be_renewed_keep_working(diary):
    # "" is every person's and series' link secret until their first renewal.
    assert diary.chair.calendar_secret == ""
    assert feed_token("person", 7, SECRET, "") == feed_token("person", 7, SECRET)
    assert feed_token("person", 7, SECRET, "new") != feed_token("person", 7, SECRET)
    assert check_feed_token("person", 7, feed_token("person", 7, SECRET), SECRET, "")
    assert not check_feed_token("person", 7, feed_token("person", 7, SECRET), SECRET, "new")


def test_only_the_person_or_the_secretariat_renews_a_link(session, diary):
    someone_else = Actor(role=Role.chair, person_id=diary.taker.id)
    with pytest.raises(Forbidden):
        calendar.new_link(session, kind="person", object_id=diary.chair.id, by=someone_else)
    with pytest.raises(Forbidden):
        calendar.new_link(session, kind="series", object_id=diary.series.id, by=someone_else)
    assert calendar.new_link(session, kind="person", object_id=diary.taker.id,
                             by=someone_else).calendar_secret
    with pytest.raises(NotFound):
        calendar.new_link(session, kind="series", object_id=999, by=SYSTEM)


def test_the_pages_give_a_new_link_with_a_button(feeds, session, diary):
    from tests.web.signing import csrf_of, sign_in_through_form

    user, _ = make_user(session, Role.force, person=diary.attendee,
                        password="correct horse battery staple")
    sign_in_through_form(feeds, session, user.email, "correct horse battery staple")
    old = person_url(diary.attendee)
    page = feeds.get("/series")
    assert "Get a new calendar link (the old one stops working)" in page.text
    assert old in page.text.replace("&amp;", "&")
    done = feeds.post("/calendar/my-link", data={"csrf_token": csrf_of(page.text)},
                      follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("#your-calendar")
    page = feeds.get(done.headers["location"])
    assert "The old link no longer works" in page.text
    session.expire_all()
    new = person_url(session.get(Person, diary.attendee.id))
    assert new != old and new in page.text
    assert feeds.get(old).status_code == 404 and feeds.get(new).status_code == 200
    assert feeds.post("/calendar/my-link", data={}).status_code == 403  # no CSRF token

    # The series' link: only the secretariat sees the button and may press it.
    series_page = feeds.get(f"/series/{diary.series.id}")
    assert "Get a new calendar link" not in series_page.text
    refused = feeds.post(f"/series/{diary.series.id}/calendar-link",
                         data={"csrf_token": csrf_of(series_page.text)})
    assert refused.status_code == 403
    feeds.cookies.clear()
    session.rollback()  # a write starts afresh after the app's own writes
    office, _ = make_user(session, Role.secretariat, password="correct horse battery staple")
    sign_in_through_form(feeds, session, office.email, "correct horse battery staple")
    series_page = feeds.get(f"/series/{diary.series.id}")
    assert "Get a new calendar link (the old one stops working)" in series_page.text
    old_series = series_url(diary.series, diary.holder)
    done = feeds.post(f"/series/{diary.series.id}/calendar-link",
                      data={"csrf_token": csrf_of(series_page.text)}, follow_redirects=False)
    assert done.status_code == 303
    assert "The old link no longer works" in feeds.get(done.headers["location"]).text
    assert feeds.get(old_series).status_code == 404


# --- links for pages ----------------------------------------------------------------------


def test_feed_links_give_webcal_and_web_forms_that_work(feeds, diary):
    from starlette.requests import Request

    request = Request({"type": "http", "scheme": "https", "server": ("assure.example", 443),
                       "path": "/meetings", "root_path": "", "query_string": b"",
                       "headers": [(b"host", b"assure.example")], "app": feeds.app})
    links = calendar_web.feed_links(request, person=diary.chair, series=diary.series,
                                    user_id=diary.holder.id)

    token = feed_token("person", diary.chair.id, SECRET)
    assert links["person"] == {
        "url": f"https://assure.example/calendar/person/{diary.chair.id}.ics?token={token}",
        "webcal": f"webcal://assure.example/calendar/person/{diary.chair.id}.ics?token={token}",
    }
    assert links["series"]["webcal"].startswith(
        f"webcal://assure.example/calendar/series/{diary.series.id}.ics?user={diary.holder.id}"
        "&token=")
    assert calendar_web.feed_links(request) == {}
    for link in links.values():
        path = link["url"].removeprefix("https://assure.example")
        assert feeds.get(path).status_code == 200
