"""Reading an HMICFRS inspection report: its text from a file, then its judgments and findings.

Pure functions, no database. `extract_text` turns an uploaded .txt, .pdf or .docx into text;
`parse_report` finds the title, force, graded judgments and every cause of concern,
recommendation and area for improvement. Reports come in many layouts (PDF text with bullets on
their own lines, web text with headings as plain lines, summaries with numbered
recommendations), so the parser looks for the ways HMICFRS writes findings rather than for any
one report's lines. When it finds no structure it says so (`unrecognised`, with notes) and the
caller shows the text for the findings to be marked by hand; it never raises on odd text.
"""

import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from app.services import uploads
from app.services.errors import InvalidInput
from app.services.text import clean_file_name

MAX_TEXT_CHARS = 2_000_000  # text beyond this is cut off, with a note
MAX_FILE_BYTES = 50_000_000
MAX_ROW_CHARS = 400  # a line longer than this is prose, not a table's row or a date line

CAUSE_OF_CONCERN = "cause_of_concern"
RECOMMENDATION = "recommendation"
AREA_FOR_IMPROVEMENT = "area_for_improvement"

GRADES = {
    "outstanding": "Outstanding",
    "good": "Good",
    "adequate": "Adequate",
    "requires improvement": "Requires improvement",
    "require improvement": "Requires improvement",
    "requiring improvement": "Requires improvement",
    "inadequate": "Inadequate",
}


@dataclass
class Finding:
    """One cause of concern, recommendation or area for improvement, as the report words it."""

    kind: str
    number: str | None
    text: str
    addressee: str | None
    deadline: str | None  # as written, e.g. "With immediate effect" or "By 31 March 2025"
    source_paragraph: str
    position: int  # order in the report, from 0
    area: str | None = None  # the graded area of the report it sits under, when clear
    deadline_date: date | None = None  # the day the deadline falls on, when it names one


@dataclass
class ImportedReport:
    """What was read from a report; `unrecognised` means mark the findings by hand."""

    title: str | None
    force: str | None  # the police force, or the fire and rescue service
    kind: str
    published_on: date | None
    judgments: list[tuple[str, str]] = field(default_factory=list)  # (area, grade)
    findings: list[Finding] = field(default_factory=list)
    unrecognised: bool = False
    notes: list[str] = field(default_factory=list)
    text: str = ""
    sector: str = "police"  # "police", or "fire" for a fire and rescue service's report


# --- Getting the text out of a file -------------------------------------------------------------


def _bad_file(message: str) -> InvalidInput:
    return InvalidInput({"file": message}, message)


def extract_text(filename: str, content: bytes) -> str:
    """The text of an uploaded report (.txt, .pdf or .docx); InvalidInput for anything else."""
    name = clean_file_name(filename).lower()
    if len(content) > MAX_FILE_BYTES:
        raise _bad_file("The file is too large to import (the limit is 50 MB).")
    if not content:
        raise _bad_file("The file is empty.")
    if name.endswith(".txt"):
        return _text_from_txt(content)
    if name.endswith(".pdf"):
        return _text_from_pdf(content)
    if name.endswith(".docx"):
        return _text_from_docx(content)
    raise _bad_file("Only text (.txt), PDF (.pdf) and Word (.docx) files can be imported.")


