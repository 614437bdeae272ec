"""Importing people from a CSV file (the force's list of officers, as Excel saves it).

Three steps, and nothing is saved before the last: read_file() turns the upload into text (or
says plainly why it cannot), plan_import() says what each row would do — add a person, update
the person with that email, or nothing — and what is wrong with the rows it cannot use, and
import_people() saves the rows of a plan the officer confirmed. The page carries the file's
text from the preview to the confirmation, so the plan is made again from the directory as it
is then.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlmodel import Session

from app.models import Side
from app.schemas import PersonCreate, PersonUpdate
from app.services import people
from app.services.errors import InvalidInput
from app.services.permissions import Actor, Perm, require

# A force's list of officers is well under this; the preview carries the text to the
# confirmation in one form field, which must stay under a megabyte.
MAX_FILE_BYTES = 512 * 1024
MAX_TEXT_BYTES = 1_000_000
MAX_ROWS = 5000
FIELDS = ("full_name", "initials", "title", "role_title", "role_abbreviation", "side", "email")
FIELD_WORDS = {"full_name": "name", "initials": "initials", "title": "title",
               "role_title": "role",
               "role_abbreviation": "role abbreviation", "side": "side", "email": "email"}

# Header words (lower case, punctuation as spaces) and the field they name.
COLUMNS = {
    **dict.fromkeys(("name", "full name", "fullname", "officer", "officer name",
                     "person", "display name"), "full_name"),
    **dict.fromkeys(("first name", "firstname", "forename", "forenames", "given name",
                     "given names"), "first_name"),
    **dict.fromkeys(("surname", "last name", "lastname", "family name"), "surname"),
    **dict.fromkeys(("initials", "initial"), "initials"),
    **dict.fromkeys(("title", "honorific", "salutation", "prefix"), "title"),
    **dict.fromkeys(("role", "role title", "job title", "jobtitle", "position", "post",
                     "rank", "rank role"), "role_title"),
    **dict.fromkeys(("abbreviation", "role abbreviation", "abbr", "abbrev", "short role",
                     "role short", "role abbr", "short title"), "role_abbreviation"),
    **dict.fromkeys(("side", "organisation", "organization", "org"), "side"),
    **dict.fromkeys(("email", "e mail", "email address", "e mail address", "mail",
                     "work email"), "email"),
}

# What a side may be written as in the file.
SIDES = {
    **dict.fromkeys(("opcc", "office", "commissioner", "commissioner's office", "pcc",
                     "ocpcc", "opfcc"), Side.opcc),
    **dict.fromkeys(("force", "police", "the force", "constabulary"), Side.force),
    **dict.fromkeys(("other", "others", "partner", "external"), Side.other),
}
SIDE_NAMES = {Side.opcc: "Commissioner's office", Side.force: "the force",
              Side.other: "other"}


@dataclass
class Row:
    """One usable row: what it would do, to whom, and (for an update) what changes."""

    number: int  # the row in the spreadsheet: the header is row 1
    values: dict[str, str]
    person_id: int | None = None  # the person it updates; None: a new person
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # field: (old, new)
    made_initials: bool = False  # the file gave no initials: made from the name
    inactive: bool = False  # updates someone no longer active (they stay so)


@dataclass
class Plan:
    """What importing the file would do."""

    adds: list[Row] = field(default_factory=list)
    updates: list[Row] = field(default_factory=list)
    unchanged: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "Row 7: no name"
    columns: dict[str, str] = field(default_factory=dict)  # header as written: field
    ignored: list[str] = field(default_factory=list)  # headers not understood

    @property
    def count(self) -> int:
        """How many people importing would add or change."""
        return len(self.adds) + len(self.updates)


def _file_error(message: str) -> InvalidInput:
    return InvalidInput({"file": message})


def _too_big() -> InvalidInput:
    return _file_error("The file must be smaller than 500 KB (a list of 5,000 people is "
                       "less): split it and import each part")


def read_file(filename: str, content: bytes) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without Excel's byte order mark) or
    Windows-1252 (what Excel's plain "CSV" saves); InvalidInput (on "file") saying plainly
    what is wrong with anything else."""
    if not content:
        raise _file_error("The file you chose is empty")
    if len(content) > MAX_FILE_BYTES:
        raise _too_big()
    name = (filename or "").lower()
    if content.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xls", ".ods")):
        raise _file_error("This is a spreadsheet, not a CSV file. In Excel choose File, "
                          "Save a copy, and the type \"CSV UTF-8\", then choose that file")
    if content.startswith(b"%PDF") or b"\x00" in content[:4096]:
        raise _file_error("This is not a CSV file. Save the list as \"CSV UTF-8\" and choose "
                          "that file")
    if content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            raise _file_error("The file's characters could not be read. Save it from Excel "
                              "as \"CSV UTF-8\" and choose it again") from None
    if not text.strip():
        raise _file_error("The file you chose is empty")
    if len(text.encode()) > MAX_TEXT_BYTES:
        raise _too_big()
    return text


def _header_key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9']+", " ", text.lower()).split())


def _rows(text: str) -> list[list[str]]:
    sample = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=sample.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _file_error(f"The file could not be read as CSV ({exc}). Save it from Excel "
                          "as \"CSV UTF-8\" and choose it again") from None


def made_initials(full_name: str) -> str:
    """"Jane Smith-Jones" → "JSJ": the first letter of each part of the name."""
    parts = re.split(r"[\s\-]+", full_name.strip())
    return "".join(p[0] for p in parts if p and p[0].isalpha()).upper()[:10]


