"""Series of meetings: how often each meets, its standing items and invitees, the meetings it
makes, and the calendar links to follow them.

The page reads the form, calls app.services.meetings and app.services.schedule, and renders;
whether a schedule can make meetings is the services' to say.
"""

import hashlib
import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError

from app.db import SessionDep
from app.export.docx_preview import docx_to_html
from app.export.minutes_docx import build_minutes_document
from app.models import ItemKind, MeetingType, Recurrence
from app.schemas import MeetingTypeCreate, MeetingTypeUpdate, StandingItemIn
from app.services import calendar, meetings, minutes_format, people, schedule
from app.services.dates import today
from app.services.errors import Forbidden, InvalidInput
from app.services.minutes import MinutesRecord
from app.services.minutes_preview import MinutesPreview, minutes_preview
from app.services.permissions import Perm, require
from app.services.recurrence import MONTHS, WEEKDAYS, Rule, parse_skip_months
from app.services.word_template import template_bytes
from app.web.calendar import feed_links
from app.web.deps import IdPath, PageCaller
from app.web.downloads import docx_response
from app.web.forms import (
    DateParts,
    domain_errors,
    error_list,
    parse_date,
    parse_id,
    people_groups,
    person_option,
    schema_errors,
    sentence,
    submit,
)
from app.web.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]

# How a standing item's kind is written before its title in the textarea ("aob: AOB").
KIND_WORDS = {
    ItemKind.outstanding_matters: "outstanding matters",
    ItemKind.previous_minutes: "previous minutes",
    ItemKind.holding_to_account: "holding to account",
    ItemKind.theme: "theme",
    ItemKind.hmicfrs: "hmicfrs",
    ItemKind.aob: "aob",
    ItemKind.next_meeting: "next meeting",
    ItemKind.other: "other",
}
KIND_ALIASES = {
    **{words: kind for kind, words in KIND_WORDS.items()},
    **{kind.value: kind for kind in ItemKind},
    "outstanding": ItemKind.outstanding_matters,
    "minutes": ItemKind.previous_minutes,
    "holding": ItemKind.holding_to_account,
    "next": ItemKind.next_meeting,
}
_PREFIX = re.compile(r"^\s*([A-Za-z][A-Za-z _-]*?)\s*:\s*(\S.*)$")
WEEKS = [("1", "1st"), ("2", "2nd"), ("3", "3rd"), ("4", "4th"), ("5", "5th"), ("-1", "last")]
# Where the error summary links for each field the services name.
ANCHORS = {"recurrence": "recurrence-none", "starts_on": "starts_on-day",
           "ends_on": "ends_on-day", "skip_months": "skip_months-1",
           "monthly_by": "monthly_by-weekday", "invitees": "invitees", "make": "make-meetings"}

NEW_LINK_NOTICE = ("The calendar has a new link, shown below. The old link no longer works: "
                   "subscribe again with the new one.")
NewLinkQuery = Annotated[str, Query(max_length=5)]


def standing_text(items) -> str:
    """A series' standing items as the textarea shows them: one a line, "kind: title"."""
    lines = []
    for item in items:
        kind = ItemKind(item.kind) if item.kind in ItemKind.__members__ else ItemKind.other
        prefixed = _PREFIX.match(item.title)
        if kind == ItemKind.other and not (prefixed and prefixed[1].lower() in KIND_ALIASES):
            lines.append(item.title)
        else:
            lines.append(f"{KIND_WORDS[kind]}: {item.title}")
    return "\n".join(lines)