def _text_from_txt(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as Notepad may save it
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _bad_file("The text file is damaged; save it as UTF-8.") from exc
    if b"\x00" in content[:4096]:
        raise _bad_file("This does not look like a text file.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _bad_file(
            "The text is in an encoding that could not be read; save it as UTF-8."
        ) from exc


def _text_from_pdf(content: bytes) -> str:
    if not content.lstrip().startswith(b"%PDF"):
        raise _bad_file("This is not a PDF file, or it is damaged.")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise _bad_file("The PDF is protected by a password; import an unprotected copy.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InvalidInput:
        raise
    except Exception as exc:  # pypdf raises many kinds of error on a damaged file
        raise _bad_file("The PDF could not be read; it may be damaged.") from exc
    text = "\n\f\n".join(pages)
    if not text.strip():
        raise _bad_file("The PDF has no text in it (it may be scanned images); paste the text.")
    return text


def _text_from_docx(content: bytes) -> str:
    uploads.check_zip(content)
    try:
        document = docx.Document(io.BytesIO(content))
        parts = list(_docx_lines(document))
    except Exception as exc:  # a damaged zip, missing parts, bad XML
        raise _bad_file("The Word file could not be read; it may be damaged.") from exc
    return "\n".join(parts)


def _docx_lines(document) -> Iterator[str]:
    """The paragraphs and table rows of a Word document in the order they stand in it.

    A table row is one line, its cells separated by tabs (a table of areas and grades reads
    as "area<tab>grade"); a merged cell, which python-docx repeats in every column it spans,
    is given once. Nested tables are read with the cell that holds them.
    """
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            yield Paragraph(block, document).text
        elif block.tag == qn("w:tbl"):
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = _squash(cell.text)
                    if not cells or text != cells[-1]:
                        cells.append(text)
                yield "\t".join(cells)
            yield ""


# --- Tidying the text ---------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?\s*$", re.IGNORECASE)
_BULLET = re.compile(
    "^\\s*(?:[\u2022\uf0b7\u25cf\u25aa\u25e6\u2023\u2043\u25a0]|[-*\u2013](?=\\s))\\s*(.*)$"
)
_NUMBERED = re.compile(r"^\s*\(?(\d{1,2})[.)]\s+(\S.*)$")


def _tidy(text: str, notes: list[str]) -> list[str]:
    """The text as lines: capped, no control characters, no page numbers or running headers."""
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        notes.append("The text was very long; only the first 2,000,000 characters were read.")
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\u2011", "-")
    text = text.replace("\t", "  ")  # two spaces: a table's cells stay apart ("Area  Good")
    text = _CONTROL.sub("", text)
    # Runs of spaces (a PDF's layout) become two: a table's cells stay apart, and no pattern
    # has to try every length of a run thousands of spaces long.
    lines = [_SPACE_RUN.sub("  ", line.rstrip()) for line in text.split("\n")]
    lines = ["" if _PAGE_NUMBER.match(line) else line for line in lines]
    # Running headers and footers: short lines repeated on many pages that carry no structure.
    counts = Counter(line.strip() for line in lines if line.strip())
    furniture = {
        line
        for line, count in counts.items()
        if count >= 4
        and len(line) <= 80
        and not _BULLET.match(line)
        and not _grade(line)
        and not _list_heading_kind(line)
        and not re.match(r"(?i)summary of findings|overall", line)
    }
    return ["" if line.strip() in furniture else line for line in lines]


_SPACES = re.compile(r"\s+")
_SPACE_RUN = re.compile(r"[ \t]{3,}")


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip() if text else ""


def _grade(line: str) -> str | None:
    return GRADES.get(_squash(line).rstrip(".:").lower())


# --- Finding the findings -----------------------------------------------------------------------

_LIST_HEADINGS = {
    "areas for improvement": AREA_FOR_IMPROVEMENT,
    "area for improvement": AREA_FOR_IMPROVEMENT,
    "recommendations": RECOMMENDATION,
    "recommendation": RECOMMENDATION,
    "causes of concern": CAUSE_OF_CONCERN,
    "cause of concern": CAUSE_OF_CONCERN,
}
_INLINE = re.compile(
    r"^\s*(?P<label>recommendation(?!s)|cause of concern|area for improvement|afi)\b"
    r"\s*(?P<num>\d{1,3}[a-z]?)?\s*(?P<sep>[:.\-\u2013\u2014])?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_INLINE_KINDS = {
    "recommendation": RECOMMENDATION,
    "cause of concern": CAUSE_OF_CONCERN,
    "area for improvement": AREA_FOR_IMPROVEMENT,
    "afi": AREA_FOR_IMPROVEMENT,
}
_FINDINGISH = re.compile(r"\b(should|needs? to|must|is an area for improvement)\b", re.IGNORECASE)
# A force's or a fire and rescue service's name: "Northshire Constabulary", "Hereford & Worcester
# Fire and Rescue Service", "Isles of Scilly Fire and Rescue Service", "London Fire Brigade".
_FORCE = r"(?:[A-Z][\w'’&-]*(?: (?:and )?[A-Z][\w'’&-]*){0,4} (?:Police|Constabulary))"
_SERVICE = (
    r"(?:[A-Z][\w'’&-]*(?: (?:and |& |of (?:the )?)?[A-Z][\w'’&-]*){0,5} "
    r"(?:Fire (?:and|&) Rescue Service|Fire Brigade))"
)
_SHOULD_PARAGRAPH = re.compile(
    r"^(?:The (?:force|constabulary|service)|[A-Z][\w'’& -]{0,40} "
    r"(?:Police|Constabulary|Fire (?:and|&) Rescue Service|Fire Brigade)) should\b"
)
_QUESTION = re.compile(
    r"^\s*(?:overview\s*[\u2013\u2014:-]\s*)?how (?:effective|efficient|legitimate|good) "
    r"(?:is|are) the (?:force|constabulary|service)\b",
    re.IGNORECASE,
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_MONTH = rf"(?:{_MONTHS}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# A date as reports write it: "27 July 2022", "27th Jul 2022", "July 27, 2022", "27/07/2022",
# "27.07.2022", "2022-07-27".
_DATE = (
    rf"(?:{_DAY} {_MONTH},? \d{{4}}|{_MONTH} {_DAY},? \d{{4}}"
    r"|\d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b|\d{4}-\d{2}-\d{2}\b)"
)
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen"
                 "|twenty-four|a")
_DEADLINE = re.compile(
    rf"\b(with immediate effect|immediately"
    rf"|(?:by|before|no later than|not later than) (?:the end of )?(?:{_DAY} )?{_MONTH},? \d{{4}}"
    rf"|(?:by|before|no later than) (?:the end of )?\d{{4}}\b(?![/.-]\d)"
    r"|(?:by|before|no later than) \d{1,2}[/.]\d{1,2}[/.](?:\d{4}|\d{2})\b"
    r"|(?:by|before|no later than) \d{4}-\d{2}-\d{2}\b"
    rf"|within (?:\d+|{_NUMBER_WORDS}) (?:days?|weeks?|months?|years?))",
    re.IGNORECASE,
)


def _list_heading_kind(line: str) -> str | None:
    return _LIST_HEADINGS.get(_squash(line).rstrip(":").lower())


def _list_heading_at(lines: list[str], i: int) -> tuple[str | None, int]:
    """The kind of list a heading at line i opens, and the index after it (headings may wrap)."""
    kind = _list_heading_kind(lines[i])
    if kind:
        return kind, i + 1
    first = _squash(lines[i])
    if not first or len(first) > 30:
        return None, i
    j = i + 1
    while j < len(lines) and not lines[j].strip() and j - i < 4:
        j += 1
    if j < len(lines):
        kind = _list_heading_kind(first + " " + lines[j])
        if kind:
            return kind, j + 1
    return None, i


def _complete(text: str) -> bool:
    return bool(re.search(r"[.;!?][\"'’”)]?$", text.strip()))


def _is_boundary(lines: list[str], i: int) -> bool:
    line = lines[i]
    return bool(
        _list_heading_at(lines, i)[0]
        or (inline := _INLINE.match(line))
        and _inline_ok(inline)
        or _QUESTION.match(line)
        or _grade(line)
        or re.match(r"(?i)\s*summary of findings\s*$", line)
    )


def _inline_ok(match: re.Match) -> bool:
    return bool(match.group("num") or match.group("sep") or not match.group("rest"))


@dataclass
class _Item:
    kind: str
    number: str | None
    lines: list[str]
    bulleted: bool = False
    lead_in: bool = False
    line: int = 0  # where it starts in the text, to tell which area it falls under
    bullets: set[int] = field(default_factory=set)  # which of `lines` start a bullet

    def add_bullet(self, text: str) -> None:
        self.bullets.add(len(self.lines))
        self.lines.append(text)

    @property
    def text(self) -> str:
        """The finding's text, its own bullets kept as lines starting "• " (a finding that
        lists what the force should do keeps its list)."""
        parts: list[list[str]] = [[]]
        for index, line in enumerate(self.lines):
            if index in self.bullets and index > 0:
                parts.append([])
            parts[-1].append(line)
        lines = [_squash(" ".join(part)) for part in parts]
        return "\n".join(
            ("• " + line) if i > 0 else line for i, line in enumerate(lines) if line
        ) if len(lines) > 1 else lines[0]


def _read_list(lines: list[str], i: int, kind: str) -> tuple[list[_Item], int]:
    """The items of a list under a heading: bullets, numbers or one paragraph each."""
    items: list[_Item] = []
    current: _Item | None = None
    blanks = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            blanks += 1
            i += 1
            if blanks >= 3 and (current is None or _complete(current.text)):
                break
            continue
        if _is_boundary(lines, i):
            break
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if (
            bullet
            and current is not None
            and (current.lead_in or (not current.bulleted and current.text.endswith(":")))
        ):
            # "By March 2025, the force should:" followed by bullets is one finding.
            current.lead_in = True
            current.add_bullet(bullet.group(1))
        elif bullet or numbered:
            current = _Item(kind, numbered.group(1) if numbered else None, [], True, line=i)
            current.lines.append(numbered.group(2) if numbered  # else bullet matched
                                 else bullet.group(1))  # type: ignore[union-attr]
            items.append(current)
        elif current is not None and not _complete(current.text) and len(current.lines) < 15:
            current.lines.append(line)
        elif (current is None or not current.bulleted) and (
            _FINDINGISH.search(line)
            or lines[i][:1].isspace()
            or (kind == CAUSE_OF_CONCERN and current is None)  # a concern states a problem
        ):
            # A paragraph of its own; a leading space is often a bullet the PDF text lost.
            current = _Item(kind, None, [line], line=i)
            items.append(current)
        else:
            break
        blanks = 0
        i += 1
    return [item for item in items if item.text], i


def _read_inline(lines: list[str], i: int, match: re.Match) -> tuple[_Item, int]:
    """A labelled finding ("Recommendation 4 ...", "AFI 2:"): its text up to a blank line."""
    kind = _INLINE_KINDS[match.group("label").lower()]
    item = _Item(kind, match.group("num"), [match.group("rest")] if match.group("rest") else [],
                 line=i)
    i += 1
    while i < len(lines) and not lines[i].strip() and not item.lines:
        i += 1
    while i < len(lines) and lines[i].strip() and len(item.lines) < 40:
        if _is_boundary(lines, i):
            break
        line = lines[i].strip()
        if item.lines and _complete(item.text) and _starts_part(lines, i):
            break  # the finding is whole and a heading follows it without a blank line
        bullet = _BULLET.match(line)
        if bullet:
            item.add_bullet(bullet.group(1))
        else:
            item.lines.append(line)
        i += 1
    return item, i


def _starts_part(lines: list[str], i: int) -> bool:
    """Whether line i is a heading of its own: short, no full stop, and not the start of a
    sentence that carries on over the next line (as a PDF's text wraps it)."""
    line = _squash(lines[i])
    if not (3 <= len(line) <= 80 and line[:1].isupper() and not re.search(r"[.,;:!?]$", line)):
        return False
    following = _squash(lines[i + 1]) if i + 1 < len(lines) else ""
    return not following[:1].islower() and not _TITLE_GOES_ON.search(line)


_MONTH_NUMBERS = {name[:3].lower(): n for n, name in enumerate(_MONTHS.split("|"), start=1)}


def parse_date(text: str) -> date | None:
    """The date a report writes ("27 July 2022", "27th Jul 2022", "July 27, 2022",
    "27/07/2022", day first as in the UK, "2022-07-27"); None if it is not one."""
    text = _squash(text).rstrip(".,")
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})", text):
            century = 2000 if len(match[3]) == 2 else 0
            return date(int(match[3]) + century, int(match[2]), int(match[1]))
        if match := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? (\d{4})", text):
            day, month, year = match[1], match[2], match[3]
        elif match := re.fullmatch(r"([A-Za-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})", text):
            month, day, year = match[1], match[2], match[3]
        else:
            return None
        number = _MONTH_NUMBERS.get(month[:3].lower())
        if number is None or (len(month) > 4 and month.lower() not in _MONTHS.lower()):
            return None
        return date(int(year), number, int(day))
    except ValueError:  # 31 February and the like
        return None


