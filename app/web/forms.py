"""Reading what people type into forms: dates, ids, and the messages that go back to them;
and submit(), which runs a form's service call and answers with the next page or the form
again with what was refused.

Shared by the pages; domain rules stay in app/services/.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from app.models import Person, Side
from app.schemas import MAX_ID
from app.services.common import person_label
from app.services.dates import to_london
from app.services.errors import Conflict, DomainError, InvalidInput

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def sentence(message: str) -> str:
    """A service's or schema's message as a sentence for the page: capital first letter."""
    message = (message or "").strip()
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message[:1].upper() + message[1:]


def schema_errors(exc: ValidationError, friendly: dict[str, str] | None = None) -> dict[str, str]:
    """A schema's complaints as {field: message}, with plainer words where the page has them."""
    friendly = friendly or {}
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc") or ("form",)
        name = str(loc[0])
        errors.setdefault(name, sentence(friendly.get(name) or error.get("msg", "is not valid")))
    return errors


def domain_errors(exc: InvalidInput, friendly: dict[str, str] | None = None) -> dict[str, str]:
    """A service's InvalidInput as {field: message} for the page."""
    friendly = friendly or {}
    return {name.split(".")[0]: sentence(friendly.get(name) or message)
            for name, message in exc.errors.items()}


def whole_id(value: str) -> int | None:
    """An id as sent: a whole number from 1 to MAX_ID, else None."""
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


def parse_id(value: str, name: str, errors: dict[str, str], message: str) -> int | None:
    """A chosen id from a select: empty is None; anything but a whole number is an error."""
    value = (value or "").strip()
    if not value:
        return None
    if (chosen := whole_id(value)) is not None:
        return chosen
    errors[name] = message
    return None


@dataclass
class DateParts:
    """A GOV.UK date input as typed: day, month and year."""

    day: str = ""
    month: str = ""
    year: str = ""

    @classmethod
    def of(cls, value: date | None) -> "DateParts":
        if value is None:
            return cls()
        return cls(str(value.day), str(value.month), str(value.year))

    @property
    def empty(self) -> bool:
        return not (self.day.strip() or self.month.strip() or self.year.strip())


def parse_date(parts: DateParts, name: str, label: str, errors: dict[str, str]) -> date | None:
    """The date typed in a GOV.UK date input, or None when it is empty; a date that does not
    exist (31 February) or a part left out is an error on the field, worded as GOV.UK does."""
    if parts.empty:
        return None
    typed = {"day": parts.day.strip(), "month": parts.month.strip(), "year": parts.year.strip()}
    missing = [part for part, value in typed.items() if not value]
    if missing:
        errors[name] = f"{label} must include a {' and a '.join(missing)}"
        return None
    if not all(value.isdigit() for value in typed.values()):
        errors[name] = f"{label} must be a real date, written in numbers, like 27 3 2026"
        return None
    if len(typed["year"]) != 4:
        errors[name] = f"{label}: the year must have 4 numbers, like 2026"
        return None
    try:
        return date(int(typed["year"]), int(typed["month"]), int(typed["day"]))
    except ValueError:
        errors[name] = f"{label} must be a real date"
        return None


def form_date(form, name: str) -> DateParts:
    """The three boxes of the date input `name` as a form sent them (a box not sent is empty)."""
    return DateParts(*(str(form.get(f"{name}-{part}", ""))[:20]
                       for part in ("day", "month", "year")))


def date_anchors(names) -> dict[str, str]:
    """The error summary's links for date inputs: each to its day box."""
    return {name: f"{name}-day" for name in names}


def error_list(errors: dict[str, str], anchors: dict[str, str] | None = None
               ) -> list[tuple[str, str]]:
    """(field id, message) pairs for the error summary; a date links to its day box."""
    anchors = anchors or {}
    return [(anchors.get(name, name), message) for name, message in errors.items()]


