"""Reading old minutes and action logs: Word documents and spreadsheets an office kept before
Assure, turned into items, paragraphs, attendance and actions.

Pure functions, no database. `read_minutes` takes a .docx in either layout offices keep: the
three-column table (item number | minutes | action) or paragraphs under numbered headings.
`read_action_log` takes an .xlsx or a Word table whose columns (reference, raised, action,
owner, due, status, update) are found by their headings, however an office words them. Like
the inspection import (app/services/inspection_import.py), a file whose structure is not
recognised is never an error: the result says `unrecognised`, with notes and the file's text,
for the items to be marked by hand. Only a file that cannot be read at all (not a .docx, a
damaged zip, too large) raises InvalidInput.
"""

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.services import uploads
from app.services.errors import InvalidInput
from app.services.text import clean_file_name

MAX_FILE_BYTES = 20_000_000
MAX_ITEMS = 300
MAX_ACTIONS = 2000
MAX_TEXT_CHARS = 500_000

MINUTES = "minutes"
ACTIONS = "actions"

# --- what was read ------------------------------------------------------------------------


@dataclass
class ReadAction:
    """An action as the file words it; owners as written ("DCC", "JB / NA")."""

    text: str
    owners: str = ""
    reference: str = ""
    due_text: str = ""
    due_date: date | None = None
    raised_text: str = ""
    raised_on: date | None = None
    status: str = "open"  # an ActionStatus value
    status_text: str = ""
    update: str = ""
    item: int | None = None  # the index of the item it was raised under (minutes only)


@dataclass
class ReadItem:
    """An agenda item: its number and title as written, its level (1 item, 2 theme,
    3 sub-theme) and its paragraphs (bullet lines start "• ")."""

    number: str
    title: str
    level: int = 1
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class ReadAttendee:
    name: str
    capacity: str = ""
    status: str = "present"  # or "apologies"


@dataclass
class ReadEntry:
    kind: str  # narrative, question or answer
    text: str
    speaker: str = ""  # as written: "PCC", "The CC", "JB"


@dataclass
class ImportedMinutes:
    """What was read from a minutes document; `unrecognised`: mark the items by hand."""

    title: str = ""
    meeting_date: date | None = None
    start_time: time | None = None
    venue: str = ""
    chair: str = ""
    minute_taker: str = ""
    layout: str = ""  # "table", "headings" or "" when none was recognised
    attendance: list[ReadAttendee] = field(default_factory=list)
    items: list[ReadItem] = field(default_factory=list)
    actions: list[ReadAction] = field(default_factory=list)
    unrecognised: bool = False
    notes: list[str] = field(default_factory=list)
    text: str = ""


@dataclass
class ImportedActionLog:
    """What was read from an action log; `unrecognised`: mark the actions by hand."""

    actions: list[ReadAction] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field: the heading it was under
    unrecognised: bool = False
    notes: list[str] = field(default_factory=list)
    text: str = ""


# --- small readers ------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0]+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def squash(text: str) -> str:
    """One line of text: spaces squashed, control characters gone."""
    text = unicodedata.normalize("NFC", str(text or ""))
    text = _CONTROL.sub("", text.replace("\u00ad", ""))
    return _SPACES.sub(" ", text.replace("\n", " ").replace("\r", " ")).strip()


