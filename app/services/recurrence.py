"""A series' schedule as a rule: checking it, the dates it gives, their times, and its words.

Pure functions: no database, no web. The rule's fields are MeetingType's schedule columns:

- `kind` ("recurrence" on the row): "none", "weekly" or "monthly".
- `interval`: every `interval` weeks (1–52) or months (1–12; 3 is quarterly).
- `weekday`: 0 Monday … 6 Sunday. Weekly meetings need one.
- `week_of_month`: 1–5, or -1 for the last; with `weekday` ("the last Tuesday").
- `day_of_month`: 1–31, instead of a weekday ("the 15th").
- `start_time`: London wall-clock "HH:MM"; `duration_minutes`: 5–720.
- `skip_months`: months with no meeting ("8" or "8,12" on the row).
- `starts_on`, `ends_on`: no meeting before the first or after the second (both inclusive).

The edge cases, decided once here:

- Weekly meetings count their `interval` from the first `weekday` on or after `starts_on`.
- Monthly meetings count their `interval` from `starts_on`'s month, whatever its day: quarterly
  from November meets in November, February, May and August. If the month's meeting date falls
  before `starts_on`, that month has no meeting (the next is `interval` months later).
- A 5th weekday that a month does not have: that month has no meeting.
- A day of the month that a month does not have (the 31st in April, the 29th–31st in February)
  moves to the last day of that month.
- A skipped month simply has no meeting; the others do not move ("monthly, no meeting in
  August" meets in July and then September). Skipping applies to weekly meetings too.
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.services.dates import LONDON, ordinal, short_date
from app.services.errors import InvalidInput

KINDS = ("none", "weekly", "monthly")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
LAST = -1
MAX_INTERVAL = {"weekly": 52, "monthly": 12}
MIN_DURATION, MAX_DURATION = 5, 720
_HH_MM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")

SKIP_MONTHS_HELP = "list the months with no meeting as numbers from 1 to 12, e.g. 8 for August"


def parse_skip_months(text: str | None) -> frozenset[int]:
    """Read "8" or "8, 12" as {8, 12}; refuse anything that is not a list of whole numbers."""
    parts = [part.strip() for part in (text or "").split(",")]
    if parts == [""]:
        return frozenset()
    if not all(part.isdigit() for part in parts):
        raise InvalidInput({"skip_months": SKIP_MONTHS_HELP})
    return frozenset(int(part) for part in parts)


@dataclass(frozen=True)
class Rule:
    """A series' schedule; see the module docstring for what each field means."""

    kind: str = "none"
    interval: int = 1
    weekday: int | None = None
    week_of_month: int | None = None
    day_of_month: int | None = None
    start_time: str = "10:00"
    duration_minutes: int = 120
    skip_months: frozenset[int] = frozenset()
    starts_on: date | None = None  # required for a weekly or monthly schedule
    ends_on: date | None = None

    @classmethod
    def of(cls, meeting_type: Any) -> "Rule":
        """The rule of a MeetingType row (or anything with its schedule's attributes)."""
        return cls(
            kind=str(meeting_type.recurrence),
            interval=meeting_type.interval,
            weekday=meeting_type.weekday,
            week_of_month=meeting_type.week_of_month,
            day_of_month=meeting_type.day_of_month,
            start_time=meeting_type.start_time,
            duration_minutes=meeting_type.duration_minutes,
            skip_months=parse_skip_months(meeting_type.skip_months),
            starts_on=meeting_type.starts_on,
            ends_on=meeting_type.ends_on,
        )

    def errors(self) -> dict[str, str]:
        """What is wrong with the rule, field by field, as advice; empty when it is valid."""
        return check_rule(self)

    @property
    def scheduled(self) -> bool:
        return self.kind != "none"