def _end_of_month(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))


def deadline_date(deadline: str | None) -> date | None:
    """The day a deadline as written falls on: "By 31 March 2025" is 31 March 2025; "by the end
    of March 2025" and "By March 2025" the month's last day; "by the end of 2025" 31 December.
    None when the words name no day ("Within six months", "With immediate effect")."""
    if not deadline:
        return None
    words = _squash(deadline)
    match = re.fullmatch(r"(?i)(?:by|before|no later than|not later than)\s+(the end of\s+)?(.*)",
                         words)
    if not match:
        return None
    rest = match[2].rstrip(".,")
    if re.fullmatch(r"\d{4}", rest):
        return date(int(rest), 12, 31)
    month_only = re.fullmatch(r"([A-Za-z]+)\.?,? (\d{4})", rest)
    if month_only:
        number = _MONTH_NUMBERS.get(month_only[1][:3].lower())
        return _end_of_month(int(month_only[2]), number) if number else None
    return parse_date(rest)


# Words that open a clause before the one naming who should act: "In the meantime, forces
# should ...", "Working with the NPCC, chief constables should ...".
_LEAD_IN = re.compile(
    r"(?i)^(?:in|to|as|when|where|if|having|given|for|working|within|once|after|before|until|"
    r"following|with|from|at|on|of|during|while|so|therefore|however|also|then|now|overall|"
    r"further|additionally|together|jointly|through|via|supported|led|using|because|since|"
    r"we recommend|it is recommended)\b"
)


