"""A Word document shown as HTML, for previews in a page: headings, paragraphs, bulleted
lists and tables, in order, with every word escaped.

Generic on purpose: it reads what any .docx says (paragraph styles, table header rows), not
what one builder meant, so a preview shows what the download will hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from markupsafe import Markup

_HEADING = re.compile(r"^heading (\d)$", re.IGNORECASE)


def _blocks(parent, container) -> Iterator[Paragraph | Table]:
    """The paragraphs and tables of a body or a table cell, in document order."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)


def _style_names(paragraph: Paragraph) -> list[str]:
    """The paragraph's style and the styles it is based on, nearest first."""
    names: list[str] = []
    style = paragraph.style
    while style is not None and len(names) < 10:
        names.append(style.name or "")
        style = style.base_style
    return names


def _kind(paragraph: Paragraph, top: int) -> tuple[str, str]:
    """("h3", "") for a heading, ("li", "") for a bullet, ("p", class) otherwise."""
    names = _style_names(paragraph)
    for name in names:
        if name.lower() == "title":
            return f"h{min(top, 6)}", ""
        match = _HEADING.match(name)
        if match:
            return f"h{min(top + int(match[1]) - 1, 6)}", ""
        if name.lower().startswith("list bullet"):
            return "li", ""
    bold = paragraph.runs and all(run.bold for run in paragraph.runs if run.text)
    if not bold:
        style = paragraph.style
        while style is not None and style.font.bold is None:
            style = style.base_style
        bold = bool(style is not None and style.font.bold)
    return "p", "assure-docx-strong" if bold else ""


def _paragraphs(blocks, top: int) -> list[Markup]:
    out: list[Markup] = []
    items: list[Markup] = []  # the bullets of a list being read

    def end_list() -> None:
        if items:
            out.append(Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(
                Markup("").join(items)))
            items.clear()

    for block in blocks:
        if isinstance(block, Table):
            end_list()
            out.append(_table(block, top))
            continue
        text = block.text
        tag, css = _kind(block, top)
        if tag == "li":
            items.append(Markup("<li>{}</li>").format(_lines(text)))
            continue
        end_list()
        if not text.strip():
            continue  # Word's spacing paragraphs
        if tag.startswith("h"):
            out.append(Markup('<{0} class="assure-docx-heading">{1}</{0}>').format(
                tag, _lines(text)))
        else:
            out.append(Markup('<p class="govuk-body{}">{}</p>').format(
                " " + css if css else "", _lines(text)))
    end_list()
    return out


def _lines(text: str) -> Markup:
    """Text escaped, its line breaks kept."""
    return Markup("<br>").join(text.split("\n"))


def _is_header(tr) -> bool:
    props = tr.trPr
    return props is not None and props.find(qn("w:tblHeader")) is not None


def _caption(table: Table) -> str:
    props = table._tbl.tblPr
    caption = props.find(qn("w:tblCaption")) if props is not None else None
    return caption.get(qn("w:val"), "") if caption is not None else ""


def _table(table: Table, top: int) -> Markup:
    rows: list[Markup] = []
    for tr in table._tbl.tr_lst:
        header = _is_header(tr)
        cells: list[Markup] = []
        for tc in tr.tc_lst:
            inner = Markup("").join(_paragraphs(_blocks(_Cell(tc, table), tc), top))
            span = tc.grid_span
            if header:
                cell = Markup('<th scope="col" class="govuk-table__header"{}>{}</th>')
            else:
                cell = Markup('<td class="govuk-table__cell"{}>{}</td>')
            cells.append(cell.format(Markup(' colspan="{}"').format(span) if span > 1 else "",
                                     inner))
        rows.append(Markup('<tr class="govuk-table__row">{}</tr>').format(Markup("").join(cells)))
    caption = _caption(table)
    return Markup('<table class="govuk-table assure-docx-table">{}{}</table>').format(
        Markup('<caption class="govuk-table__caption govuk-visually-hidden">{}</caption>')
        .format(caption) if caption else "",
        Markup("").join(rows))


def docx_to_html(document: Document, *, top: int = 1) -> Markup:
    """The document's body as HTML, every word escaped; its title (or first-level heading)
    becomes `<h{top}>` and deeper headings follow on, to h6 at most."""
    return Markup("\n").join(_paragraphs(_blocks(document, document.element.body), top))