def _tidy_lines(text: str) -> str:
    lines = [squash(line) for line in str(text or "").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


_MONTHS = {m.lower(): n for n, m in enumerate(
    ("January February March April May June July August September October November "
     "December").split(), start=1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_WORDS = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+({_MONTH_WORDS})\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_WORDS})\.?\s+(\d{{4}})\b", re.I)
_TIME = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(am|pm)?\b|\b(\d{1,2})\s*(am|pm)\b", re.I)


def _year(value: str) -> int:
    year = int(value)
    return year + 2000 if year < 100 else year


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: object, *, month_end: bool = False) -> date | None:
    """A date from a cell or a line as offices write them: 30th April 2019, 30/04/2019,
    30.04.19, 2019-04-30, April 30, 2019, a spreadsheet's date; "May 2019" is the 1st (or the
    month's last day with `month_end`, for a due date). None when there is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = squash(str(value or ""))
    if not text:
        return None
    if match := _ISO_DATE.search(text):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH_YEAR.search(text):
        return _safe_date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    if match := _MONTH_DAY_YEAR.search(text):
        return _safe_date(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    if match := _NUMERIC_DATE.search(text):  # British order: day first
        return _safe_date(_year(match[3]), int(match[2]), int(match[1]))
    if match := _MONTH_YEAR.search(text):
        month, year = _MONTHS[match[1].lower()], int(match[2])
        if month_end:
            following = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(year, month, 1)
    return None


def parse_time(text: str) -> time | None:
    """10:00, 10.30am, 2pm; None when there is none."""
    for match in _TIME.finditer(text or ""):
        if match[1]:
            hour, minute, half = int(match[1]), int(match[2]), (match[3] or "").lower()
        else:
            hour, minute, half = int(match[4]), 0, match[5].lower()
        if half == "pm" and hour < 12:
            hour += 12
        if half == "am" and hour == 12:
            hour = 0
        if 0 <= hour < 24 and 0 <= minute < 60:
            return time(hour, minute)
    return None


# --- action statuses, as logs word them ---------------------------------------------------

_STATUS_WORDS = [
    (re.compile(r"\b(pending (?:closure|sign[- ]?off)|proposed? (?:for )?clos|recommend(?:ed)? "
                r"(?:for )?clos|request(?:ed)? clos|awaiting sign)", re.I), "pending_signoff"),
    (re.compile(r"\b(closed?|complete[d]?|done|discharged|achieved|finished|blue)\b", re.I),
     "closed"),
    (re.compile(r"\b(paused|on hold|deferred|suspended)\b", re.I), "paused"),
    (re.compile(r"\b(in progress|ongoing|on[- ]going|underway|under way|on track|started|red|"
                r"amber|green|live|rag)\b", re.I), "in_progress"),
    (re.compile(r"\b(open|new|not started|outstanding|to do)\b", re.I), "open"),
]


def status_of(text: str) -> str:
    """The action status a log's status or RAG words mean ("Complete", "Amber", "On hold")."""
    text = squash(text)
    for pattern, status in _STATUS_WORDS:
        if pattern.search(text):
            return status
    return "open"


# --- getting at the file ------------------------------------------------------------------


def _bad_file(message: str) -> InvalidInput:
    return InvalidInput({"file": message}, message)


def check_upload(filename: str, content: bytes, allowed: tuple[str, ...]) -> str:
    """The file's kind ("docx" or "xlsx"); InvalidInput for an empty, huge or other file."""
    name = clean_file_name(filename or "").lower()
    if not content:
        raise _bad_file("The file is empty.")
    if len(content) > MAX_FILE_BYTES:
        raise _bad_file(f"The file is too large to import (the limit is "
                        f"{MAX_FILE_BYTES // 1_000_000} MB).")
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix not in allowed:
        words = " or ".join(f".{kind}" for kind in allowed)
        if suffix == "doc":
            raise _bad_file("This is an old Word file (.doc): open it in Word, save it as a "
                            ".docx file and upload that.")
        raise _bad_file(f"Only Word or Excel files ({words}) can be imported here.")
    uploads.check_zip(content, what="Word file" if suffix == "docx" else "spreadsheet")
    return suffix


@dataclass
class _Para:
    text: str
    style: str = ""
    bullet: bool = False


@dataclass
class _Table:
    rows: list[list[list[_Para]]]  # row → cell → paragraphs

    def cell_text(self, row: int, col: int) -> str:
        cells = self.rows[row]
        if col >= len(cells):
            return ""
        return "\n".join(p.text for p in cells[col] if p.text)


def _para(paragraph: Paragraph) -> _Para:
    style = ""
    try:
        style = paragraph.style.name if paragraph.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        pass
    ppr = paragraph._p.pPr
    numbered = ppr is not None and ppr.numPr is not None
    lines = (squash(line) for line in paragraph.text.replace("\t", " ").split("\n"))
    text = "\n".join(line for line in lines if line)
    lowered = style.lower()
    bullet = bool(re.match("^[\u2022\u25cf\u25aa\uf0b7\u2023\u25e6-]\\s?", text)) or (
        "bullet" in lowered) or (numbered and "list" in lowered and "number" not in lowered)
    if bullet:
        text = re.sub("^[\u2022\u25cf\u25aa\uf0b7\u2023\u25e6-]\\s*", "", text)
    return _Para(text, style or "", bullet)


def _table(table: Table) -> _Table:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is repeated for each column it spans
                continue
            seen.add(id(cell._tc))
            cells.append([_para(p) for p in cell.paragraphs])
        rows.append(cells)
    return _Table(rows)


def _blocks(content: bytes) -> list[_Para | _Table]:
    """The document's paragraphs and tables in order; InvalidInput when it cannot be read."""
    try:
        document: DocxDocument = docx.Document(io.BytesIO(content))
        blocks: list[_Para | _Table] = []
        for block in document.iter_inner_content():
            blocks.append(_table(block) if isinstance(block, Table) else _para(block))
        return blocks
    except InvalidInput:
        raise
    except Exception as exc:  # a damaged zip, missing parts, bad XML: python-docx raises many
        raise _bad_file("The Word file could not be read; it may be damaged. Open it in Word, "
                        "save it again and upload that.") from exc


