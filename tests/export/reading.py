"""Reading an exported minutes .docx back, as python-docx and as a printed PDF see it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

# --- the minutes table ------------------------------------------------------------------------


@dataclass
class Row:
    """A row of the minutes table as a reader sees it."""

    number: str  # the narrow first column
    minutes: list[tuple[str, str]]  # (text, style name) per paragraph of the middle column
    action: list[str]  # the paragraphs of the ACTION column
    header: bool = False  # marked as a header row (w:tblHeader)

    @property
    def texts(self) -> list[str]:
        """The text of each paragraph of the middle column."""
        return [text for text, _style in self.minutes]

    @property
    def heading(self) -> str | None:
        """The item title this row starts with, if it is an item's title row."""
        if self.minutes and self.minutes[0][1].startswith("Heading"):
            return self.minutes[0][0]
        return None


def is_header_row(row) -> bool:
    """Whether a table row is marked to repeat at the top of every page (w:tblHeader)."""
    return bool(row._tr.xpath("./w:trPr/w:tblHeader"))


def rows_of(table: Table) -> list[Row]:
    """Every row of the minutes table, its header row included, blank paragraphs left out."""
    result = []
    for tr in table.rows:
        cells = tr.cells
        assert len(cells) == 3, "the minutes table has three columns"
        result.append(
            Row(
                number=cells[0].text.strip(),
                minutes=[(p.text, p.style.name) for p in cells[1].paragraphs if p.text],
                action=[p.text for p in cells[2].paragraphs if p.text],
                header=is_header_row(tr),
            )
        )
    return result


def index_of(rows: list[Row], heading: str) -> int:
    """The position of the item's title row; fails naming the headings there are."""
    for i, row in enumerate(rows):
        if row.heading == heading:
            return i
    raise AssertionError(f"no item {heading!r} in {[r.heading for r in rows if r.heading]}")


def block(rows: list[Row], heading: str) -> list[Row]:
    """The rows after an item's title row, up to the next item's title row."""
    start = index_of(rows, heading) + 1
    end = next((i for i in range(start, len(rows)) if rows[i].heading), len(rows))
    return rows[start:end]


# --- paragraphs, tables and fields ------------------------------------------------------------


def table_texts(table: Table) -> list[list[str]]:
    """The text of each cell, row by row."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def body_text(document: Document) -> list[str]:
    """Every paragraph of the body, tables included, in document order."""
    paras = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paras += [p.text for p in cell.paragraphs]
    return paras


def furniture_text(document: Document) -> list[str]:
    """Every paragraph of the first section's header, then of its footer."""
    section = document.sections[0]
    return [p.text for p in section.header.paragraphs + section.footer.paragraphs]


def field_codes(element) -> list[str]:
    """The instruction of each field (PAGE, NUMPAGES…) inside an XML element, stripped."""
    return [code.strip() for code in element.xpath(".//w:instrText/text()")]


def cell_paragraphs(cell) -> list[tuple[str, str]]:
    """(text, style name) of each paragraph of a table cell, blank ones left out."""
    return [(p.text, p.style.name) for p in cell.paragraphs if p.text]


def cell_content(cell) -> list[tuple[str, str] | list[list[str]]]:
    """What a table cell shows, in order: (text, style name) of each paragraph, blank ones left
    out, and the cell texts of each table inside it, row by row."""
    return [
        table_texts(block) if isinstance(block, Table) else (block.text, block.style.name)
        for block in cell.iter_inner_content()
        if isinstance(block, Table) or block.text
    ]


def under_heading(document: Document, heading: str) -> list[Paragraph | Table]:
    """The body's paragraphs and tables after the heading reading `heading`, up to the next
    heading, blank paragraphs left out; fails naming the headings there are."""
    content = list(document.iter_inner_content())
    headings = [
        i
        for i, block in enumerate(content)
        if isinstance(block, Paragraph) and block.style.name.startswith("Heading")
    ]
    for n, i in enumerate(headings):
        if content[i].text == heading:
            end = headings[n + 1] if n + 1 < len(headings) else len(content)
            return [b for b in content[i + 1 : end] if isinstance(b, Table) or b.text]
    raise AssertionError(f"no heading {heading!r} in {[content[i].text for i in headings]}")


# --- as a reader prints it: LibreOffice to PDF ------------------------------------------------


def arial_metrics() -> bool:
    """Whether the documents' font, Arial, or one with its metrics (Liberation Sans) is
    installed, so that LibreOffice breaks lines and pages as Word does."""
    matcher = shutil.which("fc-match")
    if matcher is None:
        return False
    found = subprocess.run([matcher, "Arial"], capture_output=True, text=True).stdout
    return "Arial" in found or "Liberation Sans" in found


def pdf_pages(content: bytes, work: Path) -> list[str]:
    """The text of each page of a .docx printed to PDF by LibreOffice (skips without it)."""
    missing = [tool for tool in ("soffice", "pdftotext") if not shutil.which(tool)]
    if missing:
        pytest.skip(
            "rendering the minutes needs LibreOffice (soffice) and poppler-utils (pdftotext); "
            f"not installed: {', '.join(missing)} "
            "(apt-get install libreoffice-writer-nogui poppler-utils)"
        )
    if not arial_metrics():
        pytest.skip(
            "the page layout is checked with Arial's metrics, and no font with them is "
            "installed: LibreOffice would lay the pages out in another font "
            "(apt-get install fonts-liberation)"
        )
    source = work / "minutes.docx"
    source.write_bytes(content)
    converted = subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{work / 'lo-profile'}",  # a private profile
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=240,
    )
    pdf = source.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF: {converted.stdout}{converted.stderr}"
    text = subprocess.run(
        [shutil.which("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    pages = text.split("\f")
    while pages and not pages[-1].strip():  # pdftotext ends every page, the last too, with \f
        pages.pop()
    return pages
