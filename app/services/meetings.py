"""Meeting types (series), meetings and who attended them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.models import (
    NOT_YET_HELD,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
    MeetingType,
    Person,
    Recurrence,
    SeriesAttendee,
    SeriesItem,
    utcnow,
)
from app.schemas import (
    AttendanceIn,
    MeetingCreate,
    MeetingTypeCreate,
    MeetingTypeUpdate,
    MeetingUpdate,
)
from app.services import audit, invites, minutes_format
from app.services.common import changes_of, get_or_404
from app.services.dates import start_of_day_utc, to_london, today
from app.services.errors import Conflict, Forbidden, InvalidInput
from app.services.office import get_office
from app.services.paging import (
    DEFAULT_LIMIT,
    Page,
    SortKey,
    decode_cursor,
    encode_cursor,
    fingerprint,
    keyset_page,
    seek,
)
from app.services.permissions import Actor, Perm, allowed, require
from app.services.recurrence import Rule
from app.services.text import clean_text

# Once minutes are approved they change only by recorded amendment.
LOCKED_STATUSES = {MeetingStatus.approved, MeetingStatus.published}


# --- meeting types ------------------------------------------------------------------------


def list_meeting_types(session: Session) -> list[MeetingType]:
    """Every series, by name."""
    return list(session.exec(
        select(MeetingType).order_by(col(MeetingType.name), col(MeetingType.id))))


def get_meeting_type(session: Session, meeting_type_id: int) -> MeetingType:
    """One series, or NotFound."""
    return get_or_404(session, MeetingType, meeting_type_id, "series")


DEFAULT_PEOPLE = ("default_chair_id", "default_minute_taker_id")


def check_default_people(session: Session, values: dict) -> None:
    """Refuse a series' chair or minute-taker who is not in the directory."""
    errors = {field: f"there is no person with id {values[field]}" for field in DEFAULT_PEOPLE
              if values.get(field) is not None and session.get(Person, values[field]) is None}
    if errors:
        raise InvalidInput(errors)


def _apply_schedule(meeting_type: MeetingType, values: dict) -> None:
    """Set the schedule fields given, and refuse a schedule that cannot make meetings."""
    if "skip_months" in values:
        values["skip_months"] = ",".join(str(m) for m in sorted(set(values["skip_months"] or [])))
    for key, value in values.items():
        setattr(meeting_type, key, value)
    if meeting_type.recurrence != Recurrence.none:
        errors = Rule.of(meeting_type).errors()
        if errors:
            raise InvalidInput(errors)


def create_meeting_type(session: Session, *, data: MeetingTypeCreate, by: Actor) -> MeetingType:
    """Add a series of meetings, with its schedule if one is given."""
    require(by, Perm.edit_record)
    check_default_people(session, data.model_dump())
    meeting_type = MeetingType(name=data.name, default_venue=data.default_venue)
    if data.minutes_format is not None:
        meeting_type.minutes_format = minutes_format.dump(_format_of(data.minutes_format))
    _apply_schedule(meeting_type, data.model_dump(
        exclude={"name", "default_venue", "minutes_format"}, exclude_none=True))
    session.add(meeting_type)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="meeting_type",
                 object_id=meeting_type.id, summary=meeting_type.name)
    session.flush()
    return meeting_type


def update_meeting_type(
    session: Session, *, meeting_type_id: int, data: MeetingTypeUpdate, by: Actor
) -> MeetingType:
    """Change a series' name, venue or schedule; meetings already made stay as they are."""
    meeting_type = get_meeting_type(session, meeting_type_id)
    require(by, Perm.edit_record)
    changes = changes_of(data, nullable=("weekday", "week_of_month", "day_of_month",
                                         "starts_on", "ends_on", "skip_months",
                                         *DEFAULT_PEOPLE))
    check_default_people(session, changes)
    fmt = _format_of(changes.pop("minutes_format")) if "minutes_format" in changes else None
    _apply_schedule(meeting_type, changes)
    if fmt is not None:
        meeting_type.minutes_format = minutes_format.dump(fmt)
        changes["minutes_format"] = minutes_format.to_options(fmt)
    meeting_type.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="meeting_type",
                 object_id=meeting_type.id, summary=audit.describe_changes(changes))
    session.flush()
    return meeting_type


