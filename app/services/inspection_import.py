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
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import cast

import docx
from pypdf import PdfReader

from app.services import uploads
from app.services.errors import InvalidInput
from app.services.text import clean_file_name

MAX_TEXT_CHARS = 2_000_000  # text beyond this is cut off, with a note
MAX_FILE_BYTES = 50_000_000

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


@dataclass
class ImportedReport:
    """What was read from a report; `unrecognised` means mark the findings by hand."""

    title: str | None
    force: str | None
    kind: str
    published_on: date | None
    judgments: list[tuple[str, str]] = field(default_factory=list)  # (area, grade)
    findings: list[Finding] = field(default_factory=list)
    unrecognised: bool = False
    notes: list[str] = field(default_factory=list)
    text: str = ""


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
        parts = [paragraph.text for paragraph in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append("\t".join(cell.text for cell in row.cells))
    except Exception as exc:  # a damaged zip, missing parts, bad XML
        raise _bad_file("The Word file could not be read; it may be damaged.") from exc
    return "\n".join(parts)


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
    text = text.replace("\t", " ")
    text = _CONTROL.sub("", text)
    lines = [line.rstrip() for line in text.split("\n")]
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
_SHOULD_PARAGRAPH = re.compile(
    r"^(?:The (?:force|constabulary|service)|[A-Z][\w'’ -]{0,40} (?:Police|Constabulary)) should\b"
)
_QUESTION = re.compile(
    r"^\s*(?:overview\s*[\u2013\u2014:-]\s*)?how (?:effective|efficient|legitimate|good) "
    r"(?:is|are) the (?:force|constabulary|service)\b",
    re.IGNORECASE,
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DEADLINE = re.compile(
    rf"\b(with immediate effect|immediately|(?:by|before) (?:the end of )?(?:\d{{1,2}} )?"
    rf"(?:{_MONTHS}) \d{{4}}|by \d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    r"|within (?:\d+|one|two|three|four|six|nine|twelve|eighteen) (?:days|weeks|months|years))",
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
        bullet = _BULLET.match(line)
        if bullet:
            item.add_bullet(bullet.group(1))
        else:
            item.lines.append(line)
        i += 1
    return item, i


def _addressee_and_deadline(text: str) -> tuple[str | None, str | None]:
    deadline_match = _DEADLINE.search(text)
    deadline = deadline_match.group(1) if deadline_match else None
    addressee = None
    at = re.search(r"\bshould\b", text)
    if at:
        before = re.split(r"[,:;]", text[: at.start()])[-1].strip()
        before = _DEADLINE.sub("", before).strip(" ,")
        if 0 < len(before) <= 60:
            addressee = before
    return addressee, deadline


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
            )
        )
    return findings


# --- Judgments and the particulars of the report ------------------------------------------------

_FORCE = r"(?:[A-Z][\w'’&-]*(?: (?:and )?[A-Z][\w'’&-]*){0,4} (?:Police|Constabulary))"
_JUDGMENT_SENTENCES = [
    re.compile(
        rf"^{_FORCE}(?: Service)? (?:is|are) (?P<grade>outstanding|good|adequate|inadequate) "
        r"at (?P<area>[^.]+)\.",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^{_FORCE}(?: Service)? (?P<grade>requires improvement) at (?P<area>[^.]+)\.",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^{_FORCE}(?: Service)?['’]s (?P<area>[^.]{{3,120}}?) (?:is|are) "
        r"(?P<grade>outstanding|good|adequate|inadequate|requires? improvement)\.",
        re.IGNORECASE,
    ),
]


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
        r"(?i)^how \w+ (?:is|are) the (?:force|constabulary|service)\s*(?:at\s+)?", "", question
    )
    area = area.rstrip("?").strip()
    return area[:1].upper() + area[1:] if area else question


def _judgments(lines: list[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    question = None
    previous = ""
    for i, line in enumerate(lines):
        if _QUESTION.match(line):
            question = _question_area(lines, i)
        grade = _grade(line)
        if grade:
            if re.match(r"(?i)overall (?:judge?ment|grade)", previous):
                found.append(("Overall", grade))
            elif re.match(r"(?i)summary of findings", previous) and question:
                found.append((question, grade))
        if line.strip():
            previous = _squash(line)
    if not found:
        heading = ""
        for line in lines:
            text = _squash(line)
            if len(text) < 20:  # too short to be a judgment sentence
                if text:
                    heading = text if not _complete(text) else ""
                continue
            for pattern in _JUDGMENT_SENTENCES:
                match = pattern.match(text)
                if match:
                    area = heading if heading else match.group("area").strip()
                    found.append((area[:1].upper() + area[1:],
                                  cast(str, _grade(match.group("grade")))))  # always a grade
                    break
            if text:
                heading = text if len(text) <= 120 and not _complete(text) else ""
    unique: list[tuple[str, str]] = []
    for area, grade in found:
        if area.lower() not in {a.lower() for a, _ in unique}:
            unique.append((area, grade))
    return unique


def _force(text: str) -> str | None:
    names = Counter(
        match.group(0)
        for match in re.finditer(rf"\b{_FORCE}\b", text)
        if not re.match(r"(?:The|This|Our|British Transport|Each|Every|All)\b", match.group(0))
    )
    return names.most_common(1)[0][0] if names else None


def _title(lines: list[str], force: str | None) -> str | None:
    head = [_squash(line) for line in lines[:60] if line.strip()]
    for line in head:
        if len(line) <= 150 and re.match(r"(?i)^(PEEL\b|.*\binspection of\b)", line):
            title = line
            if force and force not in title:
                title = f"{title}: {force}"
            return title
    if not head:
        return None
    title = head[0]
    for line in head[1:3]:  # a title wrapped over a few lines
        if re.search(r"[.?!:]$", title) or len(line) > 60 or len(title) + len(line) > 150:
            break
        title = f"{title} {line}"
    return title[:200]


def _published_on(text: str) -> date | None:
    match = re.search(
        rf"(?i)\b(?:published|publication date)\s*:?\s*(?:on\s+)?(\d{{1,2}} (?:{_MONTHS}) \d{{4}})",
        text,
    )
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1).title(), "%d %B %Y").date()
    except ValueError:
        return None


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
    force = _force(tidy)
    judgments = _judgments(lines)
    report = ImportedReport(
        title=_title(lines, force),
        force=force,
        kind="PEEL" if re.search(r"\bPEEL\b", tidy) else "inspection",
        published_on=_published_on(tidy),
        judgments=judgments,
        findings=_findings(lines, judgments),
        notes=notes,
        text=tidy,
    )
    if not report.findings:
        report.notes.append(
            "No causes of concern, recommendations or areas for improvement were recognised; "
            "mark them in the text by hand."
        )
        report.unrecognised = True
    if not report.judgments:
        report.notes.append("No graded judgments were recognised.")
    return report
