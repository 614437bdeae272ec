"""The office works in Europe/London: conversions and the date formats of the house style."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200


def london_to_utc(local: datetime) -> datetime:
    """Read a wall-clock time in London; refuse one that the clocks skip in spring."""
    aware = local.replace(tzinfo=LONDON)
    back = aware.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None)
    if back != local.replace(tzinfo=None):
        raise ValueError(
            f"{local:%Y-%m-%d %H:%M} does not exist in London (the clocks go forward then)"
        )
    return aware.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """A time with an offset as UTC; a time without one is read as London local time."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    if value.tzinfo is None:
        return london_to_utc(value)
    return value.astimezone(UTC)


def check_date(value: date) -> date:
    """Refuse dates outside the years a record can plausibly hold."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


def to_london(value: datetime) -> datetime:
    """A stored (UTC) time as London local time, with its offset."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def today() -> date:
    """Today's date in London."""
    return datetime.now(LONDON).date()


def start_of_day_utc(day: date) -> datetime:
    """The first instant of a London day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def end_of_day_utc(day: date) -> datetime:
    """The last instant of a London day, in UTC."""
    return (datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)).astimezone(
        UTC
    ) - timedelta(microseconds=1)


def ordinal(n: int) -> str:
    """1 → "1st", 22 → "22nd", 13 → "13th"."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date_ordinal(value: datetime | date) -> str:
    """"Tuesday 30th April 2019"."""
    return f"{value:%A} {ordinal(value.day)} {value:%B %Y}"


def long_date(value: datetime | date) -> str:
    """"Tuesday 28 May 2019"."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: date) -> str:
    """"28 May 2019"."""
    return f"{value.day} {value:%B %Y}"


def clock_12h(value: datetime | time) -> str:
    """10:00 → "10:00am", 14:30 → "2:30pm"."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"
