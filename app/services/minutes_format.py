"""How a series writes its minutes: one of three presets, each option adjustable.

No two offices write minutes alike. A series keeps its format as a small JSON object
(`MeetingType.minutes_format`; empty means the reference "Meeting Notes" layout of DESIGN.md
section 3, unchanged). `minutes_of` (app/services/minutes.py) fills the record the format asks
for; `app/export/minutes_docx.py` lays it out; the agenda and the question pack follow the
options that apply to them (heading date, numbering, naming, commission, presenter, purpose).

Presets:
- notes: the reference OPCC notes. "{series} {Month YYYY} – Meeting Notes", a details list,
  the attendance table, the three-column minutes table with the ACTION column, items numbered
  1, 2.1 and sub-themes 1., people named by role.
- board: an accountability board. "Minutes", the full date with the time range, attendance
  grouped as lines with the key of initials, items numbered flat (1., 2.), each opening with
  its commission, presenter and purpose; actions written inline where they arise ("Action –
  NA to send…", owners by initials) and again as a summary at the end; "Decision:" and
  "Assurance statement:" paragraphs.
- panel: a police and crime panel. Minute numbers that run on across the series (598.,
  599.), people named by title and surname, decisions as "Resolved:", a summary of actions,
  the clerk as minute-taker.
"""

from __future__ import annotations

import json
import string
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from typing import Any

from app.services.common import person_label, person_named, speaker_label
from app.services.errors import InvalidInput


class Preset(StrEnum):
    notes = "notes"
    board = "board"
    panel = "panel"


class Layout(StrEnum):
    table = "table"  # the three-column minutes table (number | minutes | ACTION)
    paragraphs = "paragraphs"  # a heading per item, its minutes as paragraphs below


class DateStyle(StrEnum):
    ordinal_at = "ordinal_at"  # "Tuesday 30th April 2019 @ 10:00"
    full = "full"  # "Tuesday 30 April 2019, 14:00" (", 14:00 – 16:30" with the end time)


class Numbering(StrEnum):
    nested = "nested"  # 1, 2, 2.1; sub-themes 1., 2. within their parent
    flat = "flat"  # 1., 2., 3.: every item in agenda order, whatever its level
    running = "running"  # minute numbers running on across the series: 598., 599.
    reference = "reference"  # unique across meetings: "Ref 03/17/08/2022" (item/dd/mm/yyyy)


class ActionPlace(StrEnum):
    column = "column"  # the ACTION column of the table layout, with "Actions arising:"
    inline = "inline"  # "Action – NA to send the Commissioner…" under its item
    summary = "summary"  # a summary of actions at the end


class Naming(StrEnum):
    role = "role"  # "the PCC"; someone without a role "Cllr Jones"; owners by role or initials
    initials = "initials"  # "JS"; the attendance then gives the key ("Jane Smith (JS)")
    # "Cllr Jones", "Supt Patel", office holders by role ("the PCC"); owners likewise
    title_surname = "title_surname"
    full_name = "full_name"  # "Jane Smith"


class AttendanceStyle(StrEnum):
    table = "table"  # label | Name: | Capacity: rows (the reference)
    grouped = "grouped"  # "Present:", "In attendance:", "Apologies:", a line per person


@dataclass(frozen=True)
class MinutesFormat:
    """Every choice a series makes about its minutes. See the module's docstring."""

    preset: Preset = Preset.notes
    layout: Layout = Layout.table
    # The title. {series}: the series' name; {month_year}: "April 2019"; {date}: "30 April
    # 2019"; {office}: the office's short name.
    heading: str = "{series} {month_year} – Meeting Notes"
    date_style: DateStyle = DateStyle.ordinal_at
    show_end_time: bool = False  # "14:00 – 16:30" when the meeting's end is known
    numbering: Numbering = Numbering.nested
    # Running numbers: the number of the series' first minute kept in Assure; later meetings
    # go on from where the one before ended.
    first_minute_number: int = 1
    actions: tuple[ActionPlace, ...] = (ActionPlace.column,)
    naming: Naming = Naming.role
    # The label of a decision or an assurance paragraph ("Decision:", "Resolved:",
    # "Assurance statement:"); empty: the paragraph is printed as typed.
    decision_label: str = ""
    assurance_label: str = ""
    show_commission: bool = False  # "The Commissioner requires a report that…"
    show_presenter: bool = False  # "Presented by: the DCC"
    show_purpose: bool = False  # "Paper – For Decision"
    # A paragraph with a speaker whose text does not name them is opened with the speaker.
    show_speakers: bool = False
    # The minute-taker: {name}, {role} (their role title), {organisation} (below, else the
    # office's short name). Parts left empty are dropped with their commas.
    minute_taker: str = "{name}, {role}, {organisation}"
    minute_taker_organisation: str = ""  # "Democratic Services, Anytown Borough Council"
    attendance: AttendanceStyle = AttendanceStyle.table

    def has(self, place: ActionPlace) -> bool:
        return place in self.actions