def parse_standing(text: str, errors: dict[str, str]) -> list[schedule.StandingItem]:
    """One item a line; "aob: AOB" gives the kind, a line without a known kind is "other"."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        kind, title = ItemKind.other, line.strip()
        prefixed = _PREFIX.match(line)
        if prefixed and prefixed[1].strip().lower() in KIND_ALIASES:
            kind, title = KIND_ALIASES[prefixed[1].strip().lower()], prefixed[2].strip()
        try:
            checked = StandingItemIn(title=title, kind=kind)
        except ValidationError as exc:
            message = schema_errors(exc).get("title", "is not valid")
            errors.setdefault("standing_items", f"Line {number}: {message[:1].lower()}"
                                                f"{message[1:]}")
            continue
        items.append(schedule.StandingItem(title=checked.title, kind=checked.kind.value))
    return items


@dataclass
class SeriesForm:
    """The series form as typed (strings), so nothing typed is lost on an error."""

    name: str = ""
    default_venue: str = ""
    recurrence: str = Recurrence.none.value
    interval: str = "1"
    weekday: str = ""
    monthly_by: str = "weekday"
    week_of_month: str = ""
    day_of_month: str = ""
    start_time: str = "10:00"
    duration_minutes: str = "120"
    skip_months: list[str] = field(default_factory=list)
    starts_on: DateParts = field(default_factory=DateParts)
    ends_on: DateParts = field(default_factory=DateParts)
    public_question_days: str = "10"
    standing_items: str = ""
    invitees: list[str] = field(default_factory=list)
    default_chair_id: str = ""
    default_minute_taker_id: str = ""

    @classmethod
    def of(cls, session, series: MeetingType) -> "SeriesForm":
        def text(value) -> str:
            return "" if value is None else str(value)

        assert series.id is not None  # a saved series
        return cls(
            name=series.name, default_venue=series.default_venue,
            recurrence=str(series.recurrence), interval=str(series.interval),
            weekday=text(series.weekday),
            monthly_by="day" if series.day_of_month is not None else "weekday",
            week_of_month=text(series.week_of_month), day_of_month=text(series.day_of_month),
            start_time=series.start_time, duration_minutes=str(series.duration_minutes),
            skip_months=[str(m) for m in sorted(parse_skip_months(series.skip_months))],
            starts_on=DateParts.of(series.starts_on), ends_on=DateParts.of(series.ends_on),
            public_question_days=str(series.public_question_days),
            standing_items=standing_text(meetings.series_items(session, series.id)),
            invitees=[str(p.id) for _, p in meetings.series_attendees(session, series.id)],
            default_chair_id=text(series.default_chair_id),
            default_minute_taker_id=text(series.default_minute_taker_id),
        )


def _whole(value: str, name: str, errors: dict[str, str], message: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"-?\d{1,6}", value):
        return int(value)
    errors[name] = message
    return None


def _clock(value: str) -> str:
    """"9:30", "0930" or "9.30" as "09:30"; anything else as typed, for the schema to refuse."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.]?(\d{2})\s*", value or "")
    return f"{int(match[1]):02d}:{match[2]}" if match else (value or "").strip()


def _read(form: SeriesForm) -> tuple[dict, list, list[int], dict[str, str]]:
    """The schedule's values, the standing items and the invitees' ids, and what is wrong."""
    errors: dict[str, str] = {}
    values: dict = {"name": form.name, "default_venue": form.default_venue}
    if form.recurrence not in Recurrence.__members__:
        errors["recurrence"] = "Choose how often the series meets"
    else:
        values["recurrence"] = Recurrence(form.recurrence)
    number = "Give a whole number, like 1"
    values["interval"] = _whole(form.interval, "interval", errors, number) or 1
    weekday = _whole(form.weekday, "weekday", errors, "Choose a day of the week")
    week = _whole(form.week_of_month, "week_of_month", errors, "Choose a week of the month")
    day = _whole(form.day_of_month, "day_of_month", errors,
                 "Give the day of the month as a number from 1 to 31")
    if form.recurrence == Recurrence.weekly:
        week = day = None  # a weekly series meets on a weekday; the monthly choices do not apply
    elif form.recurrence == Recurrence.monthly:
        if form.monthly_by == "day":
            weekday = week = None
        elif form.monthly_by == "weekday":
            day = None
        else:
            errors["monthly_by"] = "Choose whether the series meets on a weekday or a date"
    values.update(weekday=weekday, week_of_month=week, day_of_month=day)
    values["start_time"] = _clock(form.start_time)
    values["duration_minutes"] = _whole(form.duration_minutes, "duration_minutes", errors,
                                        "Give the length in minutes, like 120")
    if values["duration_minutes"] is None and "duration_minutes" not in errors:
        errors["duration_minutes"] = "Give the length in minutes, like 120"
    months = [int(m) for m in form.skip_months if m.isdigit() and 1 <= int(m) <= 12]
    if len(months) != len(form.skip_months):
        errors["skip_months"] = "Choose months from the list"
    values["skip_months"] = months
    values["starts_on"] = parse_date(form.starts_on, "starts_on", "The start date", errors)
    values["ends_on"] = parse_date(form.ends_on, "ends_on", "The end date", errors)
    days = _whole(form.public_question_days, "public_question_days", errors, number)
    if days is None and "public_question_days" not in errors:
        errors["public_question_days"] = "Give a number of days, like 10 (0 for none)"
    values["public_question_days"] = days
    values["default_chair_id"] = parse_id(form.default_chair_id, "default_chair_id", errors,
                                          FRIENDLY["default_chair_id"])
    values["default_minute_taker_id"] = parse_id(
        form.default_minute_taker_id, "default_minute_taker_id", errors,
        FRIENDLY["default_minute_taker_id"])
    items = parse_standing(form.standing_items, errors)
    invitees = [int(i) for i in form.invitees if i.isdigit()]
    if len(invitees) != len(form.invitees):
        errors["invitees"] = "Choose people from the list"
    return values, items, invitees, errors


