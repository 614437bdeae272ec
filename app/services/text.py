"""What text the record accepts: no control characters, sensible lengths, tidy line ends."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_plus

# Control characters (all but tab and line ends), lone surrogates and the non-characters
# U+FFFE and U+FFFF: nothing a person types, and nothing a Word document can hold.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

LINE_MAX = 500
NAME_MAX = 200
TEXT_MAX = 100_000


def _first_control(value: str) -> str | None:
    match = _CONTROL.search(value)
    return None if match is None else f"U+{ord(match.group()):04X}"


def clean_line(value: str) -> str:
    """One line of text: trimmed, no line breaks, no control characters."""
    value = unicodedata.normalize("NFC", value).strip()
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    if "\t" in value:
        value = value.replace("\t", " ")
    bad = _first_control(value)
    if bad:
        raise ValueError(f"contains a control character ({bad}); remove it and send again")
    return value


def clean_text(value: str) -> str:
    """Several paragraphs: line ends made "\\n", trailing spaces kept, no control characters."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    bad = _first_control(value)
    if bad:
        raise ValueError(f"contains a control character ({bad}); remove it and send again")
    return value


def strip_control(value: str) -> str:
    """Drop characters that a document cannot hold (for text that arrived by other routes)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


# Characters that change how a name reads without being seen: C0 and C1 controls, format
# characters (the bidi embeddings, overrides and isolates U+202A-202E and U+2066-2069, the
# marks U+200E/F and U+061C, zero-width spaces and joiners, U+FEFF), lone surrogates, and
# line and paragraph separators. "invoice\u202efdp.exe" shows as "invoiceexe.pdf".
_UNSEEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Cn", "Co"})
# ...with unassigned and private-use code points (U+FFFE), and the letters and marks Unicode
# counts as ignorable because they show as nothing: Hangul fillers, variation selectors, the
# combining grapheme joiner, Khmer and Mongolian invisible vowels and separators.
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0x180B, 0x1810),
     *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)])
# What Windows refuses in a file name (with the controls above and the folder separators).
_NOT_IN_FILE_NAMES = frozenset('"<>:|?*')
FILE_NAME_MAX = 200


def without_unseen(value: str) -> str:
    """The text without controls, direction marks and zero-width characters."""
    return "".join(c for c in value
                   if unicodedata.category(c) not in _UNSEEN and ord(c) not in _IGNORABLE)


def clean_file_name(name: str, *, default_stem: str = "file") -> str:
    """A file's own name fit to keep, show and send: no folders, nothing unseen, nothing
    Windows refuses, at most 200 characters with its extension kept. A name with nothing
    left before its extension gets `default_stem` ("\u202e.pdf" becomes "file.pdf")."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in without_unseen(name) if c not in _NOT_IN_FILE_NAMES)
    name = name.strip().rstrip(". ")  # Windows drops trailing dots and spaces itself
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = stem.lstrip(". ").rstrip() or default_stem
    extension = extension.strip()[:20]
    if not extension:
        return stem[:FILE_NAME_MAX]
    return f"{stem[:FILE_NAME_MAX - len(extension) - 1]}.{extension}"


# Lines of minutes text that start with one of these marks are bullets (U+F0B7 is the bullet
# of Word's Symbol font, as Word puts it in plain text).
BULLET_MARKS = ("- ", "-\t", "•", "\uf0b7")
# A line that starts with a typed number is a numbered line: "1." "1)" "2.1." "a)" "a." "(i)"
# "iv)" "(B)". Capitals followed by a full stop are left out: "J. Campion said" is a name.
_NUMBERED = re.compile(
    r"(\d{1,3}(?:\.\d{1,3})*[.)]|[a-z][.)]|[ivx]{2,6}[.)]|[A-Z]\)|[IVX]{2,6}\)"
    r"|\((?:\d{1,3}|[a-zA-Z]|[ivx]{2,6}|[IVX]{2,6})\))\s+(\S.*)")
# A line "| cell | cell |" is a row of a table; consecutive rows make one table. A row of dashes
# under the first ("| --- | --- |", as in Markdown) makes the first row the header row.
TABLE_EDGE = "|"
_HEADER_RULE = re.compile(r":?-+:?")