def _text_of(blocks: list[_Para | _Table]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, _Para):
            lines.append(("• " if block.bullet else "") + block.text)
        else:
            for r, row in enumerate(block.rows):
                lines.append(" | ".join(block.cell_text(r, c).replace("\n", " / ")
                                        for c in range(len(row))))
    text = "\n".join(line for line in lines if line.strip())
    return text[:MAX_TEXT_CHARS]


# --- entries: questions and answers -------------------------------------------------------

_SPEAKER = r"(?:[Tt]he\s+)?((?:[A-Z][A-Za-z/&'’.-]*\s?){1,4}?)"
_ASKED = re.compile(rf"^{_SPEAKER}\s*(?:asked|queried|questioned|sought (?:assurance|"
                    r"reassurance|clarification)|wanted to know|enquired|challenged)\b")
_ANSWERED = re.compile(rf"^{_SPEAKER}\s*(?:(?:and|&)\s+{_SPEAKER}\s*)?"
                       r"(?:responded|replied|answered|confirmed|explained|advised|said|"
                       r"stated|agreed|acknowledged|added)\b")
_ANSWER_START = re.compile(r"(?<=[.?!])\s+(?=(?:The\s+)?[A-Z][A-Za-z/&'’.-]*(?:\s[A-Z][A-Za-z"
                           r"/&'’.-]*){0,3}(?:\s(?:and|&)\s(?:the\s)?[A-Z][\w/]*)?\s"
                           r"(?:responded|replied|answered)\b)")


def _speaker(match: re.Match | None) -> str:
    if not match:
        return ""
    words = squash(match.group(1))
    return "" if words.lower() in ("it", "this", "there", "he", "she", "they", "which") else words


def entries_of(paragraphs: list[str]) -> list[ReadEntry]:
    """Each paragraph as an entry: a question where it says someone "asked", an answer where
    someone "responded"; a paragraph holding both ("The PCC asked… The CC responded…") is
    split where the answer begins."""
    entries: list[ReadEntry] = []
    for paragraph in paragraphs:
        text = paragraph.strip()
        if not text:
            continue
        parts = _ANSWER_START.split(text, maxsplit=1) if "\n" not in text.split(". ")[0] else [text]
        if len(parts) == 2 and _ASKED.match(parts[0]):
            entries.append(ReadEntry("question", parts[0].strip(),
                                     _speaker(_ASKED.match(parts[0]))))
            entries.append(ReadEntry("answer", parts[1].strip(),
                                     _speaker(_ANSWERED.match(parts[1]))))
            continue
        asked, answered = _ASKED.match(text), re.match(
            rf"^{_SPEAKER}\s*(?:(?:and|&)\s+{_SPEAKER}\s*)?(?:responded|replied|answered)\b",
            text)
        if asked:
            entries.append(ReadEntry("question", text, _speaker(asked)))
        elif answered:
            entries.append(ReadEntry("answer", text, _speaker(answered)))
        else:
            entries.append(ReadEntry("narrative", text))
    return entries


# --- actions written in the minutes -------------------------------------------------------

_ACTIONS_ARISING = re.compile(
    r"^(?:actions?(?:\s+(?:arising|agreed|raised|points?))?|agreed actions?)\s*[:\-–]?\s*$", re.I)
_INLINE_ACTION = re.compile(
    r"^(?:action(?:\s+point)?|new action)\s*(?:\d{1,3}[a-z]?)?\s*[:\-–—]\s*(?P<rest>\S.*)$", re.I)
_OWNER_FIELD = re.compile(
    r"[\s(;,]*\b(?:action(?:ed)?\s+by|owner|lead|responsible|who)\s*[:\-–]\s*"
    r"(?P<owner>[^;()\n]+?)\s*\)?\s*(?=$|;|\bdue\b|\bdeadline\b|\bby\s+\d)", re.I)
_DUE_FIELD = re.compile(
    r"[\s(;,]*\b(?:due(?:\s+date)?|deadline|target(?:\s+date)?|by when|by)\s*[:\-–]?\s*"
    r"(?P<due>(?:\d{1,2}(?:st|nd|rd|th)?\s+\w+\s+\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|"
    rf"(?:{_MONTH_WORDS})\.?\s+\d{{4}}|next meeting))\s*\)?\.?\s*$", re.I)