FRIENDLY = {
    "name": "Enter the name of the series, like Monthly Assurance Meeting",
    "interval": "Give the number of weeks or months between meetings, from 1 to 52",
    "start_time": "Give the start time on the 24-hour clock, like 10:00 or 14:30",
    "duration_minutes": "Give a length from 5 minutes to 12 hours (720 minutes)",
    "public_question_days": "Give a number of days from 0 to 90",
    "weekday": "Choose a day of the week",
    "week_of_month": "Choose the 1st, 2nd, 3rd, 4th, 5th or last week of the month",
    "day_of_month": "Give a day of the month from 1 to 31",
    "skip_months": "Leave at least one month in which the series meets",
    "default_chair_id": "Choose the chair from the list",
    "default_minute_taker_id": "Choose the minute-taker from the list",
    "default_venue": "The venue must be at most 300 characters",
}


def _form_options(session, form: SeriesForm) -> dict:
    """The choices the series form offers: people to invite and to chair, days and months."""
    everyone = people.list_people(session)
    invited = [int(i) for i in form.invitees if i.isdigit()]
    by_id = {p.id: p for p in everyone}
    # Those invited first, in their order (the attendance lists keep it), then everyone else.
    listed = [by_id[i] for i in invited if i in by_id] + [
        p for p in everyone if p.active and p.id not in invited]
    chosen = {int(i) for i in (form.default_chair_id, form.default_minute_taker_id)
              if i.isdigit()}
    return {
        "people": [(str(p.id), person_option(p) + ("" if p.active else " (no longer active)"))
                   for p in listed],
        "people_groups": people_groups(everyone, chosen),
        "weekdays": [(str(i), name) for i, name in enumerate(WEEKDAYS)],
        "weeks": WEEKS,
        "months": [(str(i), MONTHS[i]) for i in range(1, 13)],
    }


def _render(request, session, caller, series: MeetingType, *, form: SeriesForm | None = None,
            errors: dict[str, str] | None = None, notice: str = "", made_notice: str = "",
            link_notice: str = "", preview: list | None = None, status_code: int = 200,
            format_form: "FormatForm | None" = None, trying: bool = False):
    actor = caller.actor
    assert series.id is not None  # a saved series
    errors = errors or {}
    form = form or SeriesForm.of(session, series)
    saved_format = minutes_format.load(series.minutes_format)
    format_form = format_form or FormatForm.of(saved_format)
    # The preview shows the choices being tried when they are sound, else the saved format.
    format_errors = [key for key in errors if key in FORMAT_OPTIONS]
    trying = trying and not format_errors
    shown_format = (format_form.checked()[0] or saved_format) if trying else saved_format
    saved_invitees = meetings.series_attendees(session, series.id)
    chair, taker = (people.get_person(session, i) if i is not None else None
                    for i in (series.default_chair_id, series.default_minute_taker_id))
    return render(request, "series.html", {
        "page_title": ("Error: " if errors else "") + series.name,
        "series": series,
        "schedule_words": schedule.schedule_description(series),
        "form": form,
        "can_edit": actor.can(Perm.edit_record),
        "sees_exempt": actor.sees_exempt,
        "standing": meetings.series_items(session, series.id),
        "kind_words": {k.value: w for k, w in KIND_WORDS.items()},
        "invitees": saved_invitees,
        "chair": chair,
        "minute_taker": taker,
        **_form_options(session, form),
        "upcoming": schedule.upcoming(session, series.id),
        "links": feed_links(request, series=series, user_id=caller.user.id)["series"],
        "errors": errors,
        "error_list": error_list(errors, {**ANCHORS, **FORMAT_ANCHORS}),
        "notice": notice,
        "made_notice": made_notice,
        "link_notice": link_notice,
        "preview": preview,
        "format_form": format_form,
        "format_choices": FORMAT_CHOICES,
        "saved_format_words": _format_words(saved_format),
        "minutes_preview": _preview_html(session, series.id, shown_format, caller.actor,
                                         template_bytes(session)),
        "trying": trying,
        # The first choice to change, when the choices could not be previewed.
        "format_error_anchor": (FORMAT_ANCHORS.get(format_errors[0], format_errors[0])
                                if format_errors else ""),
    }, status_code=status_code)


