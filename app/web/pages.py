"""The pages: the meetings, a meeting's record, the action log (signing in: account_pages).

A meeting's page reads the meeting and nothing of the rest of the record but the actions still
outstanding at it, in the same 25 statements however many meetings came before (issue 17;
bench/bench_bounded.py): the meeting and its series, its agenda, its paragraphs; its actions and
those carried forward, each with their owners, latest update, latest change of status and exempt
items; its questions and those carried to it, with the meetings they came from; attendance and
the people; the office's settings; the amendments asked for; and, for the office, the
invitations sent."""

import threading
import time
from collections import OrderedDict
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.models import utcnow
from app.services import invites, meetings, record_import
from app.services.approval import amendments_of, awaiting_approval
from app.services.dates import today
from app.services.inspections import inspections_due
from app.services.live import LiveMark, live_changes, live_mark
from app.services.minutes import Edition, edition_for, load_record, minutes_of
from app.services.office import get_office
from app.services.permissions import Perm
from app.services.publication import minutes_due
from app.services.schedule import holiday_of
from app.services.stages import stage_of
from app.web.deps import IdPath, PageCaller
from app.web.forms import error_list, whole_id
from app.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site; never another host."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value:
        return "/"
    return value


# The home page, what waits for the signed-in user: app/web/home_page.py.
# Signing in and out: app/web/account_pages.py.


MeetingsQuery = Annotated[str, Query(max_length=20)]
CursorQuery = Annotated[str, Query(max_length=2000)]


@router.get("/meetings")
def meetings_page(request: Request, session: SessionDep, caller: PageCaller,
                  series: MeetingsQuery = "", year: MeetingsQuery = "",
                  page: MeetingsQuery = "1", after: CursorQuery = "",
                  before: CursorQuery = ""):
    everything = meetings.list_meeting_types(session)
    chosen_series = whole_id(series.strip())
    if chosen_series not in {t.id for t in everything}:
        chosen_series = None
    years = meetings.meeting_years(session)
    chosen_year = int(year) if year.strip().isdigit() and int(year) in years else None
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    found = meetings.meetings_page(session, series_id=chosen_series, year=chosen_year,
                                   page=number, after=after or None, before=before or None)
    rows = [{"meeting": m, "type": t, "title": meetings.meeting_title(m, t),
             "to_come": m.starts_at >= found.since} for m, t in found.rows]
    params = {k: v for k, v in (("series", chosen_series), ("year", chosen_year)) if v}

    def page_link(to: int, cursor: dict[str, str | None]) -> str:
        # The page number is for the caption; the cursor (the meeting the reader saw last,
        # or first) says where the page starts, so that no meeting is skipped or repeated.
        keys = {k: v for k, v in cursor.items() if v and to > 1}
        return "/meetings?" + urlencode({**params, "page": to, **keys})

    watches = caller.actor.can(Perm.approve_minutes)  # the chair, secretariat and admin
    due = minutes_due(session) if watches else []
    responses = inspections_due(session, today()) if watches else []
    return render(request, "meetings.html", {
        "page_title": "Meetings", "rows": rows, "found": found,
        "series_choices": [(str(t.id), t.name) for t in everything],
        "years": [str(y) for y in years],
        "series": str(chosen_series or ""), "year": str(chosen_year or ""),
        "filtered": bool(params),
        "previous_link": (page_link(found.page - 1, {"before": found.first_cursor})
                          if found.page > 1 else None),
        "next_link": (page_link(found.page + 1, {"after": found.last_cursor})
                      if found.page < found.pages else None),
        "minutes_due": due,
        "can_add": caller.actor.can(Perm.edit_record),
        "responses_due": responses})


def _minutes_for_reader(session, meeting_id: int, actor):
    """The record and its minutes, as the public edition for readers who may not see exempt
    material."""
    edition = edition_for(actor)
    record = load_record(session, meeting_id=meeting_id, redact=edition == Edition.public)
    office = get_office(session)
    minutes = minutes_of(record, office_short_name=office.office_short_name,
                         office_name=office.office_name, edition=edition,
                         fmt=record.minutes_format)
    return record, minutes, edition


@router.get("/meetings/{meeting_id}")
def meeting_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                 notice: Annotated[str, Query(max_length=300)] = ""):
    return meeting_page_response(request, session, caller, meeting_id, notice=notice)


