"""iCalendar feeds of meetings, for a person or a series, behind secret links.

A feed link carries a token: an HMAC of the feed's kind, its id and its own link secret
(`calendar_secret` of the person or the series) under the installation's secret
(ASSURE_SECRET_KEY). Getting a new link gives the person or series a new link secret, which
stops their old link at once and no other. An empty link secret gives the token links had
before they could be renewed, so subscriptions made then keep working until renewed. Changing
ASSURE_SECRET_KEY stops every link at once (and signs everyone out).
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration
from sqlmodel import Session, col, or_, select

from app.models import (
    Attendance,
    Meeting,
    MeetingStatus,
    MeetingType,
    Person,
    SeriesAttendee,
    utcnow,
)
from app.services import audit
from app.services.common import get_or_404
from app.services.errors import Forbidden
from app.services.invites import meeting_uid
from app.services.meetings import meeting_title
from app.services.permissions import Actor, Perm

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


def feed_token(kind: str, object_id: int, secret: str, link_secret: str = "") -> str:
    """The secret token of a feed link (43 URL-safe characters); revoked by a new link secret
    (this link only) or a new installation secret (every link)."""
    if kind not in FEED_KINDS:
        raise ValueError(f"unknown feed kind {kind!r}; expected one of {FEED_KINDS}")
    # "" signs what links signed before they had link secrets, so those keep working.
    message = f"{kind}:{object_id}" + (f":{link_secret}" if link_secret else "")
    digest = hmac.new(_feed_key(secret), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_feed_token(kind: str, object_id: int, token: str | None, secret: str,
                     link_secret: str = "") -> bool:
    """Whether `token` opens the feed of this kind and id (compared in constant time)."""
    if not token or kind not in FEED_KINDS:
        return False
    expected = feed_token(kind, object_id, secret, link_secret)
    # Compare bytes: compare_digest refuses str with non-ASCII characters.
    return hmac.compare_digest(token.encode("utf-8"), expected.encode("ascii"))


def link_secret_of(feed: Person | MeetingType, user_id: int | None = None) -> str:
    """What a feed's token signs beside its kind and id: the feed's own link secret, and for a
    series the user the link was given to (everyone sees a series, so each user gets a link of
    their own, which stops when they are deactivated)."""
    if isinstance(feed, MeetingType):
        return f"{feed.calendar_secret}:user {user_id}"
    return feed.calendar_secret


def feed_url(base_url: str, kind: str, feed: Person | MeetingType, secret: str,
             user_id: int | None = None) -> str:
    """The address of a feed (`base_url` without a trailing slash); a series' for a user."""
    assert feed.id is not None  # a saved person or series
    token = feed_token(kind, feed.id, secret, link_secret_of(feed, user_id))
    user = f"user={user_id}&" if kind == "series" else ""
    return f"{base_url}/calendar/{kind}/{feed.id}.ics?{user}token={token}"


def new_link(session: Session, *, kind: str, object_id: int, by: Actor) -> Person | MeetingType:
    """Give a person's or a series' feed a new link: the old one stops working at once, every
    other link goes on. A person renews their own; the secretariat any."""
    if kind not in FEED_KINDS:
        raise ValueError(f"unknown feed kind {kind!r}; expected one of {FEED_KINDS}")
    model: type[Person] | type[MeetingType]
    model, what = (Person, "person") if kind == "person" else (MeetingType, "series")
    feed = get_or_404(session, model, object_id, what)
    own = kind == "person" and by.person_id == feed.id
    if not own and not by.can(Perm.edit_record):
        raise Forbidden("Only the secretariat can give this calendar a new link."
                        if kind == "series" else "You can only renew your own calendar link.")
    renew_link_secret(feed)
    audit.record(session, by=by, verb="new_calendar_link", object_type=model.__tablename__,
                 object_id=feed.id, summary=f"{kind} feed: the old link no longer works")
    session.flush()
    return feed


def renew_link_secret(feed: Person | MeetingType) -> None:
    """A new link secret, in the caller's transaction: the feed's old link stops working."""
    feed.calendar_secret = secrets.token_urlsafe(32)


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
                col(Meeting.id).in_(attending),
                col(Meeting.meeting_type_id).in_(series),
            )
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
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
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return list(session.exec(query))


def _event(meeting: Meeting, title: str, base_url: str, stamp: datetime, *,
           public: bool = False) -> Event:
    cancelled = meeting.status == MeetingStatus.cancelled
    if public:
        link = public_link(base_url, meeting)
        description = f"{title}\n\nThe meeting's public page: {link}"
    else:
        link = f"{base_url}/meetings/{meeting.id}"
        description = f"{title}\n\nThe meeting in Assure: {link}"
    if cancelled:
        description = f"This meeting has been cancelled.\n\n{description}"
    event = Event()
    event.add("uid", meeting_uid(meeting.id))
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


def public_link(base_url: str, meeting: Meeting) -> str:
    """Where the public reads about a meeting: its own page while it is still to be held, or
    once held if its agenda was issued (public_meetings.public_meeting), else the page of
    published minutes."""
    from app.services.visibility import agenda_was_issued  # a cycle through meetings

    if (meeting.status in (MeetingStatus.planned, MeetingStatus.agenda_issued)
            or (meeting.status != MeetingStatus.cancelled and agenda_was_issued(meeting))):
        return f"{base_url}/public/meetings/{meeting.id}"
    return f"{base_url}/public"


def ical_feed(
    session: Session, meetings: Sequence[Meeting], *, name: str, base_url: str,
    public: bool = False,
) -> bytes:
    """A VCALENDAR with one VEVENT per meeting; `base_url` has no trailing slash. A `public`
    feed links each meeting to its public page instead of its page in Assure."""
    type_ids = {m.meeting_type_id for m in meetings}
    types = (
        {t.id: t for t in session.exec(
            select(MeetingType).where(col(MeetingType.id).in_(type_ids)))}
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
        calendar.add_component(_event(meeting, title, base_url, stamp, public=public))
    return calendar.to_ical()