def _addressee(text: str) -> str | None:
    """Who a recommendation is addressed to: the words before its "should", without a deadline
    or a clause that leads in ("By 31 March 2025, chief constables, police and crime
    commissioners and the College of Policing should ..." is addressed to all three)."""
    at = re.search(r"\bshould\b", text)
    if not at:
        return None
    before = re.split(r"(?<=[.;:!?])\s+|\n", text[: at.start()])[-1]
    before = _DEADLINE.sub("", before)
    before = re.sub(r"(?i)^\s*(?:we|hmicfrs|hm inspectorate)\s+recommends?\s+that\s+", "", before)
    before = re.sub(r"(?i)^\s*(?:that|and)\s+", "", before)
    chunks = [_squash(chunk) for chunk in before.split(",")]
    kept = [chunk for chunk in chunks
            if chunk and not _LEAD_IN.match(chunk) and chunk.lower() not in {"and", "or", "then"}]
    if not kept:
        return None
    # A list of addressees is kept whole; with a clause left among them, only the last part
    # (nearest the "should") is who acts.
    addressee = ", ".join(kept)
    if len(addressee) > 150 or any(len(chunk.split()) > 10 for chunk in kept):
        addressee = kept[-1]
    return addressee if 0 < len(addressee) <= 150 else None


def _addressee_and_deadline(text: str) -> tuple[str | None, str | None]:
    deadline_match = _DEADLINE.search(text)
    deadline = deadline_match.group(1) if deadline_match else None
    return _addressee(text), deadline