_OWNER_LEAD = re.compile(r"^(?:[Tt]he\s+)?(?P<owner>[A-Z][\w/&'’.]*(?:\s*(?:(?:of|for|and|&|/|,)"
                         r"\s*)?(?:the\s+)?[A-Z][\w/&'’.]*){0,4})\s+to\s+[a-z]")
_REFERENCE = re.compile(r"^(?:ref(?:erence)?\.?\s*:?\s*)?([A-Z]{0,5}\s?/?\s?\d{2,4}\s?/\s?\d{1,4}"
                        r"|[A-Z]{1,5}\s?\d{1,4}(?:/\d{1,4})?|\d{2,4}/\d{1,4})$", re.I)


def _owner_lead(text: str) -> str:
    match = _OWNER_LEAD.match(text)
    if not match:
        return ""
    owner = match.group("owner")
    words = owner.split()
    # "NA to", "DCC to", "The Chief Executive to": a role or initials, not a sentence's start
    if len(words) == 1 and not (words[0].isupper() or words[0][:1].isupper()):
        return ""
    return owner


def action_from_text(text: str, column: str = "") -> ReadAction:
    """An action from its words and, in the table layout, its ACTION column (owners, then the
    reference and due date on lines of their own)."""
    text = squash(text)
    if match := _INLINE_ACTION.match(text):
        text = match.group("rest")
    action = ReadAction(text=text)
    if match := _DUE_FIELD.search(action.text):
        action.due_text = match.group("due")
        action.due_date = parse_date(action.due_text, month_end=True)
        action.text = action.text[: match.start()].rstrip(" ,;(")
    if match := _OWNER_FIELD.search(action.text):
        action.owners = squash(match.group("owner")).rstrip(".")
        action.text = (action.text[: match.start()] + action.text[match.end():]).strip(" ,;()")
    owners: list[str] = []
    for line in (column or "").split("\n"):
        line = squash(line).rstrip(".")
        if not line or re.fullmatch(r"(?i)actions?", line):
            continue
        if (day := parse_date(line, month_end=True)) and not action.due_date:
            action.due_date, action.due_text = day, line
        elif _REFERENCE.match(line) and any(ch.isdigit() for ch in line):
            action.reference = _REFERENCE.match(line).group(1)  # type: ignore[union-attr]
        elif re.match(r"(?i)^(?:due|by|deadline)\b", line):
            action.due_text = re.sub(r"(?i)^(?:due|by|deadline)\s*:?\s*", "", line)
            action.due_date = parse_date(action.due_text, month_end=True)
        elif len(line) <= 60:
            owners.append(line)
    if owners and not action.owners:
        action.owners = " / ".join(owners)
    if not action.owners:
        action.owners = _owner_lead(action.text)
    if action.text and not action.text.endswith((".", "?", "!")):
        action.text += "."
    return action


# --- the front matter: title, date, chair, attendance -------------------------------------

_DETAIL = re.compile(
    r"^(?P<key>date(?:\s*(?:&|and)\s*time)?|time|chair(?:ed by)?|minutes?(?:\s+taken\s+by|"
    r"\s+taker)?|minuted by|notes? taker|notes by|secretary|venue|location|place|where)"
    r"\s*[:\-–]?\s*(?P<value>.+)$", re.I)
_ATTENDANCE_LABEL = re.compile(
    r"^(?P<label>attendance|attendees|present|members present|in attendance|also present|"
    r"attending|apologies(?: for absence)?|absent)\s*:?\s*(?P<rest>.*)$", re.I)
_CAPACITY_PAREN = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<capacity>[^()]+)\)\)?$")
_CAPACITY_SEP = re.compile(r"^(?P<name>[^,–\-]+?)\s*(?:,|–|—|\s-\s)\s*(?P<capacity>.+)$")


def _attendee(text: str, status: str) -> ReadAttendee | None:
    text = squash(text).strip(" ;,.")
    if not text or re.fullmatch(r"(?i)none|n/?a|nil|-|name:?|capacity:?", text):
        return None
    for pattern in (_CAPACITY_SEP, _CAPACITY_PAREN):
        if match := pattern.match(text):
            return ReadAttendee(squash(match.group("name")), squash(match.group("capacity")),
                                status)
    return ReadAttendee(text, "", status)


def _status_of_label(label: str) -> str:
    return "apologies" if re.match(r"(?i)apologies|absent", label) else "present"