def check_rule(rule: Rule) -> dict[str, str]:
    """What is wrong with a rule, keyed by MeetingType column, saying what to do instead."""
    errors: dict[str, str] = {}
    if rule.kind not in KINDS:
        errors["recurrence"] = "choose how often the series meets: weekly, monthly or not at all"
        return errors
    if _parse_time(rule.start_time) is None:
        errors["start_time"] = (
            "give the start time as hours and minutes on the 24-hour clock, e.g. 10:00 or 14:30"
        )
    if not MIN_DURATION <= rule.duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = (
            f"give a length from {MIN_DURATION} minutes to 12 hours ({MAX_DURATION} minutes)"
        )
    if not rule.scheduled:
        return errors

    if rule.weekday is not None and not 0 <= rule.weekday <= 6:
        errors["weekday"] = "choose a day of the week from Monday to Sunday"
    if rule.kind == "weekly":
        _check_weekly(rule, errors)
    else:
        _check_monthly(rule, errors)

    if any(not 1 <= month <= 12 for month in rule.skip_months):
        errors["skip_months"] = SKIP_MONTHS_HELP
    elif rule.skip_months and "interval" not in errors and rule.starts_on is not None:
        if _months_met(rule) <= rule.skip_months:
            errors["skip_months"] = (
                "these months are all the months the series would meet in, so it would never "
                "meet; skip fewer months"
            )

    if rule.starts_on is None:
        errors["starts_on"] = "give the date the series starts from"
    elif rule.ends_on is not None and rule.ends_on <= rule.starts_on:
        errors["ends_on"] = (
            f"give an end date after the start date ({short_date(rule.starts_on)}), "
            "or leave it empty if the series has no end"
        )
    return errors


def _check_weekly(rule: Rule, errors: dict[str, str]) -> None:
    if rule.weekday is None:
        errors["weekday"] = "choose the day of the week the series meets on"
    if rule.week_of_month is not None or rule.day_of_month is not None:
        errors["recurrence"] = (
            "a weekly series meets on a day of the week: clear the week of the month "
            "and the day of the month, or choose monthly"
        )
    if not 1 <= rule.interval <= MAX_INTERVAL["weekly"]:
        errors["interval"] = (
            "give the number of weeks between meetings, from 1 (every week) to 52"
        )


def _check_monthly(rule: Rule, errors: dict[str, str]) -> None:
    by_weekday = rule.weekday is not None or rule.week_of_month is not None
    if by_weekday and rule.day_of_month is not None:
        errors["day_of_month"] = (
            "choose either a day of the month (e.g. the 15th) or a weekday of the month "
            "(e.g. the last Tuesday), not both"
        )
    elif rule.day_of_month is not None:
        if not 1 <= rule.day_of_month <= 31:
            errors["day_of_month"] = "give a day of the month from 1 to 31"
    elif rule.weekday is None and rule.week_of_month is None:
        errors["weekday"] = (
            "choose a weekday of the month (e.g. the last Tuesday) "
            "or a day of the month (e.g. the 15th)"
        )
    elif rule.weekday is None:
        errors["weekday"] = "choose the day of the week the series meets on"
    elif rule.week_of_month is None:
        day = WEEKDAYS[rule.weekday] if 0 <= rule.weekday <= 6 else "weekday"
        errors["week_of_month"] = (
            f"choose which {day} of the month the series meets on: "
            "the 1st, 2nd, 3rd, 4th, 5th or last"
        )
    if rule.week_of_month is not None and rule.week_of_month not in (1, 2, 3, 4, 5, LAST):
        errors["week_of_month"] = "choose the 1st, 2nd, 3rd, 4th, 5th or last week of the month"
    if not 1 <= rule.interval <= MAX_INTERVAL["monthly"]:
        errors["interval"] = (
            "give the number of months between meetings, from 1 (every month) to 12 "
            "(3 is quarterly)"
        )


def _months_met(rule: Rule) -> frozenset[int]:
    """The calendar months a valid rule can ever meet in (for weekly rules, all twelve)."""
    if rule.kind != "monthly" or rule.starts_on is None:
        return frozenset(range(1, 13))
    first = rule.starts_on.month - 1
    return frozenset((first + k * rule.interval) % 12 + 1 for k in range(12))


def _parse_time(text: str) -> time | None:
    match = _HH_MM.fullmatch(text or "")
    return time(int(match[1]), int(match[2])) if match else None


def _require_valid(rule: Rule) -> None:
    errors = rule.errors()
    if errors:
        raise InvalidInput(errors, "The series' schedule is not valid.")


def occurrences(rule: Rule, from_date: date, to_date: date) -> list[date]:
    """The rule's meeting dates from `from_date` to `to_date` (both included), in order."""
    if not rule.scheduled:
        return []
    _require_valid(rule)
    assert rule.starts_on is not None  # checked by _require_valid
    first = max(from_date, rule.starts_on)
    last = min(to_date, rule.ends_on) if rule.ends_on else to_date
    if first > last:
        return []
    days = _weekly(rule, first, last) if rule.kind == "weekly" else _monthly(rule, first, last)
    return [day for day in days if day.month not in rule.skip_months]