def _area_starts(lines: list[str], judgments: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """Where each graded area's part of the report begins: (line, area), in order.

    Two layouts make it clear: PDF text that opens each part with its question ("How effective
    is the force at investigating crime ...?", the area its "Summary of findings" grades), and
    web text whose part headings are the graded areas' names on a line of their own. Findings
    before the first such heading, or in reports without graded areas, have no area.
    """
    areas = {area.lower(): area for area, _ in judgments if area.lower() != "overall"}
    if not areas:
        return []
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        if _QUESTION.match(line):
            question = _question_area(lines, i)
            starts.append((i, areas.get(question.lower(), question)))
            continue
        heading = _squash(line).rstrip(".:")
        if heading and heading.lower() in areas:
            starts.append((i, areas[heading.lower()]))
    return starts


def _area_at(starts: list[tuple[int, str]], line: int) -> str | None:
    area = None
    for start, name in starts:
        if start > line:
            break
        area = name
    return area


def _findings(lines: list[str], judgments: list[tuple[str, str]] | None = None
              ) -> list[Finding]:
    items: list[_Item] = []
    i = 0
    previous = ""
    while i < len(lines):
        line = lines[i].strip()
        kind, after = _list_heading_at(lines, i)
        if kind:
            found, i = _read_list(lines, after, kind)
            items.extend(found)
            previous = ""
            continue
        match = _INLINE.match(line)
        if match and _inline_ok(match):
            item, i = _read_inline(lines, i, match)
            if item.text:
                items.append(item)
            previous = ""
            continue
        if (
            _SHOULD_PARAGRAPH.match(line)
            and len(line) >= 30
            and line.endswith(".")
            and (not previous or _complete(previous))
        ):
            items.append(_Item(AREA_FOR_IMPROVEMENT, None, [line], line=i))
        if line:
            previous = line
        i += 1

    starts = _area_starts(lines, judgments or [])
    findings: list[Finding] = []
    seen: set[tuple] = set()
    for item in items:
        keys = {(item.kind, item.text.lower())}
        if item.number:
            keys.add((item.kind, item.number))
        if keys & seen:
            continue  # the same finding quoted again, e.g. in a response to it
        seen |= keys
        addressee = deadline = None
        if item.kind != AREA_FOR_IMPROVEMENT:
            addressee, deadline = _addressee_and_deadline(item.text)
        findings.append(
            Finding(
                kind=item.kind,
                number=item.number,
                text=item.text,
                addressee=addressee,
                deadline=deadline,
                source_paragraph="\n".join(item.lines),
                position=len(findings),
                area=_area_at(starts, item.line),
                deadline_date=deadline_date(deadline),
            )
        )
    return findings


# --- Judgments and the particulars of the report ------------------------------------------------

_GRADE_WORDS = (r"(?:outstanding|good|adequate|requires? improvement|requiring improvement"
                r"|inadequate)")
_SUBJECT = (rf"(?:{_FORCE}(?: Service)?|{_SERVICE}|[Tt]he (?:force|constabulary|service"
            r"|fire and rescue service))")
# How HMICFRS words a grade in a sentence: "Northshire Police is good at ...", "The service
# requires improvement in ...", "We found the force to be adequate at ...", "Westshire Fire and
# Rescue Service's overall effectiveness is good."
_JUDGMENT_SENTENCES = [
    re.compile(
        rf"^(?P<subject>{_SUBJECT}) (?:is|are|remains) (?:(?i:rated|graded|judged|assessed) )?"
        rf"(?:as )?(?P<grade>(?i:{_GRADE_WORDS})) (?:at|in|for) (?P<area>[^.]{{3,200}})\."
    ),
    re.compile(
        rf"^(?P<subject>{_SUBJECT}) (?P<grade>(?i:requires? improvement)) (?:at|in|for) "
        r"(?P<area>[^.]{3,200})\."
    ),
    re.compile(
        rf"^(?i:we) (?:found|judged|assessed|graded|rated|consider|judge) (?P<subject>{_SUBJECT}) "
        rf"(?:to be|as) (?P<grade>(?i:{_GRADE_WORDS})) (?:at|in|for) (?P<area>[^.]{{3,200}})\."
    ),
    re.compile(
        rf"^(?P<subject>{_SUBJECT})['’]s (?P<area>[^.]{{3,120}}?) (?:is|are) "
        rf"(?:(?:rated|graded|judged) )?(?:as )?(?P<grade>(?i:{_GRADE_WORDS}))\."
    ),
]
# The areas HMICFRS grades nationally (fire and rescue services' pillars and questions; PEEL's
# areas over the years): a line "area grade" with one space between, as PDF text gives a table
# row, is a grade when its area is one of these, or stands among other such rows.
KNOWN_AREAS = (
    "Effectiveness", "Efficiency", "People", "Legitimacy", "Leadership",
    "Understanding fire and other risks", "Understanding the risk of fire and other emergencies",
    "Preventing fires and other risks", "Protecting the public through fire regulation",
    "Responding to fires and other emergencies", "Responding to major and multi-agency incidents",
    "Responding to national risks", "Making best use of resources",
    "Making the fire and rescue service affordable now and in the future",
    "Promoting the right values and culture", "Getting the right people with the right skills",
    "Ensuring fairness and promoting diversity", "Managing performance and developing leaders",
    "Police powers and treating the public fairly and respectfully",
    "Preventing and deterring crime and antisocial behaviour, and reducing vulnerability",
    "Engaging with and treating the public with fairness and respect",
    "Preventing crime and antisocial behaviour", "Responding to the public", "Investigating crime",
    "Protecting vulnerable people", "Managing offenders and suspects",
    "Disrupting serious organised crime", "Building, supporting and protecting the workforce",
    "Leadership and force management",
    "Strategic planning, organisational management and value for money",
    "Recording data about crime",
)


def _area_key(area: str) -> str:
    key = _squash(area).lower().replace("&", "and").replace("anti-social", "antisocial")
    return re.sub(r"[^a-z0-9 ,]", "", key).strip(" ,")


_KNOWN_AREA_KEYS = {_area_key(area) for area in KNOWN_AREAS}
# "Area: Good", "Area  Good" (two spaces or a tab: a table's cells), "Area | Good", "Area – Good"
# A table may go on with the grade of the last inspection, or a mark, after this one's:
# "Effectiveness  Requires improvement  Good".
_GRADE_ROW = re.compile(
    rf"^\s*\|?\s*(?P<area>\S.*?)(?:\s*[:|]\s*|\s{{2,}}|\s+[\u2013\u2014-]\s+)"
    rf"(?P<grade>(?i:{_GRADE_WORDS}))"
    rf"(?:(?:\s*\|\s*|\s{{2,}})(?i:{_GRADE_WORDS}|not (?:graded|inspected)|n/?a|[^\w\s]{{1,3}}))*"
    r"\s*[.|]?\s*$"
)
# "Area Good" with one space: only in PDF text of a table, so only with other evidence.
_TABLE_GRADE = "(?:Outstanding|Good|Adequate|Requires improvement|Inadequate)"
_LOOSE_ROW = re.compile(
    rf"^\s*(?P<area>\S.*?) (?P<grade>{_TABLE_GRADE})(?: {_TABLE_GRADE})*\s*$"
)
_NOT_AN_AREA_END = re.compile(
    r"(?i)\b(?:is|are|was|were|be|been|being|as|not|very|quite|the|a|an|of|and|or|to|in|at|for|"
    r"by|with|remains|rated|graded|judged|found|it|its|how)$"
)
_LABEL = re.compile(r"(?i)^(?:overall(?: judge?ment| grade| rating)?|grade|judge?ment|rating"
                    r"|our judge?ment|graded judge?ment)(?:\s*\d{1,2})?$")


def _question_area(lines: list[str], i: int) -> str:
    parts = []
    for line in lines[i : i + 6]:
        if line.strip():
            parts.append(line.strip())
        if line.strip().endswith("?"):
            break
    question = _squash(" ".join(parts))
    question = re.sub(r"(?i)^overview\s*[\u2013\u2014:-]\s*", "", question)
    area = re.sub(
        r"(?i)^how \w+ (?:is|are|does) the (?:force|constabulary|service)\s*(?:at\s+)?", "",
        question,
    )
    area = area.rstrip("?").strip()
    return area[:1].upper() + area[1:] if area else question


def _heading_like(text: str) -> bool:
    """A short line that is not a sentence: a heading, or a table's cell."""
    return (
        3 <= len(text) <= 150
        and text[:1].isupper()
        and not re.search(r"[.,;!?]$", text)
        and not _grade(text)
        and not _list_heading_kind(text)
        and not _INLINE.match(text)
    )


def _row_area(lines: list[str], i: int, area: str) -> str | None:
    """The area of a grade row at line i: the row's own words, joined to the line before when
    they carry on from it (an area wrapped over two lines of a PDF table); None when they do
    not look like an area."""
    area = re.split(r"\s{2,}|\s*\|\s*", area.strip(" |"))[-1]  # the last cell before the grade
    area = re.sub(r"(?<=[a-z])\s?\d{1,2}$", "", _squash(area)).strip(" |:")  # a footnote mark
    if area[:1].islower():
        before = _squash(lines[i - 1]) if i > 0 else ""
        if not before or not _heading_like(before) or len(before) > 100:
            return None
        area = f"{before} {area}"
    after = _squash(lines[i + 1]) if i + 1 < len(lines) else ""
    if (
        after[:1].islower()
        and len(after) <= 60
        and not re.search(r"[.;:!?]$", after)
        and not _grade(after.split(" ")[-1])
    ):
        # PDF text puts the rest of a wrapped area after the row: "... now and in  Good" then
        # "the future".
        area = f"{area} {after}"
    if (
        not 3 <= len(area) <= 150
        or not area[:1].isupper()
        or _NOT_AN_AREA_END.search(area)
        or re.search(r"[.;!?]", area)
        or re.search(r"(?i)\b(?:should|must|we found|will)\b", area)
        or _INLINE.match(area)
    ):
        return None
    return area


def _previous(lines: list[str], i: int) -> tuple[int, str]:
    """The last non-blank line before line i (its index, squashed), or (-1, "")."""
    j = i - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return (j, _squash(lines[j])) if j >= 0 else (-1, "")


def _structured_judgments(lines: list[str]) -> list[tuple[int, str, str]]:
    """Grades set out as such: a grade under its area or question, "Area: Good" lines, table
    rows. (line, area, grade) in the order they stand."""
    found: list[tuple[int, str, str]] = []
    loose: list[tuple[int, str, str]] = []
    question = None
    heading = ""
    for i, line in enumerate(lines):
        text = _squash(line)
        if not text:
            continue
        if _QUESTION.match(line):
            question = _question_area(lines, i)
        j, previous = _previous(lines, i)
        grade = _grade(text)
        if grade:
            if re.match(r"(?i)overall(?: judge?ment| grade| rating)?\b", previous) and (
                len(previous) < 40
            ):
                found.append((i, "Overall", grade))
            elif re.match(r"(?i)summary of findings", previous) and question:
                found.append((i, question, grade))
            elif _LABEL.match(previous) and heading:
                found.append((i, heading, grade))
            elif (
                text[:1].isupper()
                and not text.endswith(".")
                and _heading_like(previous)
                and not _LABEL.match(previous)
                and not re.match(r"(?i)summary of findings", previous)
                and not previous.endswith("?")
                and not _carries_on(lines, j)
            ):
                # A table's cells one to a line: the area, then its grade.
                found.append((i, previous, grade))
            continue
        row = _GRADE_ROW.match(line) if len(line) <= MAX_ROW_CHARS else None
        if row:
            area_words = _squash(row.group("area"))
            grade = cast(str, _grade(row.group("grade")))
            if _LABEL.match(area_words):
                label_area = "Overall" if area_words.lower().startswith("overall") else heading
                if label_area:
                    found.append((i, label_area, grade))
                continue
            row_area = _row_area(lines, i, row.group("area"))
            if row_area:
                found.append((i, row_area, grade))
                continue
        row = _LOOSE_ROW.match(line) if len(line) <= MAX_ROW_CHARS else None
        if row:
            area = _row_area(lines, i, row.group("area"))
            if area:
                grade = cast(str, _grade(row.group("grade")))
                if _area_key(area) in _KNOWN_AREA_KEYS:
                    found.append((i, area, grade))
                else:
                    loose.append((i, area, grade))
                continue
        if _heading_like(text) and not _LABEL.match(text):
            heading = text
    # A loose row counts among others: two within a few lines of each other, or beside a row
    # already taken.
    taken = {i for i, _, _ in found}
    for n, (i, area, grade) in enumerate(loose):
        near = [k for k, _, _ in loose[:n] + loose[n + 1 :]] + list(taken)
        if any(abs(i - k) <= 3 for k in near):
            found.append((i, area, grade))
    return sorted(found)


def _carries_on(lines: list[str], j: int) -> bool:
    """Whether line j carries on a sentence from the line before it (wrapped PDF text)."""
    if j <= 0 or not lines[j - 1].strip():
        return False
    before = _squash(lines[j - 1])
    return len(before) > 60 and not re.search(r"[.?!:]$", before) and not _grade(before)


_GENERIC_HEADING = re.compile(
    r"(?i)^(?:(?:overall |executive |hm inspector['’]s )?summary(?: of findings)?|overview"
    r"|introduction|foreword|(?:our )?judge?ments|(?:main |key )?findings|conclusions?"
    r"|background|about this (?:report|inspection))$"
)


def _sentence_judgments(lines: list[str]) -> list[tuple[int, str, str]]:
    """Grades written in sentences, each with the heading it stands under as its area (or the
    words after "at"). A sentence about "the force" or "the service" counts only first under
    a heading, or about an area HMICFRS grades, for such sentences are common in any report."""
    found: list[tuple[int, str, str]] = []
    heading = ""
    for i, line in enumerate(lines):
        text = _squash(line)
        if not text:
            continue
        if len(text) >= 20:
            # A sentence wrapped over lines of PDF text is read whole.
            paragraph = text
            for following in lines[i + 1 : i + 4]:
                if not following.strip() or paragraph.endswith("."):
                    break
                paragraph = f"{paragraph} {_squash(following)}"
            for pattern in _JUDGMENT_SENTENCES:
                match = pattern.match(paragraph)
                if not match:
                    continue
                area = _squash(match.group("area"))
                area = area[:1].upper() + area[1:]
                generic = match.group("subject").lower().startswith("the ")
                if generic and not heading and _area_key(area) not in _KNOWN_AREA_KEYS:
                    break
                if _GENERIC_HEADING.match(heading):
                    heading = ""  # "Summary" is where a grade is said, not what it is of
                found.append((i, heading or area, cast(str, _grade(match.group("grade")))))
                break
        heading = text if len(text) <= 120 and not _complete(text) else ""
    return found


def _judgments(lines: list[str]) -> list[tuple[str, str]]:
    found = _structured_judgments(lines)
    if len({area.lower() for _, area, _ in found if area != "Overall"}) < 2:
        found = sorted(found + _sentence_judgments(lines))
    unique: list[tuple[str, str]] = []
    for _, area, grade in found:
        if area.lower() not in {a.lower() for a, _ in unique}:
            unique.append((area, grade))
    return unique


_NOT_A_NAME_START = re.compile(
    r"^(?:The|This|That|Our|Each|Every|All|Both|Any|In|At|For|By|On|Of|To|With|From|When|Where|"
    r"While|However|Since|As|And|But|If|Although|A|An|Its|Their|Other|Some|Most|Many) "
)


def _names(pattern: str, text: str) -> Counter:
    names: Counter = Counter()
    for match in re.finditer(rf"\b{pattern}\b", text):
        name = match.group(0)
        while _NOT_A_NAME_START.match(name):
            name = name.split(" ", 1)[1]
        if re.match(r"(?:British Transport|National|Fire and Rescue Service|Fire Brigade)\b",
                    name):
            continue
        if name not in {"Police", "Constabulary"}:
            names[name] += 1
    return names


def _force_and_sector(text: str) -> tuple[str | None, str]:
    """The force or fire and rescue service the report is about, and which it is ("police"
    or "fire"): the one named most often, and fire when services are named more than forces
    (a fire report names a police force it works with now and then, and the reverse)."""
    forces, services = _names(_FORCE, text), _names(_SERVICE, text)
    force_count, service_count = sum(forces.values()), sum(services.values())
    if service_count > force_count or (
        not forces and not services
        and len(re.findall(r"(?i)\bfire and rescue\b", text)) > len(re.findall(r"(?i)\bpolice\b",
                                                                               text))
    ):
        sector, names = "fire", services
    else:
        sector, names = "police", forces
    return (names.most_common(1)[0][0] if names else None), sector


_NOT_TITLE = re.compile(
    r"(?i)^(?:published\b|publication\b|date (?:of )?publication|first published|date published"
    r"|last (?:updated|modified)|updated\b|contents\b|table of contents|skip to|home\b|menu\b"
    r"|search\b|print\b|download|share\b|back to|cookies?\b|accept\b|official\b|©|copyright"
    r"|crown copyright|page \d|isbn|www\.|https?:|his majesty|her majesty|hm inspectorate"
    r"|hmicfrs\b|hmic\b|report type|publication type|type:|tags?:|related\b|jump to|print this"
    r"|on this page|in this section|go to|return to|breadcrumb|you are here)"
)
_SECTION_HEADINGS = re.compile(
    r"(?i)^(?:overall summary|summary|executive summary|foreword|introduction|overview"
    r"|about (?:this|the) (?:report|inspection)|our judge?ments|contents)$"
)
_TITLE_WORDS = re.compile(
    r"(?i)^(?:PEEL\b|.*\binspection of\b|.*\binspection\b.*[:\u2013\u2014-]|.*effectiveness, "
    r"efficiency and people|.*\bfire and rescue (?:service )?inspection|.*\binspection report\b)"
)


_TITLE_GOES_ON = re.compile(
    r"(?i)\b(?:of|the|and|to|into|for|in|on|at|by|how|well|whether|what|with|its|a|an)$"
)


def _title(lines: list[str], force: str | None) -> str | None:
    """The report's title: among its first lines, leaving out a web page's furniture
    (publication date, contents, breadcrumbs, the inspectorate's name), the first that reads
    as a title, or else the first line, joined to those it wraps onto."""
    head = []
    for line in lines[:80]:
        text = _squash(line)
        if (
            not text
            or _NOT_TITLE.match(text)
            or re.search(r"\s[>›»]\s", text)
            or parse_date(text)
            or _PUBLISHED.match(text)
        ):
            continue
        head.append(text)
        if len(head) >= 40:
            break
    for n, line in enumerate(head):
        if len(line) <= 150 and _TITLE_WORDS.match(line) and not re.search(r"[.:;]$|\. ", line):
            title = line
            for following in head[n + 1 : n + 3]:  # "Inspection of how well" / "Eastvale ..."
                if not (_TITLE_GOES_ON.search(title) or following[:1].islower()) or (
                    len(following) > 60 or len(title) + len(following) > 150
                ):
                    break
                title = f"{title} {following}"
            if force and force not in title and " of " not in title:  # "PEEL 2023–2025"
                title = f"{title}: {force}"
            return title
    if not head:
        return None
    body = [line for line in head if not _SECTION_HEADINGS.match(line)] or head
    title = body[0]
    start = head.index(title)
    for line in head[start + 1 : start + 3]:  # a title wrapped over a few lines
        if (
            re.search(r"[.?!:]$", title)
            or len(line) > 60
            or len(title) + len(line) > 150
            or _SECTION_HEADINGS.match(line)
        ):
            break
        title = f"{title} {line}"
    return title[:200]


_PUBLISHED_LABEL = (
    r"(?:date (?:of )?(?:first )?publication|(?:first )?publication date|date (?:first )?published"
    r"|(?:first )?published(?: on)?)"
)
# "Published on: 27 July 2022", "Published: 27/07/2022", "Date of publication – 27 July 2022"
_PUBLISHED = re.compile(
    rf"(?i)^\s*\|?\s*(?:(?:this |the )?(?:report|inspection|document|page|originally) )?"
    rf"{_PUBLISHED_LABEL}\s*[:\u2013\u2014|-]?\s*(?:on\s+)?(?P<date>{_DATE})"
)
_PUBLISHED_INLINE = re.compile(
    rf"(?i)(?:\s{{2,}}|\|\s*|\.\s+){_PUBLISHED_LABEL}\s*[:\u2013\u2014|-]?\s*(?:on\s+)?"
    rf"(?P<date>{_DATE})"
)


def _published_on(lines: list[str]) -> date | None:
    """The publication date: a "Published on: …" line (or "Published: 27/07/2022", "Date of
    publication: …"), else a date on the lines just after a "Published" heading near the top,
    else "This report was published on …" near the top. Dates elsewhere in the text (a plan
    published last year, a previous inspection) are not it."""
    for line in lines:
        match = _PUBLISHED.match(line) or (
            _PUBLISHED_INLINE.search(line) if len(line) <= MAX_ROW_CHARS else None)
        if match and (day := parse_date(match.group("date"))):
            return day
    top = [(i, _squash(line)) for i, line in enumerate(lines[:200]) if line.strip()][:60]
    for n, (_, text) in enumerate(top):
        if re.fullmatch(rf"(?i){_PUBLISHED_LABEL}\s*:?", text):
            for _, following in top[n + 1 : n + 4]:
                found = re.match(_DATE, following, re.IGNORECASE)
                if found and (day := parse_date(found.group(0))):
                    return day
    for _, text in top:
        found = re.search(rf"(?i)\b(?:was|is|were) published on (?P<date>{_DATE})", text)
        if found and (day := parse_date(found.group("date"))):
            return day
    return None


def _kind(text: str, sector: str) -> str:
    if sector == "fire":
        return "Fire and rescue"
    if re.search(r"\bPEEL\b", text):
        return "PEEL"
    return "inspection"


def parse_report(text: str) -> ImportedReport:
    """Everything recognisable in a report's text; never raises, whatever the text."""
    notes: list[str] = []
    text = text if isinstance(text, str) else ""
    lines = _tidy(text, notes)
    tidy = "\n".join(lines)
    if not tidy.strip():
        return ImportedReport(
            title=None,
            force=None,
            kind="inspection",
            published_on=None,
            unrecognised=True,
            notes=notes + ["The report has no text to read."],
            text=tidy,
        )
    force, sector = _force_and_sector(tidy)
    judgments = _judgments(lines)
    report = ImportedReport(
        title=_title(lines, force),
        force=force,
        kind=_kind(tidy, sector),
        published_on=_published_on(lines),
        judgments=judgments,
        findings=_findings(lines, judgments),
        notes=notes,
        text=tidy,
        sector=sector,
    )
    if not report.findings:
        report.notes.append(
            "No causes of concern, recommendations or areas for improvement were recognised; "
            "mark them in the text by hand."
        )
        report.unrecognised = True
    if not report.judgments:
        report.notes.append("No graded judgments were recognised.")
    if report.published_on is None:
        report.notes.append("No publication date was recognised; enter it to set the s55 "
                            "response's due date.")
    return report