@dataclass(frozen=True)
class TextPart:
    """One part of typed minutes text: a paragraph, a bullet, a numbered line or a table."""

    kind: Literal["paragraph", "bullet", "numbered", "table"]
    # The text as typed: a bullet's without its mark, a numbered line's with its number, a
    # table's rows as typed, one per line.
    text: str
    number: str = ""  # a numbered line's number as typed ("1.", "a)", "(iv)")
    body: str = ""  # a numbered line's text after its number
    rows: tuple[tuple[str, ...], ...] = ()  # a table's cells, every row as wide as the widest
    header: bool = False  # whether a table's first row is its header row


def is_table_row(line: str) -> bool:
    """Whether a (stripped) line of minutes text is a row of a table: "| cell | cell |"."""
    return len(line) >= 2 and line[0] == TABLE_EDGE and line[-1] == TABLE_EDGE


def _table(lines: list[str]) -> TextPart:
    rows = [[cell.strip() for cell in line[1:-1].split(TABLE_EDGE)] for line in lines]
    header = len(rows) >= 2 and all(_HEADER_RULE.fullmatch(cell) for cell in rows[1])
    if header:
        del rows[1]
    width = max(len(row) for row in rows)
    return TextPart("table", "\n".join(lines), header=header,
                    rows=tuple(tuple(row + [""] * (width - len(row))) for row in rows))


def minutes_parts(text: str | None) -> list[TextPart]:
    """Typed text as the minutes read it, one part per non-blank line except tables: a line
    starting "- " or "• " is a bullet, one starting with a number ("1.", "a)", "(i)") a
    numbered line, and a run of "| cell | cell |" lines one table."""
    parts: list[TextPart] = []
    table: list[str] = []
    for line in strip_control(text or "").split("\n"):
        stripped = line.strip()
        if is_table_row(stripped):
            table.append(stripped)
            continue
        if table:
            parts.append(_table(table))
            table = []
        if stripped.startswith(BULLET_MARKS):
            item = stripped[2:].strip() if stripped[0] == "-" else stripped[1:].strip()
            if item:
                parts.append(TextPart("bullet", item))
        elif numbered := _NUMBERED.fullmatch(stripped):
            parts.append(TextPart("numbered", stripped, number=numbered.group(1),
                                  body=numbered.group(2)))
        elif stripped:
            parts.append(TextPart("paragraph", line.rstrip()))
    if table:
        parts.append(_table(table))
    return parts


def minutes_lines(text: str | None) -> list[tuple[bool, str]]:
    """Typed text as the minutes read it: (is_bullet, text) for each non-blank line; a line
    starting "- " or "• " is a bullet, shown without its mark (the rows of a table are lines
    as typed)."""
    lines: list[tuple[bool, str]] = []
    for part in minutes_parts(text):
        if part.kind == "table":
            lines += [(False, row) for row in part.text.split("\n")]
        else:
            lines.append((part.kind == "bullet", part.text))
    return lines


# Leading characters that make a spreadsheet read a cell as a formula (OWASP's list on CSV
# injection): the audit log's CSV and the .xlsx exports keep such text as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text, typed into a cell, for a formula."""
    return text.startswith(FORMULA_STARTS)


# Secrets that travel in addresses: an owner's link (/owner/<token>/…) and a calendar feed's
# ?token=…. Anything that writes addresses down (the access log, the audit log) hides them.
HIDDEN = "…"
_OWNER_LINK = re.compile(r"(/owner/)[^/?#\s\"']+")
_QUERY_PARAMETER = re.compile(r"([?&;])([^=&#\s\"']*)=([^&#\s\"']+)")


def _hide_token_parameter(match: re.Match) -> str:
    # The name as the app reads it (%74oken is token too).
    if unquote_plus(match.group(2)).strip().lower() != "token":
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}={HIDDEN}"


def hide_link_secrets(text: str) -> str:
    """The text with the secrets of owner links and calendar feeds replaced by "…"."""
    if "/owner/" not in text and "=" not in text:
        return text
    return _QUERY_PARAMETER.sub(_hide_token_parameter, _OWNER_LINK.sub(rf"\1{HIDDEN}", text))