def _render_new(request, session, *, form: SeriesForm, errors: dict[str, str] | None = None,
                preview: list | None = None, status_code: int = 200):
    errors = errors or {}
    return render(request, "series_new.html", {
        "page_title": ("Error: " if errors else "") + "Add a series",
        "form": form,
        **_form_options(session, form),
        "errors": errors,
        "error_list": error_list(errors, ANCHORS),
        "preview": preview,
    }, status_code=status_code)


def series_form(
    name: FormStr = "", default_venue: FormStr = "",
    recurrence: FormStr = "", interval: FormStr = "", weekday: FormStr = "",
    monthly_by: FormStr = "", week_of_month: FormStr = "", day_of_month: FormStr = "",
    start_time: FormStr = "", duration_minutes: FormStr = "",
    skip_months: Annotated[list[str], Form(max_length=12)] = [],  # noqa: B006
    starts_day: Annotated[str, Form(alias="starts_on-day", max_length=20)] = "",
    starts_month: Annotated[str, Form(alias="starts_on-month", max_length=20)] = "",
    starts_year: Annotated[str, Form(alias="starts_on-year", max_length=20)] = "",
    ends_day: Annotated[str, Form(alias="ends_on-day", max_length=20)] = "",
    ends_month: Annotated[str, Form(alias="ends_on-month", max_length=20)] = "",
    ends_year: Annotated[str, Form(alias="ends_on-year", max_length=20)] = "",
    public_question_days: FormStr = "",
    standing_items: Annotated[str, Form(max_length=100_000)] = "",
    invitees: Annotated[list[str], Form(max_length=2000)] = [],  # noqa: B006
    default_chair_id: Annotated[str, Form(max_length=20)] = "",
    default_minute_taker_id: Annotated[str, Form(max_length=20)] = "",
) -> SeriesForm:
    """The series form as posted."""
    return SeriesForm(
        name=name, default_venue=default_venue, recurrence=recurrence, interval=interval,
        weekday=weekday, monthly_by=monthly_by, week_of_month=week_of_month,
        day_of_month=day_of_month, start_time=start_time, duration_minutes=duration_minutes,
        skip_months=list(skip_months), starts_on=DateParts(starts_day, starts_month, starts_year),
        ends_on=DateParts(ends_day, ends_month, ends_year),
        public_question_days=public_question_days, standing_items=standing_items,
        invitees=list(invitees), default_chair_id=default_chair_id,
        default_minute_taker_id=default_minute_taker_id)


PostedSeries = Annotated[SeriesForm, Depends(series_form)]
# Which button was pressed: "preview" shows the dates and saves nothing.
ActionStr = Annotated[str, Form(max_length=20)]


def _checked(session, form: SeriesForm,
             schema: type[MeetingTypeCreate] | type[MeetingTypeUpdate]):
    """The form's values checked by the schema, the directory and the schedule's rules, the
    standing items, the invitees' ids and what is wrong, field by field."""
    values, items, invitee_ids, errors = _read(form)
    data = None
    try:
        data = schema(**{k: v for k, v in values.items() if k not in errors})
    except ValidationError as exc:
        schema_said = schema_errors(exc, FRIENDLY)
        if "name" in schema_said and form.name.strip():
            schema_said["name"] = "The name must be at most 200 characters"
        errors = {**schema_said, **errors}
    if data is not None and not errors:
        rule_errors = _rule(data).errors() if data.recurrence not in (None, Recurrence.none) \
            else {}
        errors = domain_errors(InvalidInput(rule_errors)) if rule_errors else {}
        try:
            meetings.check_default_people(session, data.model_dump())
        except InvalidInput as exc:
            errors = {**domain_errors(exc, FRIENDLY), **errors}
    return data, items, invitee_ids, errors


def _rule(data: MeetingTypeCreate | MeetingTypeUpdate) -> Rule:
    """The schedule the form gives, as a series made from it would have it."""
    return Rule(kind=str(data.recurrence or Recurrence.none), interval=data.interval or 1,
                weekday=data.weekday, week_of_month=data.week_of_month,
                day_of_month=data.day_of_month, start_time=data.start_time or "10:00",
                duration_minutes=data.duration_minutes or 120,
                skip_months=frozenset(data.skip_months or ()), starts_on=data.starts_on,
                ends_on=data.ends_on)


def _preview(data) -> list[schedule.PreviewDate]:
    return schedule.preview(_rule(data))


def _invitees_error(exc: InvalidInput) -> dict[str, str]:
    errors = domain_errors(exc, FRIENDLY)
    if any(key.isdigit() for key in exc.errors):  # "0.person_id": an invitee
        errors = {"invitees": sentence(" ".join(exc.errors.values()))}
    return errors


