"""What text the record accepts: no control characters, sensible lengths, tidy line ends."""

import re
import unicodedata
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


# Lines of minutes text that start with one of these marks are bullets.
BULLET_MARKS = ("- ", "-\t", "•")


def minutes_lines(text: str | None) -> list[tuple[bool, str]]:
    """Typed text as the minutes read it: (is_bullet, text) for each non-blank line; a line
    starting "- " or "• " is a bullet, shown without its mark."""
    lines: list[tuple[bool, str]] = []
    for line in strip_control(text or "").split("\n"):
        stripped = line.strip()
        if stripped.startswith(BULLET_MARKS):
            item = stripped[1:].strip() if stripped[0] == "•" else stripped[2:].strip()
            if item:
                lines.append((True, item))
        elif stripped:
            lines.append((False, line.rstrip()))
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