def _attendance_table(table: _Table) -> list[ReadAttendee] | None:
    """A table of who attended: "Attendance:" | name | capacity rows, or a header naming
    its name and capacity columns. None when the table is something else."""
    first = [table.cell_text(0, c).lower() for c in range(len(table.rows[0]))] if table.rows \
        else []
    labelled = any(_ATTENDANCE_LABEL.match(table.cell_text(r, 0) or "-")
                   for r in range(len(table.rows)))
    named = any(re.match(r"^name:?$", cell.strip()) for cell in first)
    if not (labelled or named):
        return None
    found: list[ReadAttendee] = []
    status = "present"
    for r, row in enumerate(table.rows):
        cells = [table.cell_text(r, c) for c in range(len(row))]
        label = _ATTENDANCE_LABEL.match(cells[0]) if cells else None
        if label:
            status = _status_of_label(label.group("label"))
            cells = cells[1:]
        elif len(cells) >= 3 and not cells[0].strip():
            cells = cells[1:]
        cells = [c for c in cells if c.strip()]
        if not cells or re.match(r"(?i)^name:?$", cells[0].strip()):
            continue
        if len(cells) >= 2:
            found.append(ReadAttendee(squash(cells[0]), squash(cells[1]), status))
        elif person := _attendee(cells[0], status):
            found.append(person)
    return found


def _details(paragraphs: list[str], minutes: ImportedMinutes) -> None:
    """Title, date, time, chair, minute-taker and venue from the lines before the items."""
    for line in paragraphs:
        match = _DETAIL.match(line)
        if not match:
            if not minutes.title and len(line) <= 200 and not _ATTENDANCE_LABEL.match(line):
                minutes.title = line
            if minutes.meeting_date is None and re.search(r"(?i)\bmeeting|minutes|notes\b", line):
                minutes.meeting_date = parse_date(line)
            continue
        key, value = match.group("key").lower(), squash(match.group("value"))
        if key.startswith("date") or key == "time":
            minutes.meeting_date = minutes.meeting_date if key == "time" else (
                parse_date(value) or minutes.meeting_date)
            minutes.start_time = parse_time(value.split("@")[-1]) or minutes.start_time
        elif key.startswith("chair"):
            minutes.chair = value
        elif key in ("venue", "location", "place", "where"):
            minutes.venue = value
        else:
            minutes.minute_taker = value.split(",")[0].strip()


def _paragraph_attendance(paragraphs: list[str]) -> list[ReadAttendee]:
    found: list[ReadAttendee] = []
    status: str | None = None
    for line in paragraphs:
        label = _ATTENDANCE_LABEL.match(line)
        if label:
            status = _status_of_label(label.group("label"))
            rest = label.group("rest").strip()
            if rest:
                parts = re.split(r";|,(?![^()]*\))", rest) if "(" in rest or ";" in rest \
                    else [rest]
                for part in parts:
                    if person := _attendee(part, status):
                        found.append(person)
            continue
        if status is None or _DETAIL.match(line):
            continue
        if len(line) > 150:
            status = None
            continue
        if person := _attendee(line, status):
            found.append(person)
    return found


# --- the items ----------------------------------------------------------------------------

_ITEM_NUMBER = re.compile(r"^(?:item|minute|min|no\.?)?\s*(\d{1,2}(?:\.\d{1,2}){0,2})\.?$", re.I)
_HEADING = re.compile(
    r"^(?:(?:item|minute|agenda item)\s+)?(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})[.):]?\s+"
    r"(?P<title>\S.*)$", re.I)
_SUB_THEME = re.compile(r"^(?P<num>\d{1,2})[.)]\s+(?P<title>\S.{0,100})$")
_HEADER_WORDS = re.compile(r"(?i)^(item|minute|minutes|no\.?|number|ref|discussion|notes|"
                           r"action(?:s)?(?: by)?|owner|lead|#|)$")


def _title_and_rest(text: str) -> tuple[str, str]:
    """An item's title and what follows it in the same paragraph ("AOB No items")."""
    text = squash(text)
    if m := re.match(r"^(?P<title>[A-Z0-9 /&,'’()\-–:]{1,}?[A-Z:)])(?:\s+(?P<rest>[A-Z][a-z].*))?$",
                     text):
        return m.group("title").strip(), (m.group("rest") or "").strip()
    if ":" in text[:120]:
        title, rest = text.split(":", 1)
        if rest.strip():
            return title.strip() + ":", rest.strip()
    return text, ""


def _level(number: str) -> int:
    return min(number.strip(".").count(".") + 1, 2)


def _is_heading_text(text: str) -> bool:
    return len(text) <= 150 and not re.search(r"[.;?!]$", text.rstrip(":"))