@router.get("/series")
def series_list_page(request: Request, session: SessionDep, caller: PageCaller,
                     new_link: NewLinkQuery = ""):
    rows = []
    for series in meetings.list_meeting_types(session):
        assert series.id is not None  # loaded from the database
        coming = schedule.upcoming(session, series.id)
        rows.append({"series": series, "schedule": schedule.schedule_description(series),
                     "next": coming[0] if coming else None})
    own = None
    if caller.user.person_id:
        person = people.get_person(session, caller.user.person_id)
        if person.active:
            own = {"person": person, "links": feed_links(request, person=person)["person"]}
    return render(request, "series_list.html", {
        "page_title": "Series of meetings", "rows": rows, "own": own,
        "can_edit": caller.actor.can(Perm.edit_record),
        "link_notice": NEW_LINK_NOTICE if new_link == "1" else ""})


ADD_REFUSAL = "Only the secretariat and administrators add a series."


@router.get("/series/new")
def new_series_page(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.edit_record, ADD_REFUSAL)
    return _render_new(request, session, form=SeriesForm(
        recurrence=Recurrence.monthly.value, starts_on=DateParts.of(today())))


@router.post("/series/new")
def add_series(request: Request, session: SessionDep, caller: PageCaller, form: PostedSeries,
               action: ActionStr = ""):
    require(caller.actor, Perm.edit_record, ADD_REFUSAL)
    data, items, invitee_ids, errors = _checked(session, form, MeetingTypeCreate)
    if errors or data is None:
        return _render_new(request, session, form=form, errors=errors, status_code=422)
    assert isinstance(data, MeetingTypeCreate)
    if action == "preview":
        return _render_new(request, session, form=form, preview=_preview(data))
    try:
        series = meetings.create_meeting_type(session, data=data, by=caller.actor)
        assert series.id is not None  # flushed
        schedule.set_standing_items(session, meeting_type_id=series.id, items=items,
                                    by=caller.actor)
        schedule.set_series_attendees(
            session, meeting_type_id=series.id, by=caller.actor,
            invitees=[schedule.Invitee(person_id=i) for i in invitee_ids])
        made = None
        if action == "make" and series.recurrence != Recurrence.none:
            made = schedule.generate_meetings(session, meeting_type_id=series.id,
                                              by=caller.actor)
    except InvalidInput as exc:
        session.rollback()
        return _render_new(request, session, form=form, errors=_invitees_error(exc),
                           status_code=422)
    if made is not None:
        return RedirectResponse(f"/series/{series.id}?saved=1&made={len(made.made)}"
                                f"&already={made.already}#meetings", status_code=303)
    return RedirectResponse(f"/series/{series.id}?saved=1", status_code=303)


@router.get("/series/{series_id}")
def series_page(
    series_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    saved: Annotated[str, Query(max_length=5)] = "",
    made: Annotated[str, Query(max_length=6)] = "",
    already: Annotated[str, Query(max_length=6)] = "",
    new_link: NewLinkQuery = "",
    format_saved: Annotated[str, Query(max_length=5)] = "",
):
    series = meetings.get_meeting_type(session, series_id)
    notice = "The series has been saved." if saved == "1" else ""
    if format_saved == "1":
        notice = "The minutes format has been saved."
    made_notice = ""
    if made.isdigit() and already.isdigit():
        made_notice = (f"{made} meeting{'' if made == '1' else 's'} made, "
                       f"{already} already there.")
    if notice and made_notice:  # saved and made at once: one banner says both, by the meetings
        notice, made_notice = "", f"{notice} {made_notice}"
    return _render(request, session, caller, series, notice=notice, made_notice=made_notice,
                   link_notice=NEW_LINK_NOTICE if new_link == "1" else "")


@router.post("/series/{series_id}")
def save_series(series_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                form: PostedSeries, action: ActionStr = ""):
    series = meetings.get_meeting_type(session, series_id)
    assert series.id is not None  # loaded from the database
    require(caller.actor, Perm.edit_record,
            "Only the secretariat and administrators change a series.")
    data, items, invitee_ids, errors = _checked(session, form, MeetingTypeUpdate)
    if errors or data is None:
        return _render(request, session, caller, series, form=form, errors=errors,
                       status_code=422)
    if action == "preview":
        return _render(request, session, caller, series, form=form, preview=_preview(data))
    capacities = {p.id: a.capacity for a, p in meetings.series_attendees(session, series.id)}
    try:
        meetings.update_meeting_type(session, meeting_type_id=series.id, data=data,
                                     by=caller.actor)
        schedule.set_standing_items(session, meeting_type_id=series.id, items=items,
                                    by=caller.actor)
        schedule.set_series_attendees(
            session, meeting_type_id=series.id, by=caller.actor,
            invitees=[schedule.Invitee(person_id=i, capacity=capacities.get(i, ""))
                      for i in invitee_ids])
    except InvalidInput as exc:
        session.rollback()
        return _render(request, session, caller, meetings.get_meeting_type(session, series_id),
                       form=form, errors=_invitees_error(exc), status_code=422)
    return RedirectResponse(f"/series/{series.id}?saved=1", status_code=303)