def _weekly(rule: Rule, first: date, last: date) -> Iterable[date]:
    assert rule.starts_on is not None and rule.weekday is not None
    anchor = rule.starts_on + timedelta(days=(rule.weekday - rule.starts_on.weekday()) % 7)
    step = 7 * rule.interval
    # The first meeting on or after `first`: skip whole steps, rounding up.
    steps = max(0, -(-(first - anchor).days // step))
    day = anchor + timedelta(days=steps * step)
    while day <= last:
        yield day
        day += timedelta(days=step)


def _monthly(rule: Rule, first: date, last: date) -> Iterable[date]:
    assert rule.starts_on is not None
    anchor = rule.starts_on.year * 12 + rule.starts_on.month - 1
    index = first.year * 12 + first.month - 1
    index += (anchor - index) % rule.interval  # the first month of the cycle from `first`'s
    end = last.year * 12 + last.month - 1
    while index <= end:
        year, month = divmod(index, 12)
        day = _day_in_month(rule, year, month + 1)
        if day is not None and first <= day <= last:
            yield day
        index += rule.interval


def _day_in_month(rule: Rule, year: int, month: int) -> date | None:
    """The rule's day in this month; None when the month has no such weekday (a 5th one)."""
    length = calendar.monthrange(year, month)[1]
    if rule.day_of_month is not None:
        return date(year, month, min(rule.day_of_month, length))
    assert rule.weekday is not None and rule.week_of_month is not None
    if rule.week_of_month == LAST:
        last_day = date(year, month, length)
        return last_day - timedelta(days=(last_day.weekday() - rule.weekday) % 7)
    first_day = date(year, month, 1)
    day = 1 + (rule.weekday - first_day.weekday()) % 7 + 7 * (rule.week_of_month - 1)
    return date(year, month, day) if day <= length else None


def meeting_times(rule: Rule, day: date) -> tuple[datetime, datetime]:
    """The meeting's start and end on `day`, in UTC, from the London start time and length.

    A start time that the clocks skip in spring (01:00–01:59 on the last Sunday of March) moves
    an hour later: 01:30 becomes 02:30 BST. A start time that happens twice in autumn (01:00–01:59
    on the last Sunday of October) is the first of the two, in BST. The end is `duration_minutes`
    of elapsed time after the start, whatever the clocks do in between.
    """
    start = _parse_time(rule.start_time)
    if start is None or not MIN_DURATION <= rule.duration_minutes <= MAX_DURATION:
        raise InvalidInput(check_rule(rule), "The series' start time or length is not valid.")
    # fold=0 reads a skipped time with the offset before the change (GMT), which lands an hour
    # later on the BST clock, and a doubled time as its first (BST) occurrence.
    local = datetime.combine(day, start, tzinfo=LONDON).replace(fold=0)
    starts_at = local.astimezone(UTC)
    return starts_at, starts_at + timedelta(minutes=rule.duration_minutes)


def describe(rule: Rule) -> str:
    """The rule in words for the pages: "Monthly on the last Tuesday at 10:00"."""
    if not rule.scheduled:
        return "Not scheduled"
    if rule.kind == "weekly":
        when = _weekday_name(rule.weekday)
        how_often = "Weekly" if rule.interval == 1 else f"Every {rule.interval} weeks"
    else:
        when = _monthly_when(rule)
        how_often = _months_how_often(rule)
    text = f"{how_often} on {when} at {rule.start_time}"
    if rule.kind == "monthly" and rule.week_of_month == 5:
        text += " (only in months that have one)"
    elif rule.kind == "monthly" and rule.day_of_month is not None and rule.day_of_month > 28:
        text += " (the last day of shorter months)"
    if rule.skip_months:
        text += ", no meeting in " + _or_list(
            [MONTHS[m] for m in sorted(rule.skip_months) if 1 <= m <= 12]
        )
    if rule.ends_on is not None:
        text += f", until {short_date(rule.ends_on)}"
    return text


def _weekday_name(weekday: int | None) -> str:
    return WEEKDAYS[weekday] if weekday is not None and 0 <= weekday <= 6 else "a weekday"


def _monthly_when(rule: Rule) -> str:
    if rule.day_of_month is not None:
        return f"the {ordinal(rule.day_of_month)}"
    which = "last" if rule.week_of_month == LAST else ordinal(rule.week_of_month or 1)
    return f"the {which} {_weekday_name(rule.weekday)}"


def _months_how_often(rule: Rule) -> str:
    if rule.interval == 1:
        return "Monthly"
    if rule.interval == 3:
        return "Quarterly"
    if rule.interval == 12:
        return f"Every year in {MONTHS[rule.starts_on.month]}" if rule.starts_on else "Yearly"
    return f"Every {rule.interval} months"


def _or_list(words: list[str]) -> str:
    """["April", "August", "December"] → "April, August or December"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]
