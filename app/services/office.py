"""The office's own settings: one row, created with defaults on first use."""

import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlmodel import Session, col, select

from app.models import OfficeSettings, utcnow
from app.services import audit
from app.services.dates import today
from app.services.errors import InvalidInput
from app.services.permissions import Actor, Perm, require
from app.services.text import clean_line


def get_office(session: Session) -> OfficeSettings:
    """The office settings; the defaults, not yet saved, until someone saves them (reading a
    page never writes: on SQLite every page view would otherwise wait for the write lock)."""
    office = session.exec(select(OfficeSettings).order_by(col(OfficeSettings.id))).first()
    return office if office is not None else OfficeSettings()


@dataclass
class OfficeChanges:
    """What may be changed about the office; None leaves a setting as it is."""

    office_name: str | None = None
    office_short_name: str | None = None
    force_name: str | None = None
    default_marking: str | None = None
    action_reference_format: str | None = None
    decision_reference_format: str | None = None
    publish_within_days: int | None = None
    reminder_days_before: int | None = None  # 0: no reminder before the due date
    owner_link_days: int | None = None
    digest_weekday: int | None = None  # 0 Monday … 6 Sunday
    public_question_retention_days: int | None = None
    contact_email: str | None = None  # "" removes it
    contact_phone: str | None = None
    contact_address: str | None = None
    accessibility_prepared_on: date | None = None
    accessibility_reviewed_on: date | None = None


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RANGES = {
    "publish_within_days": (1, 365, "must be between 1 and 365"),
    "reminder_days_before": (0, 60, "must be between 0 (no reminder) and 60 days"),
    "owner_link_days": (1, 90, "must be between 1 and 90 days"),
    "digest_weekday": (0, 6, "must be a day of the week, 0 (Monday) to 6 (Sunday)"),
    "public_question_retention_days": (1, 3650, "must be between 1 and 3650 days"),
}
_WIDTHS = {"office_name": 300, "office_short_name": 40, "force_name": 300,
           "default_marking": 60, "action_reference_format": 80,
           "decision_reference_format": 80, "contact_email": 320, "contact_phone": 40,
           "contact_address": 300}
# Settings that may be left empty (left out of the documents and pages).
_OPTIONAL = {"force_name", "contact_email", "contact_phone", "contact_address"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"[0-9 +()\-]{6,40}")
# The accessibility statement's dates: the first statements under the Regulations date from
# September 2018 (a review date before then is a slip).
_DATES = ("accessibility_prepared_on", "accessibility_reviewed_on")
EARLIEST_STATEMENT = date(2018, 9, 23)
# The references formats and the example each one's message gives.
_FORMATS = {"action_reference_format": "A/{year}/{seq:03d}",
            "decision_reference_format": "D/{year}/{seq:03d}"}


def format_reference(pattern: str, *, year: int, seq: int) -> str:
    """"A/{year}/{seq:03d}" with year 2019 and seq 14 → "A/2019/014"."""
    return pattern.format(year=year, seq=seq)


def check_reference_format(pattern: str, field: str = "action_reference_format") -> str:
    """Refuse a reference format that cannot make unique references."""
    try:
        first = format_reference(pattern, year=2019, seq=1)
        second = format_reference(pattern, year=2019, seq=2)
        other_year = format_reference(pattern, year=2020, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInput({field: f"is not a valid format ({exc})"}) from exc
    if len({first, second, other_year}) < 3:
        raise InvalidInput({field: "must contain {year} and {seq}, e.g. " + _FORMATS[field]})
    return pattern


def check_changes(changes: OfficeChanges) -> tuple[dict, dict[str, str]]:
    """The changes as they would be saved (text cleaned), and what is wrong with them by
    setting (empty when nothing is)."""
    values = {k: v for k, v in asdict(changes).items() if v is not None}
    errors: dict[str, str] = {}
    for key, width in _WIDTHS.items():
        if key in values:
            try:
                values[key] = clean_line(values[key])
            except ValueError as exc:
                errors[key] = str(exc)
                continue
            if not values[key] and key not in _OPTIONAL:
                errors[key] = "must not be empty"
            elif len(values[key]) > width:
                errors[key] = f"must be at most {width} characters"
    if values.get("contact_email") and "contact_email" not in errors \
            and not _EMAIL.fullmatch(values["contact_email"]):
        errors["contact_email"] = "must be an email address, like info@opcc.example.gov.uk"
    if values.get("contact_phone") and "contact_phone" not in errors \
            and not _PHONE.fullmatch(values["contact_phone"]):
        errors["contact_phone"] = "must be a telephone number, like 01905 331545"
    errors.update(_date_errors(values))
    for key in _FORMATS:
        if key in values and key not in errors:
            try:
                check_reference_format(values[key], key)
            except InvalidInput as exc:
                errors.update(exc.errors)
    for key, (low, high, message) in _RANGES.items():
        value = values.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not low <= value <= high):
            errors[key] = message
    return values, errors


def _date_errors(values: dict) -> dict[str, str]:
    """The accessibility statement's dates: real days, not in the future, and reviewed no
    earlier than prepared."""
    errors: dict[str, str] = {}
    for key in _DATES:
        value = values.get(key)
        if value is None:
            continue
        if type(value) is not date:  # a datetime is a date too, and does not compare
            errors[key] = "must be a date"
        elif value > today():
            errors[key] = "must be today or in the past"
        elif value < EARLIEST_STATEMENT:
            errors[key] = "must be after 23 September 2018, when the Regulations came in"
    prepared, reviewed = (values.get(key) for key in _DATES)
    if not errors and isinstance(prepared, date) and isinstance(reviewed, date) \
            and reviewed < prepared:
        errors["accessibility_reviewed_on"] = "must be on or after the day it was prepared"
    return errors


def update_office(session: Session, *, changes: OfficeChanges, by: Actor) -> OfficeSettings:
    """Change the office's settings, checking each one."""
    require(by, Perm.manage_users, "Only an administrator can change the office's settings.")
    values, errors = check_changes(changes)
    if errors:
        raise InvalidInput(errors)
    office = get_office(session)
    for key, value in values.items():
        setattr(office, key, value)
    office.updated_at = utcnow()
    if office.id is None:  # the first time the settings are saved
        session.add(office)
        session.flush()
    audit.record(session, by=by, verb="update", object_type="office_settings",
                 object_id=office.id, summary=audit.describe_changes(values))
    session.flush()
    return office