def _format_of(options: dict) -> minutes_format.MinutesFormat:
    """A format from the options sent with a series; what is wrong named under
    "minutes_format." ("minutes_format.naming")."""
    try:
        return minutes_format.from_options(options)
    except InvalidInput as exc:
        raise InvalidInput({f"minutes_format.{key}": message
                            for key, message in exc.errors.items()},
                           "The minutes format was not changed.") from None


def set_minutes_format(session: Session, *, series_id: int, options: dict,
                       by: Actor) -> MeetingType:
    """Choose how a series' minutes, agenda and question pack are written: a preset and the
    options that change it. Bad options are refused, each by name, and nothing changes."""
    meeting_type = get_meeting_type(session, series_id)
    require(by, Perm.edit_record)
    fmt = minutes_format.from_options(options)
    meeting_type.minutes_format = minutes_format.dump(fmt)
    meeting_type.updated_at = utcnow()
    audit.record(session, by=by, verb="update", object_type="meeting_type",
                 object_id=meeting_type.id,
                 summary="minutes format: " + audit.describe_changes(
                     minutes_format.to_options(fmt)))
    session.flush()
    return meeting_type


# --- meetings -----------------------------------------------------------------------------


def meeting_title(meeting: Meeting, meeting_type: MeetingType) -> str:
    """"Monthly Assurance Meeting April 2019"."""
    return f"{meeting_type.name} {to_london(meeting.starts_at):%B %Y}"


def list_meetings(session: Session) -> list[tuple[Meeting, MeetingType]]:
    """Every meeting with its series, the latest first."""
    query = (
        select(Meeting, MeetingType)
        .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
    )
    return [(m, t) for m, t in session.exec(query)]


def meetings_where(session: Session, *conditions, keep: Iterable[int | None] = (),
                   limit: int | None = None, latest_first: bool = False
                   ) -> list[tuple[Meeting, MeetingType]]:
    """The meetings (with their series) meeting these conditions, soonest first (the latest
    first with latest_first; the first `limit`, when given), and those in `keep` whatever
    they are: a form's choice of meetings read by the database, not from every meeting."""
    order = (col(Meeting.starts_at), col(Meeting.id))
    query = (select(Meeting, MeetingType)
             .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
             .where(*conditions)
             .order_by(*(o.desc() for o in order) if latest_first else order))
    if limit is not None:
        query = query.limit(limit)
    found = [(m, t) for m, t in session.exec(query)]
    missing = {i for i in keep if i is not None} - {m.id for m, _ in found}
    if missing:
        found += list(meetings_by_id(session, missing).values())
        found.sort(key=lambda pair: (pair[0].starts_at, pair[0].id or 0),
                   reverse=latest_first)
    return found


MEETING_KEYS = (
    SortKey(col(Meeting.starts_at), lambda row: row[0].starts_at, descending=True),
    SortKey(col(Meeting.id), lambda row: row[0].id, descending=True),
)