@router.post("/series/{series_id}/meetings")
def make_meetings(series_id: IdPath, request: Request, session: SessionDep, caller: PageCaller):
    meetings.get_meeting_type(session, series_id)  # 404 for no such series
    return submit(
        session,
        lambda: schedule.generate_meetings(session, meeting_type_id=series_id, by=caller.actor),
        refuse=(InvalidInput,), rename=lambda name: "make" if name == "recurrence" else name,
        done=lambda made: f"/series/{series_id}?made={len(made.made)}&already={made.already}"
                          "#meetings",
        again=lambda errors, status: _render(request, session, caller,
                                             meetings.get_meeting_type(session, series_id),
                                             errors=errors, status_code=status))


# The CSRF check of these posts is PageCaller's.
@router.post("/calendar/my-link")
def new_own_calendar_link(session: SessionDep, caller: PageCaller):
    """A new link for the signed-in user's own calendar of meetings; the old one stops."""
    if caller.user.person_id is None:
        raise Forbidden("Your sign-in is not linked to a person, so you have no calendar link.")
    calendar.new_link(session, kind="person", object_id=caller.user.person_id, by=caller.actor)
    return RedirectResponse("/series?new_link=1#your-calendar", status_code=303)


@router.post("/series/{series_id}/calendar-link")
def new_series_calendar_link(series_id: IdPath, session: SessionDep, caller: PageCaller):
    """A new link for a series' calendar; the old one stops."""
    calendar.new_link(session, kind="series", object_id=series_id, by=caller.actor)
    return RedirectResponse(f"/series/{series_id}?new_link=1#calendar", status_code=303)


# --- the minutes format -------------------------------------------------------------------

# The options of app/services/minutes_format.py, as the form names them.
FORMAT_OPTIONS = ("preset", "layout", "heading", "date_style", "show_end_time", "numbering",
                  "first_minute_number", "actions", "naming", "decision_label",
                  "assurance_label", "show_commission", "show_presenter", "show_purpose",
                  "show_speakers", "minute_taker", "minute_taker_organisation", "attendance")
FORMAT_FLAGS = ("show_end_time", "show_commission", "show_presenter", "show_purpose",
                "show_speakers")
# The choices of each option with a fixed set, in the office's words.
FORMAT_CHOICES: dict[str, list[tuple[str, str]]] = {
    "preset": [(p.value, words) for p, words in minutes_format.PRESET_NAMES.items()],
    "layout": [("table", "A table: the item number, the minutes, and an ACTION column"),
               ("paragraphs", "Each item as a heading with its minutes in paragraphs below")],
    "date_style": [("ordinal_at", "Tuesday 30th April 2019 @ 10:00"),
                   ("full", "Tuesday 30 April 2019, 10:00")],
    "numbering": [("nested", "1, 2, 2.1, with sub-themes 1., 2. under their theme"),
                  ("flat", "1., 2., 3.: every item in order, whatever its level"),
                  ("running", "Minute numbers that run on from meeting to meeting: 598., 599."),
                  ("reference", "A reference unique across meetings: Ref 03/30/04/2019")],
    "actions": [("column", "In the ACTION column of the table, under \u201cActions arising\u201d"),
                ("inline", "Under the item where they arise: \u201cAction \u2013 NA to send the "
                           "Commissioner\u2026\u201d"),
                ("summary", "In a summary of actions at the end")],
    "naming": [("role", "By role: \u201cthe PCC\u201d, \u201cthe DCC\u201d (someone without a "
                        "role by title and surname)"),
               ("initials", "By initials: \u201cJS\u201d, with the key of initials in the "
                            "attendance"),
               ("title_surname", "By title and surname: \u201cCllr Jones\u201d"),
               ("full_name", "By full name: \u201cJane Smith\u201d")],
    "attendance": [("table", "A table of names and capacities"),
                   ("grouped", "Grouped lines: Present, In attendance, Apologies")],
}
# What the error summary says when an option is refused, and where it links.
FORMAT_MESSAGES = {
    "preset": "Choose one of the layouts",
    "layout": "Choose how the minutes are laid out",
    "date_style": "Choose how the date is written",
    "numbering": "Choose how items are numbered",
    "naming": "Choose how people are named",
    "attendance": "Choose how the attendance is written",
    "first_minute_number": "Give the first minute number as a whole number, like 598",
    "actions": "Choose where actions go",
}
FORMAT_LABELS = {
    "heading": "The heading", "decision_label": "The label of a decision",
    "assurance_label": "The label of an assurance statement",
    "minute_taker": "The minute-taker's line", "minute_taker_organisation": "The organisation",
}
FORMAT_ANCHORS = {
    **{name: f"format-{name}-{choices[0][0]}" for name, choices in FORMAT_CHOICES.items()},
    **{name: f"format-{name}" for name in FORMAT_FLAGS},
    **{name: f"format-{name}" for name in ("heading", "first_minute_number", "decision_label",
                                           "assurance_label", "minute_taker",
                                           "minute_taker_organisation")},
}


