"""Word templates made for the tests: an office's own, with a logo in its header and its own
font and margins, and broken ones."""

import io
import struct
import zlib

import docx
from docx.shared import Cm, Pt

FONT = "Georgia"
SIZE = Pt(12)
LEFT_MARGIN = Cm(3.1)
TOP_MARGIN = Cm(2.7)
LOGO_TEXT = "Anyshire OPCC"


def tiny_png() -> bytes:
    """A 2×2 red PNG, made byte by byte."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def office_template(*, without: tuple[str, ...] = ()) -> bytes:
    """The office's template: Georgia 12 pt, 3.1 cm left margin, a logo and the office's name
    in the header, some sample text (left out of the documents); `without` those styles."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = SIZE
    section = document.sections[0]
    section.left_margin = LEFT_MARGIN
    section.top_margin = TOP_MARGIN
    header = section.header.paragraphs[0]
    header.add_run().add_picture(io.BytesIO(tiny_png()), width=Cm(3))
    header.add_run(LOGO_TEXT)
    document.add_paragraph("Sample text of the template, not for the documents.")
    for name in without:
        element = document.styles[name].element
        element.getparent().remove(element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