def page_meetings(session: Session, *, limit: int = DEFAULT_LIMIT,
                  cursor: str | None = None) -> Page[tuple[Meeting, MeetingType]]:
    """One page of every meeting with its series, the latest first."""
    query = select(Meeting, MeetingType).join(
        MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
    page = keyset_page(session, query, keys=MEETING_KEYS, limit=limit, cursor=cursor,
                       scope="meetings", filters={})
    return Page(rows=[(m, t) for m, t in page.rows], next_cursor=page.next_cursor)


def meetings_by_id(session: Session, ids: Iterable[int | None]
                   ) -> dict[int, tuple[Meeting, MeetingType]]:
    """These meetings with their series, by id (one query; the missing left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    query = (select(Meeting, MeetingType)
             .join(MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
             .where(col(Meeting.id).in_(wanted)))
    return {cast(int, m.id): (m, t) for m, t in session.exec(query)}  # saved: ids are set


MEETINGS_PAGE_SIZE = 20


@dataclass
class MeetingsPage:
    """One page of the meetings list: those to come first, soonest first, then those held,
    latest first."""

    rows: list[tuple[Meeting, MeetingType]]
    total: int
    page: int
    since: datetime  # meetings from this time (the start of today in London) are to come
    print_: str = ""  # the fingerprint of the list and its filters, for its page links

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // MEETINGS_PAGE_SIZE))

    def _cursor(self, meeting: Meeting) -> str:
        part = 0 if meeting.starts_at >= self.since else 1
        return encode_cursor([part, meeting.starts_at, meeting.id], self.print_)

    @property
    def first_cursor(self) -> str | None:
        """Where the page before this one ends: its first meeting."""
        return self._cursor(self.rows[0][0]) if self.rows else None

    @property
    def last_cursor(self) -> str | None:
        """Where the page after this one starts: after its last meeting."""
        return self._cursor(self.rows[-1][0]) if self.rows else None


# The list in two parts, each in a keyset order: those to come by start, soonest first;
# those held by start, latest first; meetings at the same time by id.
_LIST_COLUMNS = (col(Meeting.starts_at), col(Meeting.id))
_LIST_PARTS = ((False, False), (True, False))


def _list_from(session: Session, query, since: datetime, mark: list, backwards: bool
               ) -> list:
    """A page of the list just after (or before) the cursor's meeting, crossing from those to
    come to those held (or back) when a part runs out: keyset, one or two queries."""
    parts = [query.where(col(Meeting.starts_at) >= since),
             query.where(col(Meeting.starts_at) < since)]
    part, when, number = mark
    if part not in (0, 1) or not isinstance(when, datetime) or not isinstance(number, int):
        raise InvalidInput({"after": "this page link is not one this list gave; start again "
                                     "from the first page"})
    rows, _ = seek(session, parts[part], columns=_LIST_COLUMNS, descending=_LIST_PARTS[part],
                   limit=MEETINGS_PAGE_SIZE, after=[when, number], backwards=backwards)
    other = 0 if backwards else 1
    if part != other and len(rows) < MEETINGS_PAGE_SIZE:
        more, _ = seek(session, parts[other], columns=_LIST_COLUMNS,
                       descending=_LIST_PARTS[other], limit=MEETINGS_PAGE_SIZE - len(rows),
                       backwards=backwards)
        rows = more + rows if backwards else rows + more
    return rows


def meetings_page(session: Session, *, series_id: int | None = None, year: int | None = None,
                  page: int = 1, on: date | None = None, after: str | None = None,
                  before: str | None = None) -> MeetingsPage:
    """The meetings of one series or all, in one year (London time) or any, a page at a time:
    today's and later meetings first in date order, then earlier ones, the latest first.
    Cancelled meetings are listed, in their place, as cancelled.

    A page link carries the meeting it follows on from (`after`) or goes back before
    (`before`): keyset paging, the same cost on every page and nothing skipped or repeated
    when meetings are added between pages; `page` only numbers the page for the caption (and,
    without a cursor, counts it from the first)."""
    since = start_of_day_utc(on or today())
    query = select(Meeting, MeetingType).join(
        MeetingType, col(MeetingType.id) == Meeting.meeting_type_id)
    if series_id is not None:
        query = query.where(Meeting.meeting_type_id == series_id)
    if year is not None:
        query = query.where(col(Meeting.starts_at) >= start_of_day_utc(date(year, 1, 1)),
                            col(Meeting.starts_at) < start_of_day_utc(date(year + 1, 1, 1)))
    print_ = fingerprint("meetings_list", {"series": series_id, "year": year})
    total = session.exec(select(func.count()).select_from(
        query.with_only_columns(col(Meeting.id)).subquery())).one()
    pages = max(1, -(-total // MEETINGS_PAGE_SIZE))
    page = min(max(page, 1), pages)
    found: list = []
    if after or before:
        mark = decode_cursor(cast(str, before or after), print_, 3)
        found = _list_from(session, query, since, mark, backwards=before is not None)
    if not found:  # no cursor, or it led past either end: count the page from the first
        to_come = col(Meeting.starts_at) >= since
        # Those to come sort by their start, ascending; those held have no first key (NULL
        # in either database's order, as they are all alike) and sort by the second,
        # descending.
        ordered = query.order_by(case((to_come, 0), else_=1),
                                 case((to_come, col(Meeting.starts_at)), else_=None),
                                 col(Meeting.starts_at).desc(), col(Meeting.id))
        found = list(session.exec(ordered.offset((page - 1) * MEETINGS_PAGE_SIZE)
                                  .limit(MEETINGS_PAGE_SIZE)))
    return MeetingsPage(rows=[(m, t) for m, t in found], total=total, page=page, since=since,
                        print_=print_)


def meeting_years(session: Session) -> list[int]:
    """The years (London time) from the first meeting to the last, the latest first."""
    first, last = session.exec(
        select(func.min(col(Meeting.starts_at)), func.max(col(Meeting.starts_at)))).one()
    if first is None or last is None:
        return []
    return list(range(to_london(last).year, to_london(first).year - 1, -1))


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    """One meeting, or NotFound."""
    return get_or_404(session, Meeting, meeting_id, "meeting")


def next_meeting_of(session: Session, meeting: Meeting) -> Meeting | None:
    """The meeting that follows: the one named as next unless it was cancelled, else the
    series' next meeting that is not cancelled."""
    if meeting.next_meeting_id:
        named = session.get(Meeting, meeting.next_meeting_id)
        if named is not None and named.status != MeetingStatus.cancelled:
            return named
    query = (
        select(Meeting)
        .where(Meeting.meeting_type_id == meeting.meeting_type_id,
               Meeting.starts_at > meeting.starts_at,
               Meeting.status != MeetingStatus.cancelled)
        .order_by(col(Meeting.starts_at))
    )
    return session.exec(query).first()


def meeting_type_of(session: Session, meeting: Meeting) -> MeetingType:
    """The series a meeting belongs to."""
    # meeting_type_id is a required foreign key, so the series is there.
    return cast(MeetingType, session.get(MeetingType, meeting.meeting_type_id))


AMEND_HINT = (
    "Approved minutes change only by amendment, with a reason: use \"Amend\" on the "
    "meeting's page (or POST /api/v1/entries/{id}/amendments)."
)


def ensure_minutes_editable(meeting: Meeting) -> None:
    """Refuse a change to the record of a meeting whose minutes are approved."""
    if meeting.status in LOCKED_STATUSES:
        raise Conflict(
            f"The minutes of this meeting are {meeting.status}; they can no longer be edited. "
            + AMEND_HINT
        )


def _check_meeting_fields(session: Session, values: dict, meeting: Meeting | None) -> None:
    errors: dict[str, str] = {}
    for field in ("chair_id", "minute_taker_id"):
        if values.get(field) is not None and session.get(Person, values[field]) is None:
            errors[field] = f"there is no person with id {values[field]}"
    type_id = values.get("meeting_type_id")
    if type_id is not None and session.get(MeetingType, type_id) is None:
        errors["meeting_type_id"] = f"there is no series with id {type_id}"
    starts_at = values.get("starts_at") or (meeting.starts_at if meeting else None)
    ends_at = values["ends_at"] if "ends_at" in values else (meeting.ends_at if meeting else None)
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = "must be after the start of the meeting"
    next_id = values.get("next_meeting_id")
    if next_id is not None:
        following = session.get(Meeting, next_id)
        if following is None:
            errors["next_meeting_id"] = f"there is no meeting with id {next_id}"
        elif meeting is not None and following.id == meeting.id:
            errors["next_meeting_id"] = "a meeting cannot be its own next meeting"
        elif starts_at and following.starts_at <= starts_at:
            errors["next_meeting_id"] = "the next meeting must start after this one"
    if errors:
        raise InvalidInput(errors)


def create_meeting(session: Session, *, data: MeetingCreate, by: Actor,
                   furnished: bool = True) -> Meeting:
    """Schedule a meeting; venue and marking default to the series' and the office's.
    `furnished=False`: without the series' standing items and invitees (an imported meeting
    brings its own)."""
    require(by, Perm.edit_record)
    values = data.model_dump()
    _check_meeting_fields(session, values, None)
    meeting_type = session.get(MeetingType, data.meeting_type_id)
    assert meeting_type is not None  # checked by _check_meeting_fields
    if values["venue"] is None:
        values["venue"] = meeting_type.default_venue
    if values["marking"] is None:
        values["marking"] = get_office(session).default_marking
    meeting = Meeting(**values)
    if meeting.status == MeetingStatus.agenda_issued:  # made with its agenda issued
        meeting.agenda_issued_at = meeting.created_at
    session.add(meeting)
    session.flush()
    if furnished:
        furnish(session, meeting)
    audit.record(session, by=by, verb="create", object_type="meeting", object_id=meeting.id,
                 summary=meeting_title(meeting, meeting_type))
    session.flush()
    return meeting


def update_meeting(session: Session, *, meeting_id: int, data: MeetingUpdate, by: Actor) -> Meeting:
    """Change a meeting. The chair may only approve draft minutes the secretariat submitted."""
    meeting = get_meeting(session, meeting_id)
    changes = changes_of(
        data, nullable=("ends_at", "chair_id", "minute_taker_id", "next_meeting_id")
    )
    if not allowed(by, Perm.edit_record):
        if not (allowed(by, Perm.approve_minutes) and set(changes) <= {"status"}
                and changes.get("status") == MeetingStatus.approved):
            raise Forbidden(f"Your role ({by.role}) can only approve minutes.")
        if meeting.status not in (MeetingStatus.draft, MeetingStatus.in_progress):
            raise Conflict(f"Only draft minutes can be approved; these are {meeting.status}.")
        from app.services.approval import ensure_submitted  # a cycle: approval imports this module

        ensure_submitted(meeting)
    changes = {k: v for k, v in changes.items() if getattr(meeting, k) != v}
    # A change of stage goes through the step the pages use (app/services/stages.py).
    stage = changes.pop("status", None)
    if stage == MeetingStatus.published:
        raise InvalidInput({"status": "minutes are published from the meeting's public "
                                      "preview page, which keeps the published document"})
    if (changes or stage) and meeting.status in LOCKED_STATUSES:
        raise Conflict(f"The minutes of this meeting are {meeting.status}; the meeting can no "
                       "longer be changed. " + AMEND_HINT)
    _check_meeting_fields(session, changes, meeting)
    moved = any(
        key in changes and changes[key] != getattr(meeting, key)
        for key in ("starts_at", "ends_at", "venue", "status")
    )
    if changes:
        for key, value in changes.items():
            setattr(meeting, key, value)
        if moved:
            meeting.sequence += 1  # calendars take the change only with a higher sequence
        meeting.updated_at = utcnow()
        audit.record(session, by=by, verb="update", object_type="meeting", object_id=meeting.id,
                     summary=audit.describe_changes(changes))
        session.flush()
        if moved:
            _invite_again(session, meeting)
    if stage is not None:
        from app.services.stages import move_to  # a cycle: stages builds on this module

        move_to(session, meeting_id=meeting_id, to=stage, by=by)
    return meeting


# --- a meeting's stages -------------------------------------------------------------------
# Planned (or its agenda issued), then started ("in progress": the minutes are being taken),
# then closed (draft minutes), then submitted, approved and published (app/services/approval.py
# and publication.py). Only a meeting not yet held may be moved or cancelled.

MAX_CANCEL_REASON = 2000
STAGE_WORDS = {
    MeetingStatus.planned: "planned",
    MeetingStatus.agenda_issued: "planned, with its agenda issued",
    MeetingStatus.in_progress: "in progress",
    MeetingStatus.draft: "closed, with draft minutes",
    MeetingStatus.approved: "approved",
    MeetingStatus.published: "published",
    MeetingStatus.cancelled: "cancelled",
}


def stage_words(meeting: Meeting) -> str:
    """The meeting's stage in the office's words: "in progress"."""
    return STAGE_WORDS.get(MeetingStatus(meeting.status), str(meeting.status))


def _change_status(session: Session, meeting: Meeting, status: MeetingStatus, *, by: Actor,
                   verb: str, summary: str) -> Meeting:
    meeting.status = status
    meeting.updated_at = utcnow()
    audit.record(session, by=by, verb=verb, object_type="meeting", object_id=meeting.id,
                 summary=summary)
    session.flush()
    return meeting


def start_meeting(session: Session, *, meeting_id: int, by: Actor) -> Meeting:
    """The meeting begins: a planned meeting is in progress, and its minutes can be taken."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat and administrators start a meeting.")
    if meeting.status == MeetingStatus.in_progress:
        raise Conflict("This meeting has already started.")
    if meeting.status not in NOT_YET_HELD:
        raise Conflict(f"Only a planned meeting can be started; this meeting is "
                       f"{stage_words(meeting)}.")
    return _change_status(session, meeting, MeetingStatus.in_progress, by=by, verb="start",
                          summary="The meeting started")


def close_meeting(session: Session, *, meeting_id: int, by: Actor) -> Meeting:
    """The meeting ends: its minutes are a draft, ready to be checked and submitted."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat and administrators close a meeting.")
    if meeting.status in NOT_YET_HELD:
        raise Conflict("This meeting has not started yet: start it before you close it.")
    if meeting.status != MeetingStatus.in_progress:
        raise Conflict(f"Only a meeting in progress can be closed; this meeting is "
                       f"{stage_words(meeting)}.")
    return _change_status(session, meeting, MeetingStatus.draft, by=by, verb="close",
                          summary="The meeting closed; its minutes are a draft")