def _format_message(option: str, message: str) -> str:
    """A refusal of the minutes format in the office's words."""
    if option == "actions" and "choose" in message:
        return sentence(message)
    if option in FORMAT_MESSAGES:
        return FORMAT_MESSAGES[option]
    if option in FORMAT_LABELS:
        if "empty" in message:
            return f"Enter {FORMAT_LABELS[option][0].lower()}{FORMAT_LABELS[option][1:]}"
        return sentence(f"{FORMAT_LABELS[option]}: {message}")
    if option in FORMAT_FLAGS:
        return "Tick the box or leave it empty"
    return sentence(f"{option.replace('_', ' ')} {message}")


@dataclass
class FormatForm:
    """The minutes format as typed: strings, ticked boxes and chosen places."""

    values: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, fmt: minutes_format.MinutesFormat) -> "FormatForm":
        shown = minutes_format.as_dict(fmt)
        values = {key: ("yes" if value is True else "" if value is False else str(value))
                  for key, value in shown.items() if key != "actions"}
        return cls(values=values, actions=list(shown["actions"]))

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def options(self) -> tuple[dict, dict[str, str]]:
        """The options to check, and what is wrong before they are checked."""
        errors: dict[str, str] = {}
        options: dict = {"actions": list(self.actions)}
        for name in FORMAT_OPTIONS:
            if name == "actions":
                continue
            value = self.values.get(name, "")
            if name in FORMAT_FLAGS:
                options[name] = value == "yes"
            elif name == "first_minute_number":
                if re.fullmatch(r"\s*\d{1,7}\s*", value):
                    options[name] = int(value)
                else:
                    errors[name] = FORMAT_MESSAGES[name]
            else:
                options[name] = value
        return options, errors

    def checked(self) -> tuple[minutes_format.MinutesFormat | None, dict[str, str]]:
        """The format the form gives, or what is wrong with it, option by option."""
        options, errors = self.options()
        try:
            fmt = minutes_format.from_options(options)  # the rest checked too, all said at once
        except InvalidInput as exc:
            return None, {**{key: _format_message(key, message)
                             for key, message in exc.errors.items()}, **errors}
        return (None, errors) if errors else (fmt, {})


def format_form(
    preset: Annotated[str, Form(max_length=40)] = "",
    layout: Annotated[str, Form(max_length=40)] = "",
    heading: Annotated[str, Form(max_length=1000)] = "",
    date_style: Annotated[str, Form(max_length=40)] = "",
    show_end_time: Annotated[str, Form(max_length=5)] = "",
    numbering: Annotated[str, Form(max_length=40)] = "",
    first_minute_number: Annotated[str, Form(max_length=40)] = "",
    actions: Annotated[list[str], Form(max_length=5)] = [],  # noqa: B006
    naming: Annotated[str, Form(max_length=40)] = "",
    decision_label: Annotated[str, Form(max_length=1000)] = "",
    assurance_label: Annotated[str, Form(max_length=1000)] = "",
    show_commission: Annotated[str, Form(max_length=5)] = "",
    show_presenter: Annotated[str, Form(max_length=5)] = "",
    show_purpose: Annotated[str, Form(max_length=5)] = "",
    show_speakers: Annotated[str, Form(max_length=5)] = "",
    minute_taker: Annotated[str, Form(max_length=1000)] = "",
    minute_taker_organisation: Annotated[str, Form(max_length=1000)] = "",
    attendance: Annotated[str, Form(max_length=40)] = "",
) -> FormatForm:
    """The minutes format form as posted."""
    values = {
        "preset": preset, "layout": layout, "heading": heading, "date_style": date_style,
        "show_end_time": show_end_time, "numbering": numbering,
        "first_minute_number": first_minute_number, "naming": naming,
        "decision_label": decision_label, "assurance_label": assurance_label,
        "show_commission": show_commission, "show_presenter": show_presenter,
        "show_purpose": show_purpose, "show_speakers": show_speakers,
        "minute_taker": minute_taker, "minute_taker_organisation": minute_taker_organisation,
        "attendance": attendance,
    }
    return FormatForm(values=values, actions=list(actions))