def person_option(person: Person) -> str:
    """"PCC – John Campion", "Cllr Jones – Gareth Jones", or the name alone for someone named
    by it in the minutes."""
    label = person_label(person)
    return f"{label} – {person.full_name}" if label and label != person.full_name \
        else person.full_name


def people_groups(everyone: list[Person], keep: Collection[int | None] = frozenset()
                  ) -> list[tuple[str, list[tuple[str, str]]]]:
    """Active people (and any already chosen) as select groups by side."""
    sides = [(Side.opcc, "Commissioner's office"), (Side.force, "The force"),
             (Side.other, "Others")]
    groups = []
    for side, label in sides:
        options = [(str(p.id), person_option(p) + ("" if p.active else " (no longer active)"))
                   for p in everyone
                   if p.side == side and (p.active or p.id in keep)]
        if options:
            groups.append((label, options))
    return groups


# --- what the pages show --------------------------------------------------------------------


def meeting_label(meeting, meeting_type) -> str:
    """"Monthly Assurance Meeting 30 April 2019": the series and the day, as the agenda's."""
    local = to_london(meeting.starts_at)
    return f"{meeting_type.name} {local.day} {local:%B %Y}"



def parse_day(text: str, field: str) -> date | None:
    """A date typed as 23/04/2019 (or 23-4-2019, or 2019-04-23); empty is None."""
    value = text.strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})", value)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        pass
    raise InvalidInput({field: "enter a real date, for example 23/04/2019"})


# --- a form's service call -------------------------------------------------------------------


def validated(model: type[M], values: dict, errors: dict[str, str] | None = None, *,
              friendly: dict[str, str] | None = None) -> M:
    """The form's values as the schema, or InvalidInput with all that is wrong: the schema's
    complaints (schema_errors) and what the form's own checks found (`errors`, which win)."""
    try:
        data = model(**values)
    except ValidationError as exc:
        raise InvalidInput({**schema_errors(exc, friendly), **(errors or {})}) from exc
    if errors:
        raise InvalidInput(errors)
    return data


def refusal_errors(exc: DomainError, *, field: str = "form",
                   rename: Callable[[str], str] | None = None,
                   words: Callable[[str], str] = sentence) -> dict[str, str]:
    """A service's refusal as {form field: message}, its words put by `words` (as a sentence,
    unless told): an InvalidInput's errors under the form's names (the name before any dot,
    `rename`d); any other refusal's message on `field`."""
    if not (isinstance(exc, InvalidInput) and exc.errors):
        return {field: words(exc.message)}
    errors: dict[str, str] = {}
    for name, message in exc.errors.items():
        name = name.split(".")[0]
        errors[rename(name) if rename else name] = words(message)
    return errors


def submit(
    session: Session,
    work: Callable[[], T],
    *,
    done: Callable[[T], Response | str],
    again: Callable[[dict[str, str], int], Response],
    errors: dict[str, str] | None = None,
    refuse: tuple[type[DomainError], ...] = (InvalidInput, Conflict),
    passes: tuple[type[DomainError], ...] = (),
    status: int | None = None,
    field: str = "form",
    rename: Callable[[str], str] | None = None,
    words: Callable[[str], str] = sentence,
) -> Response:
    """Answer a form: `done(result)` when the service call succeeds (a URL is a 303 redirect);
    the form `again(errors, status)` when the form's own checks found `errors` (422, and the
    service is not called) or the service refused (one of `refuse`, not of `passes`): the
    transaction is rolled back, so the page shows what is saved, and the refusal goes on the
    form's fields (refusal_errors) at its own status (409 for a Conflict), or at `status`.
    Whatever is not refused here (Forbidden, NotFound, ...) goes to the app's handlers."""
    if errors:
        return again(errors, 422)
    try:
        result = work()
    except refuse as exc:
        if isinstance(exc, passes):
            raise
        session.rollback()
        return again(refusal_errors(exc, field=field, rename=rename, words=words),
                     status or exc.status_code)
    answer = done(result)
    return RedirectResponse(answer, status_code=303) if isinstance(answer, str) else answer
