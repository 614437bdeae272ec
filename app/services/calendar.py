"""iCalendar feeds of meetings, for a person or a series, behind secret links.

A feed link carries a token: an HMAC of the feed's kind and id under the installation's secret
(ASSURE_SECRET_KEY). The token never expires; to revoke every feed link at once, change
ASSURE_SECRET_KEY (which also signs everyone out).
"""

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration
from sqlmodel import Session, or_, select

from app.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    MeetingType,
    SeriesAttendee,
    utcnow,
)
from app.services.meetings import meeting_title

FEED_KINDS = ("person", "series")
PRODID = "-//Assure//Meetings//EN"
# How far back a feed reaches: calendars keep what they already have, but a recent meeting
# stays visible (and its cancellation or move reaches the calendar) for a while.
LOOKBACK = timedelta(days=60)
DEFAULT_DURATION = timedelta(hours=2)
# A hint to calendar apps on how often to fetch the feed again.
REFRESH = timedelta(hours=1)
# The feed tokens get a key of their own, so that they can never be mistaken for (or used as)
# another signature made with the same secret.
_PURPOSE = b"assure calendar feed v1"


def _feed_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def feed_token(kind: str, object_id: int, secret: str) -> str:
    """The secret token of a feed link (43 URL-safe characters); revoked by a new secret."""
    if kind not in FEED_KINDS:
        raise ValueError(f"unknown feed kind {kind!r}; expected one of {FEED_KINDS}")
    digest = hmac.new(_feed_key(secret), f"{kind}:{object_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_feed_token(kind: str, object_id: int, token: str | None, secret: str) -> bool:
    """Whether `token` opens the feed of this kind and id (compared in constant time)."""
    if not token or kind not in FEED_KINDS:
        return False
    expected = feed_token(kind, object_id, secret)
    # Compare bytes: compare_digest refuses str with non-ASCII characters.
    return hmac.compare_digest(token.encode("utf-8"), expected.encode("ascii"))


def _since(now: datetime | None) -> datetime:
    return (now or utcnow()) - LOOKBACK


def meetings_for_person(
    session: Session, person_id: int, *, now: datetime | None = None
) -> list[Meeting]:
    """The meetings a person is invited to, from 60 days ago on, cancelled ones included.

    Invited: they chair it or take its minutes, have an attendance row on it (whatever its
    status), or are invited to every meeting of its series.
    """
    attending = select(Attendance.meeting_id).where(Attendance.person_id == person_id)
    series = select(SeriesAttendee.meeting_type_id).where(SeriesAttendee.person_id == person_id)
    query = (
        select(Meeting)
        .where(Meeting.starts_at >= _since(now))
        .where(
            or_(
                Meeting.chair_id == person_id,
                Meeting.minute_taker_id == person_id,
                Meeting.id.in_(attending),
                Meeting.meeting_type_id.in_(series),
            )
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(session.exec(query))


def meetings_for_series(
    session: Session, meeting_type_id: int, *, now: datetime | None = None
) -> list[Meeting]:
    """A series' meetings from 60 days ago on, cancelled ones included."""
    query = (
        select(Meeting)
        .where(Meeting.meeting_type_id == meeting_type_id)
        .where(Meeting.starts_at >= _since(now))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return list(session.exec(query))


def _event(meeting: Meeting, title: str, base_url: str, stamp: datetime) -> Event:
    cancelled = meeting.status == MeetingStatus.cancelled
    link = f"{base_url}/meetings/{meeting.id}"
    description = f"{title}\n\nThe meeting in Assure: {link}"
    if cancelled:
        description = f"This meeting has been cancelled.\n\n{description}"
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@assure")
    event.add("dtstamp", stamp)
    # In UTC: unambiguous, and every calendar app shows it in its own time zone.
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_DURATION)
    event.add("summary", f"Cancelled: {title}" if cancelled else title)
    if meeting.venue:
        event.add("location", meeting.venue)
    event.add("url", link)
    event.add("description", description)
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("last-modified", meeting.updated_at)
    return event


def ical_feed(
    session: Session, meetings: Sequence[Meeting], *, name: str, base_url: str
) -> bytes:
    """A VCALENDAR with one VEVENT per meeting; `base_url` has no trailing slash."""
    type_ids = {m.meeting_type_id for m in meetings}
    types = (
        {t.id: t for t in session.exec(select(MeetingType).where(MeetingType.id.in_(type_ids)))}
        if type_ids
        else {}
    )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())  # for Outlook
    stamp = utcnow().replace(microsecond=0)
    for meeting in meetings:
        title = meeting_title(meeting, types[meeting.meeting_type_id])
        calendar.add_component(_event(meeting, title, base_url, stamp))
    return calendar.to_ical()