def _email_key(email: str | None) -> str:
    return (email or "").strip().lower()


def _problem(exc: ValidationError) -> str:
    """The first thing the schema refused, in the office's words."""
    error = exc.errors()[0]
    name = str(error.get("loc", ("",))[0])
    words = FIELD_WORDS.get(name, name)
    if name == "email":
        return "the email is not an email address"
    if error.get("type") == "string_too_long":
        limit = (error.get("ctx") or {}).get("max_length")
        return f"the {words} is too long (at most {limit} characters)"
    return f"the {words} is not valid"


def plan_import(session: Session, text: str, *, default_side: Side = Side.force) -> Plan:
    """What importing the CSV text would do, row by row; InvalidInput (on "file") for a file
    that has no rows or no column of names. Rows whose email is a person's already update
    that person (the columns the file has, where the cell is not empty); the others add
    people, on `default_side` where the file does not say."""
    table = _rows(text)
    while table and not any(cell.strip() for cell in table[0]):
        table.pop(0)
    if not table:
        raise _file_error("The file you chose is empty")
    plan = Plan()
    header = table[0]
    index: dict[str, int] = {}
    for position, heading in enumerate(header):
        target = COLUMNS.get(_header_key(heading))
        if heading.strip() and (target is None or target in index):
            plan.ignored.append(heading.strip())
        elif target is not None:
            index[target] = position
            plan.columns[heading.strip()] = target
    if "full_name" not in index and "surname" not in index:
        raise _file_error("The first row must name the columns, with one called \"Name\" "
                          "(or \"First name\" and \"Surname\"). Columns found: "
                          + (", ".join(h.strip() for h in header if h.strip()) or "none"))
    data = table[1:]
    if len(data) > MAX_ROWS:
        raise _file_error(f"The file has {len(data)} rows: import at most {MAX_ROWS} at a "
                          "time")

    everyone = people.list_people(session)
    by_email = {_email_key(p.email): p for p in everyone if p.email}
    initials_of = {p.initials.upper(): p for p in everyone if p.active}
    seen_initials: dict[str, int] = {}
    seen_emails: dict[str, int] = {}

    for number, cells in enumerate(data, start=2):
        if not any(cell.strip() for cell in cells):
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            position = index.get(name)
            if position is None or position >= len(cells):
                return ""
            return " ".join(cells[position].split())

        full_name = cell("full_name") or " ".join(
            part for part in (cell("first_name"), cell("surname")) if part)
        if not full_name:
            plan.problems.append(f"Row {number}: no name")
            continue
        values = {"full_name": full_name}
        for name in ("initials", "title", "role_title", "role_abbreviation", "email"):
            if cell(name):
                values[name] = cell(name)
        side_text = cell("side")
        if side_text:
            side = SIDES.get(side_text.lower())
            if side is None:
                plan.problems.append(f"Row {number}: the side \"{side_text}\" is not one of "
                                     "office, force or other")
                continue
            values["side"] = side.value
        email = _email_key(values.get("email"))
        existing = by_email.get(email) if email else None
        row = Row(number=number, values=values)
        if "initials" not in values and existing is None:
            values["initials"] = made_initials(full_name)
            row.made_initials = True
            if not values["initials"]:
                plan.problems.append(f"Row {number}: no initials, and none could be made "
                                     "from the name")
                continue
        try:
            if existing is None:
                PersonCreate(**{"side": default_side.value, **values})
            else:
                PersonUpdate(**values)
        except ValidationError as exc:
            plan.problems.append(f"Row {number}: {_problem(exc)}")
            continue
        if email and email in seen_emails:
            plan.problems.append(f"Row {number}: the email {values['email']} is also on row "
                                 f"{seen_emails[email]}")
            continue
        initials = values.get("initials", existing.initials if existing else "").upper()
        if initials in seen_initials:
            plan.problems.append(f"Row {number}: the initials {initials} are also on row "
                                 f"{seen_initials[initials]}")
            continue
        holder = initials_of.get(initials)
        if holder is not None and (existing is None or holder.id != existing.id):
            plan.problems.append(f"Row {number}: the initials {initials} are {holder.full_name}'s "
                                 "already; give this person other initials")
            continue
        if email:
            seen_emails[email] = number
        seen_initials[initials] = number
        if existing is None:
            values.setdefault("side", default_side.value)
            plan.adds.append(row)
            continue
        row.person_id = existing.id
        row.inactive = not existing.active
        for name, value in values.items():
            old = str(getattr(existing, name) or "")
            if name == "email":
                continue  # the email found them; its case is kept as the directory has it
            if old != value:
                row.changes[name] = (old, value)
        (plan.updates if row.changes else plan.unchanged).append(row)
    return plan


def import_people(session: Session, text: str, *, by: Actor,
                  default_side: Side = Side.force) -> Plan:
    """Save what plan_import() says of the text: add the new people and update the others;
    the rows with problems are left out. Returns the plan saved."""
    require(by, Perm.edit_record, "Only the secretariat and administrators import people.")
    plan = plan_import(session, text, default_side=default_side)
    for row in plan.adds:
        people.create_person(session, data=PersonCreate(**row.values), by=by)
    for row in plan.updates:
        assert row.person_id is not None  # an update names its person
        changed = {name: new for name, (_, new) in row.changes.items()}
        people.update_person(session, person_id=row.person_id, data=PersonUpdate(**changed),
                             by=by)
    return plan

