"""A Word document shown as HTML, for previews in a page: headings, paragraphs, bulleted
lists and tables, in order, with every word escaped.

Generic on purpose: it reads what any .docx says (paragraph styles, table header rows), not
what one builder meant, so a preview shows what the download will hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape

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
    names = []
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


def _paragraphs(blocks, top: int) -> list[str]:
    out: list[str] = []
    in_list = False
    for block in blocks:
        if isinstance(block, Table):
            if in_list:
                out.append("</ul>")
                in_list = False
            out.append(_table(block, top))
            continue
        text = block.text
        tag, css = _kind(block, top)
        if tag == "li":
            if not in_list:
                out.append('<ul class="govuk-list govuk-list--bullet">')
                in_list = True
            out.append(f"<li>{_lines(text)}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if not text.strip():
            continue  # Word's spacing paragraphs
        if tag.startswith("h"):
            out.append(f'<{tag} class="assure-docx-heading">{_lines(text)}</{tag}>')
        else:
            out.append(f'<p class="govuk-body{" " + css if css else ""}">{_lines(text)}</p>')
    if in_list:
        out.append("</ul>")
    return out


def _lines(text: str) -> str:
    """Text escaped, its line breaks kept."""
    return "<br>".join(escape(line) for line in text.split("\n"))


def _is_header(tr) -> bool:
    props = tr.trPr
    return props is not None and props.find(qn("w:tblHeader")) is not None


def _caption(table: Table) -> str:
    props = table._tbl.tblPr
    caption = props.find(qn("w:tblCaption")) if props is not None else None
    return caption.get(qn("w:val"), "") if caption is not None else ""


def _table(table: Table, top: int) -> str:
    out = ['<table class="govuk-table assure-docx-table">']
    caption = _caption(table)
    if caption:
        out.append(f'<caption class="govuk-table__caption govuk-visually-hidden">'
                   f"{escape(caption)}</caption>")
    for tr in table._tbl.tr_lst:
        header = _is_header(tr)
        out.append('<tr class="govuk-table__row">')
        for tc in tr.tc_lst:
            cell = _Cell(tc, table)
            span = tc.grid_span
            colspan = f' colspan="{span}"' if span > 1 else ""
            inner = "".join(_paragraphs(_blocks(cell, tc), top))
            if header:
                out.append(f'<th scope="col" class="govuk-table__header"{colspan}>{inner}</th>')
            else:
                out.append(f'<td class="govuk-table__cell"{colspan}>{inner}</td>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def docx_to_html(document: Document, *, top: int = 1) -> Markup:
    """The document's body as HTML; its title (or first-level heading) becomes `<h{top}>`
    and deeper headings follow on, to h6 at most."""
    body = document.element.body
    return Markup("\n".join(_paragraphs(_blocks(document, body), top)))