def _ensure_not_held(meeting: Meeting, doing: str) -> None:
    if meeting.status not in NOT_YET_HELD:
        raise Conflict(f"Only a meeting that has not taken place can be {doing}; this "
                       f"meeting is {stage_words(meeting)}.")


def cancel_meeting(session: Session, *, meeting_id: int, reason: str, by: Actor) -> Meeting:
    """Call off a meeting not yet held, with the reason; it stays in the lists, marked."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat and administrators cancel a meeting.")
    _ensure_not_held(meeting, "cancelled")
    reason = clean_text(reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Give the reason the meeting is cancelled"})
    if len(reason) > MAX_CANCEL_REASON:
        raise InvalidInput({"reason": f"The reason must be {MAX_CANCEL_REASON} characters "
                                      "or fewer"})
    meeting.cancelled_reason = reason
    meeting.sequence += 1  # calendars take the cancellation only with a higher sequence
    _change_status(session, meeting, MeetingStatus.cancelled, by=by, verb="cancel",
                   summary=f"Cancelled: {reason}")
    _invite_again(session, meeting)
    return meeting


def move_meeting(session: Session, *, meeting_id: int, starts_at: datetime, by: Actor
                 ) -> Meeting:
    """Move a meeting not yet held to a new start (UTC); it keeps its length."""
    meeting = get_meeting(session, meeting_id)
    require(by, Perm.edit_record, "Only the secretariat and administrators move a meeting.")
    _ensure_not_held(meeting, "moved")
    if starts_at == meeting.starts_at:
        raise InvalidInput({"starts_at": "The new start is the same as the old one"})
    old = meeting.starts_at
    if meeting.ends_at is not None:
        meeting.ends_at = starts_at + (meeting.ends_at - meeting.starts_at)
    meeting.starts_at = starts_at
    meeting.sequence += 1
    meeting.updated_at = utcnow()
    audit.record(session, by=by, verb="move", object_type="meeting", object_id=meeting.id,
                 summary=f"Moved from {to_london(old):%d %B %Y %H:%M} to "
                         f"{to_london(starts_at):%d %B %Y %H:%M}")
    session.flush()
    _invite_again(session, meeting)
    return meeting


def _invite_again(session: Session, meeting: Meeting) -> None:
    """Those sent calendar invitations get the update (or the cancellation), sent once the
    change is committed (app/services/invites.py)."""
    invites.queue_updates(session, meeting)


# --- a series' standing items and invitees ------------------------------------------------


def series_items(session: Session, meeting_type_id: int) -> list[SeriesItem]:
    """The standing items of a series, in order."""
    query = select(SeriesItem).where(SeriesItem.meeting_type_id == meeting_type_id)
    return list(session.exec(query.order_by(col(SeriesItem.position), col(SeriesItem.id))))


def series_attendees(session: Session, meeting_type_id: int) -> list[tuple[SeriesAttendee, Person]]:
    """Who is invited to every meeting of a series, in order."""
    query = (
        select(SeriesAttendee, Person)
        .join(Person, col(Person.id) == SeriesAttendee.person_id)
        .where(SeriesAttendee.meeting_type_id == meeting_type_id)
        .order_by(col(SeriesAttendee.position), col(SeriesAttendee.id))
    )
    return [(a, p) for a, p in session.exec(query)]


def furnish(session: Session, meeting: Meeting) -> None:
    """Give a new meeting its series' standing items and invitees (in the caller's work)."""
    assert meeting.id is not None  # a saved meeting
    for item in series_items(session, meeting.meeting_type_id):
        session.add(AgendaItem(meeting_id=meeting.id, position=item.position, title=item.title,
                               kind=item.kind))
    for position, (invitee, person) in enumerate(
        series_attendees(session, meeting.meeting_type_id)
    ):
        assert person.id is not None  # loaded from the database
        session.add(Attendance(meeting_id=meeting.id, person_id=person.id,
                               status=AttendanceStatus.expected,
                               capacity=invitee.capacity or default_capacity(person),
                               position=position))


# --- attendance ---------------------------------------------------------------------------


def default_capacity(person: Person) -> str:
    """"Deputy Chief Constable (DCC)"."""
    if person.role_title and person.role_abbreviation:
        return f"{person.role_title} ({person.role_abbreviation})"
    return person.role_title or person.role_abbreviation


def list_attendance(session: Session, meeting_id: int) -> list[tuple[Attendance, Person]]:
    """Who was expected, in the order recorded."""
    query = (
        select(Attendance, Person)
        .join(Person, col(Person.id) == Attendance.person_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(col(Attendance.position), col(Attendance.id))
    )
    return [(a, p) for a, p in session.exec(query)]


def set_attendance(
    session: Session, *, meeting_id: int, rows: list[AttendanceIn], by: Actor
) -> list[tuple[Attendance, Person]]:
    """Replace a meeting's attendance with the list given (app/services/attendance.py)."""
    from app.services import attendance  # a cycle: attendance reads the agenda, which needs us

    return attendance.set_attendance(session, meeting_id=meeting_id, rows=rows, by=by)