PRESETS: dict[Preset, MinutesFormat] = {
    Preset.notes: MinutesFormat(),
    Preset.board: MinutesFormat(
        preset=Preset.board,
        layout=Layout.paragraphs,
        heading="{series} – Minutes",
        date_style=DateStyle.full,
        show_end_time=True,
        numbering=Numbering.flat,
        actions=(ActionPlace.inline, ActionPlace.summary),
        naming=Naming.initials,
        decision_label="Decision:",
        assurance_label="Assurance statement:",
        show_commission=True,
        show_presenter=True,
        show_purpose=True,
        show_speakers=True,
        attendance=AttendanceStyle.grouped,
    ),
    Preset.panel: MinutesFormat(
        preset=Preset.panel,
        layout=Layout.paragraphs,
        heading="Minutes of the {series}",
        date_style=DateStyle.full,
        show_end_time=True,
        numbering=Numbering.running,
        actions=(ActionPlace.inline, ActionPlace.summary),
        naming=Naming.title_surname,
        decision_label="Resolved:",
        assurance_label="",
        show_speakers=True,
        attendance=AttendanceStyle.grouped,
    ),
}

PRESET_NAMES: dict[Preset, str] = {
    Preset.notes: "Meeting notes (the reference OPCC layout)",
    Preset.board: "Accountability board",
    Preset.panel: "Police and crime panel",
}

HEADING_FIELDS = ("series", "month_year", "date", "office")
TAKER_FIELDS = ("name", "role", "organisation")
MAX_TEXT = 200


def _check_template(value: str, allowed: tuple[str, ...], field: str) -> list[str]:
    """The placeholders of a heading or minute-taker template, checked."""
    try:
        parsed = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(value)
                  if name is not None]
    except ValueError:
        return [f"{field}: a {{ without its }} (write {{{{ for a brace)"]
    names = [name for name, _, _ in parsed]
    # "{series:>99999999}" would pad the heading to any length when it is written: a
    # placeholder is its name alone.
    dressed = sorted({name for name, spec, conv in parsed if spec or conv})
    if dressed:
        return [f"{field}: write {{{dressed[0]}}} alone, with nothing after its name"]
    unknown = sorted({n for n in names if n not in allowed})
    if unknown:
        return [f"{field}: unknown placeholder {{{unknown[0]}}}; use "
                + ", ".join("{" + a + "}" for a in allowed)]
    return []


def from_options(options: dict[str, Any]) -> MinutesFormat:
    """A format from a preset and the options that change it: {"preset": "board",
    "naming": "role", ...}. Unknown options and bad values are refused with their names."""
    if not isinstance(options, dict):
        raise InvalidInput({"minutes_format": "must be an object of options"},
                           "The minutes format must be an object of options.")
    errors: dict[str, str] = {}
    try:
        preset = Preset(options.get("preset") or Preset.notes)
    except ValueError:
        preset = Preset.notes
        errors["preset"] = "must be one of " + ", ".join(p.value for p in Preset)
    base = PRESETS[preset]
    known = {f.name: f for f in fields(MinutesFormat)}
    changes: dict[str, Any] = {}
    for key, value in options.items():
        if key == "preset":
            continue
        if key not in known:
            errors[key] = "is not an option of the minutes format"
            continue
        current = getattr(base, key)
        try:
            changes[key] = _coerce(key, current, value)
        except ValueError as exc:
            errors[key] = str(exc)
    fmt = replace(base, **changes) if not errors else base
    if not errors:
        for message in (_check_template(fmt.heading, HEADING_FIELDS, "heading")
                        + _check_template(fmt.minute_taker, TAKER_FIELDS, "minute_taker")):
            key, text = message.split(": ", 1)
            errors[key] = text
        if not fmt.actions:
            errors["actions"] = "choose at least one place for the actions"
        elif fmt.layout == Layout.paragraphs and fmt.actions == (ActionPlace.column,):
            errors["actions"] = ("the ACTION column exists only in the table layout; "
                                 "choose inline or a summary too")
        if not fmt.heading.strip():
            errors["heading"] = "must not be empty"
    if errors:
        raise InvalidInput(errors, "The minutes format was not changed.")
    return fmt