def meeting_page_response(request: Request, session, caller, meeting_id: int, *,
                          errors: dict[str, str] | None = None, notice: str = "",
                          status_code: int = 200):
    """The meeting's page, with its stage and next step; `errors` when a step was refused."""
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    meeting = record.meeting
    errors = errors or {}
    return render(
        request,
        "meeting.html",
        {
            "page_title": ("Error: " if errors else "") + record.title,
            "record": record,
            "minutes": minutes,
            "edition": edition,
            "can_export_internal": caller.actor.can(Perm.export_internal),
            # an imported meeting's original file (issue 18), for those who read the internal
            # record
            "imported_from": record_import.import_of_meeting(session, meeting_id)
            if meeting.imported and caller.actor.can(Perm.export_internal) else None,
            "can_take_minutes": caller.actor.can(Perm.edit_record),
            "can_manage": caller.actor.can(Perm.edit_record),
            "can_approve": caller.actor.can(Perm.approve_minutes),
            "can_publish": caller.actor.can(Perm.publish_minutes),
            "stage": meetings.stage_words(meeting),
            "stage_view": stage_of(meeting, caller.actor),
            "not_yet_held": meeting.status in meetings.NOT_YET_HELD,
            "submitted": awaiting_approval(meeting),
            "bank_holiday": holiday_of(meeting),
            "amendments": amendments_of(session, meeting_id=meeting_id, by=caller.actor),
            "invites": invites.overview(session, meeting)
            if caller.actor.can(Perm.edit_record) else None,
            "notice": notice,
            "errors": errors,
            "error_list": error_list(errors, {"stage": "next-step",
                                              "invitations": "invitations"}),
        },
        status_code=status_code,
    )


@router.get("/meetings/{meeting_id}/live")
def live_page(meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    stamp = live_mark(session, meeting_id=meeting_id)
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    return render(request, "live.html", {
        "page_title": f"{record.title} (live)", "record": record, "minutes": minutes,
        "edition": edition, "stamp": str(stamp), "shown_at": utcnow()})


class LiveAnswers:
    """The live view's answers already rendered, for the readers of the same edition who ask
    the same (from the same mark, at the same mark): fifty readers of a meeting poll with the
    marks they were all last sent, and one rendering serves them all. Kept for `keep` seconds
    at most, the `size` latest; a process's own (any process renders its own)."""

    def __init__(self, size: int = 64, keep: float = 10.0, mark_keep: float = 0.5) -> None:
        self.size, self.keep, self.mark_keep = size, keep, mark_keep
        self._answers: OrderedDict[tuple, tuple[float, bytes, dict[str, str]]] = OrderedDict()
        self._marks: dict[int, tuple[float, LiveMark]] = {}
        self._lock = threading.Lock()

    def mark(self, session, meeting_id: int) -> LiveMark:
        """The meeting's mark, as found at most `mark_keep` seconds ago: the polls of that
        moment share one query and one answer; a reader sees a change that much later."""
        now = time.monotonic()
        with self._lock:
            found = self._marks.get(meeting_id)
        if found is not None and now - found[0] <= self.mark_keep:
            return found[1]
        mark = live_mark(session, meeting_id=meeting_id)
        with self._lock:
            if len(self._marks) >= self.size:
                self._marks.clear()
            self._marks[meeting_id] = (now, mark)
        return mark

    def get(self, key: tuple) -> Response | None:
        with self._lock:
            found = self._answers.get(key)
        if found is None or time.monotonic() - found[0] > self.keep:
            return None
        return Response(found[1], media_type="text/html; charset=utf-8", headers=found[2])

    def put(self, key: tuple, answer: Response) -> Response:
        headers = {k: v for k, v in answer.headers.items() if k.lower() == "x-assure-live"}
        with self._lock:
            self._answers[key] = (time.monotonic(), bytes(answer.body), headers)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer


live_answers = LiveAnswers()


@router.get("/meetings/{meeting_id}/live/minutes")
def live_minutes(
    meeting_id: IdPath,
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    stamp: Annotated[str, Query(max_length=64)] = "",
):
    """What changed in the live view's minutes since the page's `stamp`: 204 when nothing has;
    the paragraphs typed since, when only paragraphs were (answered with X-Assure-Live:
    changes, static/assure-live.js puts them in place); else the minutes whole. An unchanged
    record costs at most one query and no rendering; nothing here writes. What a reader may see is
    decided by their edition, and answers are shared only within one (LiveAnswers)."""
    current = live_answers.mark(session, meeting_id)
    seen = LiveMark.parse(stamp)
    if seen == current:
        return Response(status_code=204)
    edition = edition_for(caller.actor)
    if seen is not None and seen.shape == current.shape:
        # From the start of the second the reader's latest save was in: readers who were sent
        # different saves of the same moments are sent the same answer (a paragraph or two
        # they already have, again).
        since = seen.rounded_down()
        key: tuple = ("changes", meeting_id, str(since), str(current), str(edition))
        if (cached := live_answers.get(key)) is not None:
            return cached
        changes = live_changes(session, meeting_id=meeting_id, since=since, edition=edition)
        if changes is not None:
            answer = render(request, "live.html", {
                "changes": changes, "stamp": str(current), "shown_at": utcnow()},
                block="live_changes")
            answer.headers["X-Assure-Live"] = "changes"
            return live_answers.put(key, answer)
    key = ("whole", meeting_id, str(current), str(edition))
    if (cached := live_answers.get(key)) is not None:
        return cached
    record, minutes, edition = _minutes_for_reader(session, meeting_id, caller.actor)
    return live_answers.put(key, render(request, "live.html", {
        "record": record, "minutes": minutes, "edition": edition, "stamp": str(current),
        "shown_at": utcnow()}, block="live_minutes"))
