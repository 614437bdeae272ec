"""A series' minutes in a format being chosen: the series page previews the latest meeting
held (else the next one) as the reader may read it, built as the minutes export builds it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Meeting, MeetingStatus, utcnow
from app.services import audit
from app.services.meetings import get_meeting_type, meeting_title
from app.services.minutes import (
    Edition,
    MinutesRecord,
    edition_for,
    load_record,
    minutes_of,
    running_start_of,
)
from app.services.minutes_format import MinutesFormat
from app.services.office import get_office
from app.services.permissions import Actor, Perm, allowed


@dataclass
class MinutesPreview:
    """The minutes of one meeting of a series in a format, and which meeting and edition."""

    meeting: Meeting
    title: str  # "Monthly Assurance Meeting April 2019"
    held: bool  # False: no meeting has been held yet, this is the next one
    edition: Edition
    minutes: MinutesRecord


def preview_meeting(session: Session, series_id: int) -> tuple[Meeting, bool] | None:
    """The latest meeting of the series held (started and not cancelled), else the next one;
    with whether it was held."""
    now = utcnow()
    base = select(Meeting).where(Meeting.meeting_type_id == series_id,
                                 Meeting.status != MeetingStatus.cancelled)
    held = session.exec(base.where(col(Meeting.starts_at) <= now)
                        .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())).first()
    if held is not None:
        return held, True
    coming = session.exec(base.where(col(Meeting.starts_at) > now)
                          .order_by(col(Meeting.starts_at), col(Meeting.id))).first()
    return (coming, False) if coming is not None else None


def minutes_preview(session: Session, *, series_id: int, fmt: MinutesFormat, by: Actor,
                    download: bool = False) -> MinutesPreview | None:
    """The minutes of the series' latest meeting in `fmt` (saved or not), in the edition the
    reader may read (the public one for those who may not see exempt items, or who may not
    download the internal one when `download`); None when the series has no meetings. A
    download is audited as an export."""
    series = get_meeting_type(session, series_id)
    found = preview_meeting(session, series_id)
    if found is None:
        return None
    meeting, held = found
    assert meeting.id is not None  # loaded from the database
    edition = edition_for(by)
    if download and not allowed(by, Perm.export_internal):
        edition = Edition.public
    record = load_record(session, meeting_id=meeting.id, redact=edition == Edition.public)
    office = get_office(session)
    minutes = minutes_of(record, office_short_name=office.office_short_name,
                         office_name=office.office_name, edition=edition, fmt=fmt,
                         running_start=running_start_of(session, meeting, fmt))
    if download:
        audit.record(session, by=by, verb="export", object_type="meeting", object_id=meeting.id,
                     summary=f"minutes preview in a format of the series, {edition} edition")
        session.flush()
    return MinutesPreview(meeting=meeting, title=meeting_title(meeting, series), held=held,
                          edition=edition, minutes=minutes)
