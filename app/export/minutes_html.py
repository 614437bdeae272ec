"""The published minutes as a web page: the public edition's .docx read back into HTML, so
the page says, word for word and in the same order, what the Word file says.

The generic reader (app/export/docx_preview.py) gives the headings, paragraphs, lists and
tables; the minutes table, three columns on paper (item number | minutes | ACTION), is read
out in reading order instead, as a screen reader and a narrow screen need it: each item's
heading at its agenda level with its number ("2.1 ROADS POLICING:"), its minutes, then the
owners, reference and due date of each action under the action's text.
"""

from __future__ import annotations

import io

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from markupsafe import Markup

from app.export.docx_preview import _blocks, _caption, _is_header, _kind, _lines, _paragraphs
from app.export.minutes_docx import MINUTES_CAPTION

TOP = 1  # the document's title is the page's h1; the agenda's levels follow as h2 to h4


def minutes_html(content: bytes) -> str:
    """The minutes in a .docx as an HTML fragment (every word escaped), for the public page."""
    document = docx.Document(io.BytesIO(content))
    parts: list[Markup] = []
    blocks = list(_blocks(document, document.element.body))
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Table):
            if _caption(block) == MINUTES_CAPTION:
                parts.append(_minutes_table(block))
            else:  # another table (a summary of actions): it scrolls in its own box on a
                # narrow screen, rather than widening the page
                parts.append(Markup(
                    '<div class="assure-table-scroll" tabindex="0" role="region" '
                    'aria-label="{}">{}</div>').format(
                        _caption(block) or "Table", Markup("\n").join(_paragraphs([block], TOP))))
            i += 1
            continue
        # Paragraphs up to the next table, together, so that bullets join into one list.
        run = []
        while i < len(blocks) and not isinstance(blocks[i], Table):
            run.append(blocks[i])
            i += 1
        parts.extend(_paragraphs(run, TOP))
    return str(Markup('<div class="assure-published-minutes">\n{}\n</div>\n').format(
        Markup("\n").join(parts)))


def _cells(table: Table, tr) -> list[_Cell]:
    return [_Cell(tc, table) for tc in tr.tc_lst]


def _minutes_table(table: Table) -> Markup:
    """Row by row: the item's number joins its heading; the ACTION column follows the text
    it belongs to."""
    out: list[Markup] = []
    for tr in table._tbl.tr_lst:
        if _is_header(tr):
            continue  # "Minutes", "ACTION": the column headings of the paper layout
        cells = _cells(table, tr)
        number = " ".join(p.text.strip() for p in cells[0].paragraphs if p.text.strip()) \
            if cells else ""
        middle = list(_blocks(cells[1], cells[1]._tc)) if len(cells) > 1 else []
        if number and middle and isinstance(middle[0], Paragraph) \
                and _kind(middle[0], TOP)[0].startswith("h"):
            tag = _kind(middle[0], TOP)[0]
            out.append(Markup('<{0} class="assure-docx-heading"><span class="assure-item-number">'
                              '{1}</span> {2}</{0}>').format(tag, number,
                                                             _lines(middle[0].text)))
            middle = middle[1:]
        elif number:
            out.append(Markup('<p class="govuk-body assure-docx-strong">{}</p>').format(number))
        out.extend(_paragraphs(middle, TOP))
        for cell in cells[2:]:
            action = _paragraphs(list(_blocks(cell, cell._tc)), TOP)
            if action:
                out.append(Markup('<div class="assure-published-action">{}</div>').format(
                    Markup("").join(action)))
    return Markup("\n").join(out)