PostedFormat = Annotated[FormatForm, Depends(format_form)]


def _format_words(fmt: minutes_format.MinutesFormat) -> str:
    """"Accountability board", or "Accountability board, with changes"."""
    words = minutes_format.PRESET_NAMES[fmt.preset]
    return words + (", with changes" if len(minutes_format.to_options(fmt)) > 1 else "")


def _preview_html(session, series_id: int, fmt: minutes_format.MinutesFormat, actor,
                  template: bytes | None) -> dict | None:
    """The series' latest minutes in `fmt`, built as the export builds them, shown as HTML."""
    preview = minutes_preview(session, series_id=series_id, fmt=fmt, by=actor)
    if preview is None:
        return None
    return {"preview": preview, "html": _minutes_html(preview.minutes, template)}


# Building the minutes document and reading it back as HTML is most of the series page's time
# (a fifth of a second for a long meeting), and the page is opened far more often than the
# minutes or the format change. The document depends on nothing but the minutes as laid out
# (`MinutesRecord`, whose repr holds every word and choice shown) and the Word template, so
# the HTML is kept for those, a few at a time, in each process.
_PREVIEWS: OrderedDict[str, Markup] = OrderedDict()
_PREVIEWS_KEPT = 16
_PREVIEWS_LOCK = threading.Lock()


def _minutes_html(minutes: MinutesRecord, template: bytes | None) -> Markup:
    key = hashlib.sha256(repr(minutes).encode() + b"\0" + (template or b"")).hexdigest()
    with _PREVIEWS_LOCK:
        if key in _PREVIEWS:
            _PREVIEWS.move_to_end(key)
            return _PREVIEWS[key]
    html = docx_to_html(build_minutes_document(minutes, template), top=3)
    with _PREVIEWS_LOCK:
        _PREVIEWS[key] = html
        while len(_PREVIEWS) > _PREVIEWS_KEPT:
            _PREVIEWS.popitem(last=False)
    return html


def _preview_download(session, series_id: int, fmt: minutes_format.MinutesFormat, actor):
    preview: MinutesPreview | None = minutes_preview(session, series_id=series_id, fmt=fmt,
                                                     by=actor, download=True)
    if preview is None:
        raise InvalidInput({"preview": "The series has no meetings yet, so there are no "
                                       "minutes to preview."})
    buffer = io.BytesIO()
    build_minutes_document(preview.minutes, template_bytes(session)).save(buffer)
    return docx_response(buffer.getvalue(), f"{preview.minutes.title} (preview)",
                         preview.edition.value)


FORMAT_REFUSAL = "Only the secretariat and administrators change how a series' minutes look."


@router.post("/series/{series_id}/minutes-format")
def save_minutes_format(series_id: IdPath, request: Request, session: SessionDep,
                        caller: PageCaller, form: PostedFormat, action: ActionStr = ""):
    """Save the series' minutes format; or fill the options from a preset, preview the
    choices or download the preview, saving nothing."""
    series = meetings.get_meeting_type(session, series_id)
    assert series.id is not None  # loaded from the database
    require(caller.actor, Perm.edit_record, FORMAT_REFUSAL)
    if action == "preset":
        try:
            preset = minutes_format.Preset(form.get("preset"))
        except ValueError:
            return _render(request, session, caller, series, format_form=form,
                           errors={"preset": FORMAT_MESSAGES["preset"]}, status_code=422)
        return _render(request, session, caller, series, trying=True,
                       format_form=FormatForm.of(minutes_format.PRESETS[preset]))
    fmt, errors = form.checked()
    if fmt is None:
        return _render(request, session, caller, series, format_form=form, errors=errors,
                       trying=True, status_code=422)
    if action == "preview":
        return _render(request, session, caller, series, format_form=form, trying=True)
    if action == "download":
        return _preview_download(session, series.id, fmt, caller.actor)
    meetings.set_minutes_format(session, series_id=series.id, options=form.options()[0],
                                by=caller.actor)
    return RedirectResponse(f"/series/{series.id}?format_saved=1#minutes-format",
                            status_code=303)


@router.get("/series/{series_id}/minutes-preview.docx")
def minutes_preview_docx(series_id: IdPath, session: SessionDep, caller: PageCaller):
    """The series' latest minutes in its saved format, as the preview shows them."""
    series = meetings.get_meeting_type(session, series_id)
    assert series.id is not None  # loaded from the database
    return _preview_download(session, series.id, minutes_format.load(series.minutes_format),
                             caller.actor)