class _Builder:
    """Collects items, paragraphs and actions as the document is walked."""

    def __init__(self, minutes: ImportedMinutes) -> None:
        self.minutes = minutes
        self.in_actions = False

    @property
    def current(self) -> ReadItem | None:
        return self.minutes.items[-1] if self.minutes.items else None

    def item(self, number: str, title: str, level: int) -> None:
        if len(self.minutes.items) >= MAX_ITEMS:
            return
        self.minutes.items.append(ReadItem(number, title.strip() or f"Item {number}", level))
        self.in_actions = False

    def paragraph(self, para: _Para, column: str = "") -> None:
        text = para.text
        if not text:
            return
        if _ACTIONS_ARISING.match(text):
            self.in_actions = True
            return
        inline = _INLINE_ACTION.match(text)
        if self.in_actions or inline or column.strip():
            self.action(text, column)
            return
        if self.current is None:
            self.item("", "Minutes", 1)
        assert self.current is not None
        if para.bullet and self.current.paragraphs:
            self.current.paragraphs[-1] += "\n• " + text
        else:
            self.current.paragraphs.append(("• " if para.bullet else "") + text)

    def action(self, text: str, column: str = "") -> None:
        if len(self.minutes.actions) >= MAX_ACTIONS:
            return
        action = action_from_text(text, column)
        if not action.text.strip(" ."):
            return
        if self.current is None:
            self.item("", "Minutes", 1)
        action.item = len(self.minutes.items) - 1
        self.minutes.actions.append(action)


def _minutes_table(table: _Table) -> bool:
    """The three-column layout: item numbers down the first column, minutes in the next and
    (usually) an ACTION column."""
    if not table.rows or max(len(r) for r in table.rows) < 2:
        return False
    numbered = sum(1 for r in range(len(table.rows))
                   if _ITEM_NUMBER.match(table.cell_text(r, 0).strip()))
    header = [table.cell_text(0, c).strip() for c in range(len(table.rows[0]))]
    headed = len(header) >= 2 and re.search(r"(?i)action", header[-1] or "") is not None \
        and not re.search(r"(?i)owner|due|status|deadline", " ".join(header))
    return numbered >= 2 or (numbered >= 1 and headed)


def _walk_table(table: _Table, build: _Builder) -> None:
    width = max(len(r) for r in table.rows)
    for r, row in enumerate(table.rows):
        number = table.cell_text(r, 0).strip()
        middle = row[1] if len(row) > 1 else []
        column = table.cell_text(r, len(row) - 1) if len(row) >= 3 and width >= 3 else ""
        if r == 0 and all(_HEADER_WORDS.match(squash(table.cell_text(0, c)))
                          for c in range(len(row))):
            continue  # the header row: "Item | Minutes | ACTION"
        if re.fullmatch(r"(?i)actions?", squash(column)):
            column = ""  # the ACTION heading repeated in an item's title row
        paras = [p for p in middle if p.text]
        match = _ITEM_NUMBER.match(number)
        if match:
            first = paras.pop(0) if paras else _Para("")
            title, rest = _title_and_rest(first.text)
            build.item(match.group(1), title, _level(match.group(1)))
            if rest:
                build.paragraph(_Para(rest))
        for index, para in enumerate(paras):
            sub = _SUB_THEME.match(para.text)
            if sub and _is_heading_text(sub.group("title")) and build.current is not None:
                parent = build.current
                level = 3 if parent.level >= 2 else 2
                build.item(sub.group("num") + ".", sub.group("title"), level)
                continue
            build.paragraph(para, column if index == len(paras) - 1 else "")
        if not paras and column.strip() and build.in_actions:
            pass  # owners without words: nothing to raise


def _heading_level(para: _Para) -> int | None:
    style = para.style.lower()
    if m := re.match(r"heading\s*(\d)", style):
        return int(m.group(1))
    return None


def _walk_paragraphs(paras: list[_Para], build: _Builder) -> None:
    heading_levels = sorted({lvl for p in paras if (lvl := _heading_level(p))})
    for para in paras:
        text = para.text
        if not text:
            continue
        level = _heading_level(para)
        match = _HEADING.match(text)
        if level is not None and not _ACTIONS_ARISING.match(text):
            depth = heading_levels.index(level) + 1 if level in heading_levels else 1
            number = match.group("num") if match else ""
            title = match.group("title") if match else text
            build.item(number, title, _level(number) if number else min(depth, 2))
            continue
        if match and _is_heading_text(match.group("title")) and not para.bullet:
            number = match.group("num")
            sub = "." not in number and build.current is not None and \
                build.current.number.count(".") >= 1 and text == squash(text) and \
                not match.group("title").isupper() and build.current.level == 2
            build.item(number, match.group("title"), 3 if sub else _level(number))
            continue
        build.paragraph(para)