def _coerce(key: str, current: Any, value: Any) -> Any:
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if isinstance(current, int):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**7:
            raise ValueError("must be a whole number from 1 to 9999999")
        return value
    if isinstance(current, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise ValueError("must be a list of " + ", ".join(p.value for p in ActionPlace))
        places = []
        for part in value:
            try:
                place = ActionPlace(part)
            except ValueError:
                raise ValueError("must be a list of "
                                 + ", ".join(p.value for p in ActionPlace)) from None
            if place not in places:
                places.append(place)
        return tuple(sorted(places, key=list(ActionPlace).index))
    if isinstance(current, StrEnum):
        try:
            return type(current)(value)
        except ValueError:
            raise ValueError("must be one of "
                             + ", ".join(m.value for m in type(current))) from None
    if not isinstance(value, str):
        raise ValueError("must be text")
    if len(value) > MAX_TEXT or any(ord(c) < 32 for c in value):
        raise ValueError(f"must be one line of at most {MAX_TEXT} characters")
    return value.strip()


def to_options(fmt: MinutesFormat) -> dict[str, Any]:
    """The options that differ from the format's preset, with the preset: what is stored."""
    base = PRESETS[fmt.preset]
    options: dict[str, Any] = {"preset": fmt.preset.value}
    for key, value in asdict(fmt).items():
        if key != "preset" and value != asdict(base)[key]:
            options[key] = [p.value for p in value] if isinstance(value, tuple) else value
    return options


def as_dict(fmt: MinutesFormat) -> dict[str, Any]:
    """Every option of the format, as the API shows it."""
    return {key: ([p.value for p in value] if isinstance(value, tuple)
                  else value.value if isinstance(value, StrEnum) else value)
            for key, value in asdict(fmt).items()}


def load(stored: str | None) -> MinutesFormat:
    """A series' stored format; empty (or unreadable, which saving never makes) is the
    reference notes."""
    if not stored:
        return PRESETS[Preset.notes]
    try:
        return from_options(json.loads(stored))
    except (ValueError, InvalidInput):
        return PRESETS[Preset.notes]


def dump(fmt: MinutesFormat) -> str:
    """What `MeetingType.minutes_format` keeps: "" for the reference notes unchanged."""
    options = to_options(fmt)
    return "" if options == {"preset": Preset.notes.value} else json.dumps(options)


# --- what every document of a series shares: item numbers and people's names --------------


def item_numbers(fmt: MinutesFormat, nodes: list[Any], *, meeting_day: Any = None,
                 running_start: int = 1) -> dict[int, str]:
    """Each item's number as the series' documents print it, by item id, for a meeting's tree
    of `ItemNode`s (app/services/agenda.py) in agenda order.

    nested: the tree's own numbers ("1", "2.1", and "1." for a sub-theme within its parent);
    flat: "1.", "2.", … for every item in agenda order; running: minute numbers from
    `running_start` ("598.", "599.", … the series' count so far, see `running_start_of`);
    reference: "Ref 03/17/08/2022", the item's flat number then the meeting's day.
    """
    numbers: dict[int, str] = {}
    flat = [node for root in nodes for node in root.walk()]
    for index, node in enumerate(flat):
        item_id = node.item.id
        if item_id is None:
            continue
        if fmt.numbering == Numbering.nested:
            numbers[item_id] = node.local_number
        elif fmt.numbering == Numbering.flat:
            numbers[item_id] = f"{index + 1}."
        elif fmt.numbering == Numbering.running:
            numbers[item_id] = f"{running_start + index}."
        else:
            day = f"/{meeting_day:%d/%m/%Y}" if meeting_day is not None else ""
            numbers[item_id] = f"Ref {index + 1:02d}{day}"
    return numbers


def person_in_minutes(fmt: MinutesFormat, person: Any, *, start: bool = False) -> str:
    """A person as the series' minutes name them in a sentence ("The PCC asked the DCC",
    "JS asked", "Cllr Jones asked", "Jane Smith asked").

    By role, and by title and surname: an office holder by their role with "the" ("the
    PCC"), anyone else by title and surname ("Cllr Jones"), else full name: never bare
    initials (the two differ in how they name actions' owners, see `owner_in_minutes`). By
    initials: their initials ("JS"; the attendance then gives the key). By full name: "Jane
    Smith", office holders too."""
    if person is None:
        return ""
    if fmt.naming in (Naming.role, Naming.title_surname):
        return person_named(person, start=start)
    if fmt.naming == Naming.initials and person.initials:
        return person.initials
    return person.full_name or person.initials


def owner_in_minutes(fmt: MinutesFormat, person: Any) -> str:
    """An action's owner as the series' minutes name them ("Action – NA to…"). By role: their
    role abbreviation, else their initials (the reference's ACTION column); by title and
    surname: their role abbreviation, else "Cllr Jones", else their full name; otherwise as
    `person_in_minutes` names them."""
    if person is None:
        return ""
    if fmt.naming == Naming.role:
        return person_label(person)
    if fmt.naming == Naming.title_surname:
        return speaker_label(person)
    return person_in_minutes(fmt, person)
