"""What text the record accepts: no control characters, sensible lengths, tidy line ends."""

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

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