def _front(blocks: list[_Para | _Table]) -> tuple[list[str], list[_Table]]:
    """The lines and tables before the first item, where the details and attendance are."""
    lines: list[str] = []
    tables: list[_Table] = []
    for block in blocks:
        if isinstance(block, _Table):
            if _minutes_table(block):
                break
            tables.append(block)
            continue
        if _HEADING.match(block.text) and _is_heading_text(_HEADING.match(block.text)
                                                           .group("title")):  # type: ignore
            break
        if block.text:
            lines.append(block.text)
    return lines, tables


def read_minutes(filename: str, content: bytes) -> ImportedMinutes:
    """Everything recognisable in an old minutes document; InvalidInput only for a file that
    is not a readable .docx."""
    check_upload(filename, content, ("docx",))
    blocks = _blocks(content)
    return parse_minutes_blocks(blocks)


def parse_minutes_blocks(blocks: list[_Para | _Table]) -> ImportedMinutes:
    """The minutes in a document's paragraphs and tables; never raises."""
    minutes = ImportedMinutes(text=_text_of(blocks))
    front_lines, front_tables = _front(blocks)
    _details(front_lines[:40], minutes)
    for table in front_tables:
        if (people := _attendance_table(table)) is not None:
            minutes.attendance.extend(people)
    if not minutes.attendance:
        minutes.attendance = _paragraph_attendance(front_lines)
    build = _Builder(minutes)
    tables = [b for b in blocks if isinstance(b, _Table) and _minutes_table(b)]
    if tables:
        minutes.layout = "table"
        for table in tables:
            _walk_table(table, build)
    else:
        paras = [b for b in blocks if isinstance(b, _Para)]
        start = next((i for i, p in enumerate(paras)
                      if ((m := _HEADING.match(p.text)) and _is_heading_text(m.group("title")))
                      or (_heading_level(p) is not None and i > 0 and p.text
                          and not _DETAIL.match(p.text)
                          and not _ATTENDANCE_LABEL.match(p.text))), None)
        if start is not None:
            minutes.layout = "headings"
            _walk_paragraphs(paras[start:], build)
    minutes.items = [i for i in minutes.items if i.title]
    numbered = [i for i in minutes.items if i.number]
    if len(numbered) < 1 or not any(i.paragraphs for i in minutes.items) and not minutes.actions:
        minutes.unrecognised = True
        minutes.layout = ""
        minutes.notes.append(
            "No numbered items were recognised in this document (neither a table of item "
            "number, minutes and action, nor numbered headings). Here is the text: mark the "
            "items by hand.")
    if minutes.meeting_date is None:
        minutes.notes.append("The meeting's date was not found; give it below.")
    if len(minutes.items) >= MAX_ITEMS:
        minutes.notes.append(f"Only the first {MAX_ITEMS} items were read.")
    return minutes


# --- action logs --------------------------------------------------------------------------

# Heading words (lower case, punctuation as spaces) and the field they name; a heading is
# matched whole first, then by the first of these words it contains.
_COLUMN_NAMES = {
    "reference": ("ref", "reference", "ref no", "reference no", "action no", "action number",
                  "action ref", "no", "number", "id", "item", "minute", "minute ref"),
    "raised": ("raised", "date raised", "date opened", "opened", "meeting", "meeting date",
               "date of meeting", "date", "source", "date added", "raised at", "origin"),
    "text": ("action", "actions", "action required", "description", "action description",
             "detail", "details", "task", "what", "agreed action"),
    "owner": ("owner", "owners", "action by", "action owner", "lead", "lead officer", "by whom",
              "responsible", "responsible officer", "assigned to", "who", "officer"),
    "due": ("due", "due date", "deadline", "target date", "target", "by when", "date due",
            "completion date", "timescale", "due by"),
    "status": ("status", "rag", "rag status", "open closed", "state", "progress status",
               "complete"),
    "update": ("update", "updates", "progress", "latest update", "progress update", "comments",
               "comment", "notes", "commentary", "response", "position", "current position"),
}
_COLUMN_KEYWORDS = [
    ("owner", ("owner", "action by", "lead", "responsib", "assigned", "whom")),
    ("due", ("due", "deadline", "target", "by when", "timescale")),
    ("status", ("status", "rag")),
    ("update", ("update", "progress", "comment", "commentary")),
    ("raised", ("raised", "opened", "meeting")),
    ("reference", ("ref", "number")),
    ("text", ("action", "description")),
]


def _heading_key(cell: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(cell or "").lower()).strip()


def columns_of(header: list[object]) -> dict[int, str]:
    """Which column holds which field, from a header row's words; {} when it is not one."""
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = _heading_key(cell)
        if str(cell or "").strip() in ("#", "No", "No."):
            key = "no"
        if not key:
            continue
        name = next((f for f, names in _COLUMN_NAMES.items() if key in names), None)
        if name is None:
            name = next((f for f, words in _COLUMN_KEYWORDS if any(w in key for w in words)),
                        None)
        if name and name not in found.values():
            found[index] = name
    return found if "text" in found.values() and len(found) >= 3 else {}


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _tidy_lines(str(value)) if value is not None else ""


def parse_action_rows(rows: list[list[object]]) -> ImportedActionLog:
    """The actions of a table's rows, its header found by its words; never raises."""
    log = ImportedActionLog(text="\n".join(" | ".join(_cell(c) for c in row)
                                           for row in rows if any(_cell(c) for c in row)
                                           )[:MAX_TEXT_CHARS])
    start, columns = 0, {}
    for start, header in enumerate(rows[:30]):  # noqa: B007 (start is used after the loop)
        columns = columns_of(list(header))
        if columns:
            break
    else:
        log.unrecognised = True
        log.notes.append("No heading row naming the action, its owner, due date or status "
                         "was found. Here is the text: mark the actions by hand.")
        return log
    log.columns = {name: _cell(rows[start][i]) for i, name in columns.items()}
    for row in rows[start + 1:]:
        values = {name: row[i] if i < len(row) else None for i, name in columns.items()}
        text = _cell(values.get("text"))
        if not text.strip():
            continue
        if columns_of(list(row)):
            continue  # the header repeated (a log pasted from several tables)
        if len(log.actions) >= MAX_ACTIONS:
            log.notes.append(f"Only the first {MAX_ACTIONS} actions were read.")
            break
        action = ReadAction(text=squash(text))
        action.reference = squash(_cell(values.get("reference")))[:60]
        action.owners = squash(_cell(values.get("owner")).replace("\n", " / "))[:300]
        due = values.get("due")
        action.due_text = squash(_cell(due))
        action.due_date = parse_date(due, month_end=True)
        raised = values.get("raised")
        action.raised_text = squash(_cell(raised))
        action.raised_on = parse_date(raised)
        action.status_text = squash(_cell(values.get("status")))
        action.update = _cell(values.get("update"))
        action.status = status_of(action.status_text) if action.status_text else (
            "in_progress" if action.update.strip() else "open")
        if not action.owners:
            action.owners = _owner_lead(action.text)
        log.actions.append(action)
    if not log.actions:
        log.unrecognised = True
        log.notes.append("The headings were found but no actions under them.")
    return log


def _xlsx_rows(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook  # start-up cost: only an .xlsx import needs it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a damaged zip, not a workbook, bad XML
        raise _bad_file("The spreadsheet could not be read; it may be damaged. Open it in "
                        "Excel, save it again as .xlsx and upload that.") from exc
    try:
        best: list[list[object]] = []
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ACTIONS + 50:
                    break
            if columns_of_any(rows) and (not best or not columns_of_any(best)):
                return rows
            if not best:
                best = rows
        return best
    finally:
        workbook.close()


def columns_of_any(rows: list[list[object]]) -> bool:
    return any(columns_of(list(r)) for r in rows[:30])


def read_action_log(filename: str, content: bytes) -> ImportedActionLog:
    """The actions in an old action log (.xlsx, or a Word table); InvalidInput only for a file
    that cannot be read."""
    kind = check_upload(filename, content, ("xlsx", "docx"))
    if kind == "xlsx":
        return parse_action_rows(_xlsx_rows(content))
    blocks = _blocks(content)
    tables = [b for b in blocks if isinstance(b, _Table)]
    for table in tables:
        rows: list[list[object]] = [[table.cell_text(r, c) for c in range(len(row))]
                                    for r, row in enumerate(table.rows)]
        if columns_of_any(rows):
            # every table of the same columns (a log split by a page or a section)
            log = parse_action_rows(rows)
            for other in tables[tables.index(table) + 1:]:
                more: list[list[object]] = [[other.cell_text(r, c) for c in range(len(row))]
                        for r, row in enumerate(other.rows)]
                if columns_of_any(more):
                    log.actions.extend(parse_action_rows(more).actions)
            return log
    log = ImportedActionLog(text=_text_of(blocks), unrecognised=True)
    log.notes.append("No table with headings naming the action, its owner, due date or status "
                     "was found. Here is the text: mark the actions by hand.")
    return log
