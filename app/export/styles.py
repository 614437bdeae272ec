"""The house style of exported documents, defined once: A4, Arial, black bold headings.

Builders name the styles below (by style id) and never format a run themselves. Text reaches
the XML through `fill_paragraph()`, `text_block()` and `HouseTable`, which strip what XML cannot
hold and append table rows as plain elements, so a document grows in linear time.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple, cast

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_UNDERLINE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.text.paragraph import CT_P
from docx.shared import Cm, Length, Pt, RGBColor, Twips
from docx.styles.style import ParagraphStyle
from lxml import etree

from app.services.text import minutes_lines, minutes_parts, strip_control

FONT = "Arial"
BLACK = RGBColor(0, 0, 0)
PAGE_WIDTH = Cm(21.0)  # A4
PAGE_HEIGHT = Cm(29.7)
MARGIN = Cm(2.0)  # leaves 17 cm for text

# Paragraph style ids. Built-in ones keep Word's ids, so Word and screen readers know them as
# headings and lists; the others are the house's own.
TITLE = "Heading1"
HEADING_1 = "Heading2"  # a top-level agenda item inside the minutes table
HEADING_2 = "Heading3"  # a theme
HEADING_3 = "Heading4"  # a sub-theme: underlined
BULLET = "ListBullet"
NUMBERED = "NumberedLine"  # "1.<tab>text": the typed number hanging, the text indented
TABLE_HEADING = "TableHeading"
ITEM_NUMBER = "ItemNumber"
ACTIONS_ARISING = "ActionsArising"
ACTION_OWNER = "ActionOwner"
ACTION_DETAIL = "ActionDetail"
ACTION_LINE = "ActionLine"  # "Action – NA to send…", written where the action arose
NOTICE = "Notice"
WARNING = "Warning"  # bold words that need attention, e.g. "Paper late": never colour alone
KEEP_WITH_NEXT = "KeepWithNext"  # an empty cell's paragraph in a row that must not end a page
MARKING = "ProtectiveMarking"
FOOTER = "Footer"
RAG = {"red": "RAGRed", "amber": "RAGAmber", "green": "RAGGreen"}  # the word is always shown

# A paragraph to write: its text and its style id (None for Normal).
Para = tuple[str, str | None]


@dataclass(frozen=True)
class CellTable:
    """A table typed into the text of a cell (rows of cells), laid out inside that cell."""

    rows: tuple[tuple[str, ...], ...]
    header: bool = False  # the first row is the table's header row


# What a table cell holds, in order: paragraphs, and tables typed into the text.
Block = Para | CellTable
NUMBER_INDENT = Cm(1.0)  # where a numbered line's text starts, its number hanging before it

_BUILT_IN = {
    TITLE: "Heading 1",
    HEADING_1: "Heading 2",
    HEADING_2: "Heading 3",
    HEADING_3: "Heading 4",
    FOOTER: "Footer",
}
_HOUSE = {
    TABLE_HEADING: "Table Heading",
    NUMBERED: "Numbered Line",
    ITEM_NUMBER: "Item Number",
    ACTIONS_ARISING: "Actions Arising",
    ACTION_OWNER: "Action Owner",
    ACTION_DETAIL: "Action Detail",
    ACTION_LINE: "Action Line",
    NOTICE: "Notice",
    WARNING: "Warning",
    KEEP_WITH_NEXT: "Keep With Next",
    MARKING: "Protective Marking",
    RAG["red"]: "RAG Red",
    RAG["amber"]: "RAG Amber",
    RAG["green"]: "RAG Green",
}
# Light tints, so black text on them keeps its contrast.
_SHADING = {RAG["red"]: "F4CCCC", RAG["amber"]: "FCE5CD", RAG["green"]: "D9EAD3"}


class _Look(NamedTuple):
    """How a style looks; None leaves the template's value."""

    size: float | None = None  # points
    bold: bool | None = None
    italic: bool | None = None
    underline: bool = False
    before: float = 0  # points of space before and after
    after: float = 6
    keep_with_next: bool = False
    centred: bool = False


_HEADING = _Look(size=11, bold=True, italic=False, keep_with_next=True)
_LOOKS = {
    TITLE: _HEADING._replace(size=14, after=12),
    HEADING_1: _HEADING,
    HEADING_2: _HEADING,
    HEADING_3: _HEADING._replace(underline=True),
    TABLE_HEADING: _Look(bold=True),
    NUMBERED: _Look(),
    ITEM_NUMBER: _Look(bold=True, keep_with_next=True),
    ACTIONS_ARISING: _Look(bold=True, keep_with_next=True),
    ACTION_OWNER: _Look(bold=True, after=0),
    ACTION_DETAIL: _Look(after=0),
    ACTION_LINE: _Look(bold=True, before=6, after=0, keep_with_next=True),
    NOTICE: _Look(italic=True),
    WARNING: _Look(bold=True),
    KEEP_WITH_NEXT: _Look(keep_with_next=True),
    MARKING: _Look(bold=True, after=0, centred=True),
    FOOTER: _Look(after=0, centred=True),
    **dict.fromkeys(RAG.values(), _Look(bold=True, after=0)),
}

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _PPR, _PSTYLE, _R, _T, _TAB = (_W + t for t in ("p", "pPr", "pStyle", "r", "t", "tab"))
_TR, _TRPR, _TC, _TCPR, _TCW = (_W + t for t in ("tr", "trPr", "tc", "tcPr", "tcW"))
_TBL = _W + "tbl"
_CELL_MARGIN = 108  # twips left and right inside every cell of a house table
_VAL, _WIDTH, _TYPE = _W + "val", _W + "w", _W + "type"
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"



def clean_text(text: str | None) -> str:
    """Return `text` without the characters a .docx cannot hold, with newlines as "\\n"."""
    return strip_control(text or "")


def one_line(text: str | None) -> str:
    """Return `text` cleaned and on a single line (for titles, names and labels)."""
    return " ".join(clean_text(text).split("\n")).strip()


def text_block(text: str | None, style: str | None = None) -> list[Para]:
    """Split typed text into paragraphs: one per non-blank line, "- " and "• " lines as bullets."""
    return [(line, BULLET if bullet else style) for bullet, line in minutes_lines(text)]


def minutes_text_block(text: str | None) -> list[Block]:
    """Split typed minutes text into what a cell shows: paragraphs, "- " and "• " lines as
    bullets, numbered lines with their number hanging, and "| cell | cell |" rows as tables."""
    blocks: list[Block] = []
    for part in minutes_parts(text):
        if part.kind == "table":
            blocks.append(CellTable(part.rows, part.header))
        elif part.kind == "numbered":
            blocks.append((f"{part.number}\t{part.body}", NUMBERED))
        else:
            blocks.append((part.text, BULLET if part.kind == "bullet" else None))
    return blocks


def item_heading(number: str, level: int, title: str) -> Para:
    """An agenda item's title: top level in capitals, themes in capitals with one colon,
    sub-themes numbered as typed ("1. Partnership Working", underlined by its style)."""
    title = one_line(title)
    if level <= 1:
        return title.upper(), HEADING_1
    if level == 2:
        title = title.upper()
        return (title if title.endswith(":") else f"{title}:"), HEADING_2
    return f"{one_line(number)} {title}".strip(), HEADING_3


def long_date(day: date | None) -> str:
    """28 May 2019: day first and the month in words, so no reader mistakes it."""
    return f"{day.day} {day:%B %Y}" if day else ""


def set_core_properties(
    document: Document, *, title: str, subject: str, language: str, author: str, category: str
) -> None:
    """Set the document's title (read out by screen readers), language, author and marking."""
    props = document.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    props.title = one_line(title)
    props.subject = one_line(subject)
    props.language = language
    props.author = props.last_modified_by = one_line(author)
    props.category = one_line(category)
    props.comments = ""
    props.keywords = ""
    props.revision = 1
    props.created = props.modified = now


# The styles an office's own Word template must have, by Word's id and name: the documents
# name them (the house's own styles are added when the template lacks them).
NEEDED_STYLES = {
    "Normal": ("Normal", WD_STYLE_TYPE.PARAGRAPH),
    TITLE: ("Heading 1", WD_STYLE_TYPE.PARAGRAPH),
    HEADING_1: ("Heading 2", WD_STYLE_TYPE.PARAGRAPH),
    HEADING_2: ("Heading 3", WD_STYLE_TYPE.PARAGRAPH),
    HEADING_3: ("Heading 4", WD_STYLE_TYPE.PARAGRAPH),
    BULLET: ("List Bullet", WD_STYLE_TYPE.PARAGRAPH),
    FOOTER: ("Footer", WD_STYLE_TYPE.PARAGRAPH),
    "TableGrid": ("Table Grid", WD_STYLE_TYPE.TABLE),
}


def missing_styles(document: Document) -> list[str]:
    """The names of the styles the documents need that `document` does not define (by
    Word's style id, which is what the documents' paragraphs name)."""
    styles = document.styles.element
    missing = []
    for style_id, (name, kind) in NEEDED_STYLES.items():
        style = styles.get_by_id(style_id)
        if style is None or style.type != kind:
            missing.append(name)
    return missing


def new_document(
    *, language: str = "en-GB", landscape: bool = False, template: bytes | None = None
) -> Document:
    """Return an empty document: started from the office's own Word `template` (its styles,
    fonts, page set-up, header and footer) when there is one, else in the house style: A4
    (portrait unless `landscape`), Arial."""
    if template is not None:
        return _from_office_template(template, language=language, landscape=landscape)
    document = docx.Document()
    _drop_template_leftovers(document)
    _define_styles(document, language)
    settings = document.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_VAL, language)
    section = document.sections[0]
    if landscape:  # for wide tables: 25.7 cm of text width between the margins
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN
    section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(1.0)
    return document


def set_page_furniture(document: Document, marking: str) -> None:
    """Put `marking` centred in every page's header and footer, and "Page X of Y" in the footer.

    The office's template's own header and footer (a logo, an address) are kept: the marking
    and page numbers are added after what they hold, never over it."""
    section = document.sections[0]
    marking = one_line(marking)
    headers = [section.header]
    footers = [section.footer]
    if section.different_first_page_header_footer:
        headers.append(section.first_page_header)
        footers.append(section.first_page_footer)
    if document.settings.odd_and_even_pages_header_footer:
        headers.append(section.even_page_header)
        footers.append(section.even_page_footer)
    for header in headers:
        fill_paragraph(_free_paragraph(header), marking, MARKING)
    for footer in footers:
        page_p = _free_paragraph(footer)
        fill_paragraph(page_p, "Page ", FOOTER)
        _append_field(page_p, "PAGE", "1")
        _append_run(page_p, " of ")
        _append_field(page_p, "NUMPAGES", "1")
        fill_paragraph(etree.SubElement(footer._element, _P), marking, MARKING)


def _free_paragraph(part) -> CT_P:  # a header or footer
    """The header's (or footer's) one empty paragraph, or a new one after what it holds."""
    element = part._element
    paragraphs = element.findall(_P)
    if len(element) == 1 and len(paragraphs) == 1 and not _has_content(paragraphs[0]):
        return paragraphs[0]
    return cast(CT_P, etree.SubElement(element, _P))


def _has_content(p: etree._Element) -> bool:
    """Whether a paragraph holds anything to see: text, a picture, a field, a tab."""
    return any(child.tag != _PPR for child in p)


def add_body_paragraph(document: Document, text: str, style: str | None = None, *,
                       space_before: float = 0) -> CT_P:
    """Append a paragraph of one line of text to the body (before the section properties).

    `space_before` (points) opens a heading out from the text above it where the same style
    is also used inside table cells, which must stay tight (the minutes' paragraph layout)."""
    p = document.element.body._add_p()
    fill_paragraph(p, one_line(text), style)
    if space_before:
        ppr = p.find(_PPR)
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        spacing = OxmlElement("w:spacing")
        spacing.set(_W + "before", str(int(space_before * 20)))  # twentieths of a point
        # w:spacing follows w:pStyle, w:keepNext and the like in a w:pPr.
        ppr.append(spacing)
    return p


def fill_paragraph(p: CT_P, text: str, style: str | None = None) -> CT_P:
    """Give an (empty) `w:p` its style and text; a tab in the text becomes a Word tab."""
    if style is not None:
        ppr = p.find(_PPR)
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        pstyle = ppr.find(_PSTYLE)
        if pstyle is None:
            pstyle = OxmlElement("w:pStyle")
            ppr.insert(0, pstyle)
        pstyle.set(_VAL, style)
    if text:
        _append_run(p, text)
    return p


class HouseTable:
    """A bordered table of fixed column widths, its rows appended as XML in constant time."""

    def __init__(
        self, document: Document, widths: Sequence[Length], *, caption: str, description: str
    ) -> None:
        widths = _fitted(document, widths)
        table = document.add_table(rows=0, cols=len(widths))
        table.style = document.styles["Table Grid"]
        table.autofit = False  # w:tblLayout fixed: Word takes the widths as given
        tbl = table._tbl
        for grid_col, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = width
        tbl_pr = tbl.tblPr
        tbl_w = tbl_pr.find(qn("w:tblW"))
        tbl_w.set(_TYPE, "dxa")
        tbl_w.set(_WIDTH, str(sum(w.twips for w in widths)))
        look = tbl_pr.find(qn("w:tblLook"))
        margins = parse_xml(
            f"<w:tblCellMar {nsdecls('w')}>"
            f'<w:top w:w="57" w:type="dxa"/><w:left w:w="{_CELL_MARGIN}" w:type="dxa"/>'
            f'<w:bottom w:w="0" w:type="dxa"/><w:right w:w="{_CELL_MARGIN}" w:type="dxa"/>'
            "</w:tblCellMar>"
        )
        look.addprevious(margins)
        for tag, value in (("tblCaption", caption), ("tblDescription", description)):
            etree.SubElement(tbl_pr, _W + tag).set(_VAL, one_line(value))
        self.table = table
        self._tbl = tbl
        self._document = document
        self._widths = [str(w.twips) for w in widths]

    def add_row(
        self,
        columns: Sequence[Iterable[Block]],
        *,
        header: bool = False,
        split: bool = False,
        keep_with_next: bool = False,
    ) -> None:
        """Append a row of paragraphs per column.

        A `header` row is repeated at the top of every page; a row may break across pages
        only if `split` (long text), so an action never parts from its owner and due date.
        Word keeps a row on the page of the next one when all its paragraphs say so: with
        `keep_with_next`, the empty cells do, and the text's own styles must (headings do).
        """
        tr = etree.SubElement(self._tbl, _TR)
        if header or not split:
            tr_pr = etree.SubElement(tr, _TRPR)
            etree.SubElement(tr_pr, _W + "cantSplit")
            if header:
                etree.SubElement(tr_pr, _W + "tblHeader")
        for width, paras in zip(self._widths, columns, strict=True):
            tc = etree.SubElement(tr, _TC)
            tc_w = etree.SubElement(etree.SubElement(tc, _TCPR), _TCW)
            tc_w.set(_WIDTH, width)
            tc_w.set(_TYPE, "dxa")
            empty = True
            for block in paras:
                if isinstance(block, CellTable):
                    if tc[-1].tag == _TBL:  # Word would join two tables that touch
                        etree.SubElement(tc, _P)
                    tc.append(self._cell_table(block, int(width)))
                else:
                    text, style = block
                    fill_paragraph(cast(CT_P, etree.SubElement(tc, _P)), text, style)
                empty = False
            if empty:  # a cell must hold a paragraph
                p = cast(CT_P, etree.SubElement(tc, _P))
                if keep_with_next:
                    fill_paragraph(p, "", KEEP_WITH_NEXT)
            elif tc[-1].tag == _TBL:  # ...and end with one
                etree.SubElement(tc, _P)

    def _cell_table(self, typed: CellTable, cell_width: int) -> etree._Element:
        """A table typed into a cell's text, as a house table filling the cell's width."""
        columns = max(len(row) for row in typed.rows)
        width = Twips((cell_width - 2 * _CELL_MARGIN) // columns)
        table = HouseTable(
            self._document,
            [width] * columns,
            caption="Table",
            description=f"A table in the minutes: {len(typed.rows)} rows of {columns} columns.",
        )
        for i, row in enumerate(typed.rows):
            header = typed.header and i == 0
            style = TABLE_HEADING if header else None
            table.add_row([[(cell, style)] if cell else [] for cell in row],
                          header=header, split=not header)
        return table._tbl  # moved from the end of the body into the cell


def _fitted(document: Document, widths: Sequence[Length]) -> list[Length]:
    """The columns' `widths`, narrowed in proportion when they are wider than the page's text
    (an office's template may have wider margins than the house's 2 cm)."""
    section = document.sections[0]
    page = section.page_width
    if page is None or section.left_margin is None or section.right_margin is None:
        return list(widths)
    text_width = page - section.left_margin - section.right_margin
    total = sum(widths)
    if total <= text_width or text_width <= 0:
        return list(widths)
    return [Twips(w * text_width // total // Twips(1)) for w in widths]  # rounded down


def _append_run(p: etree._Element, text: str) -> None:
    r = etree.SubElement(p, _R)
    for i, part in enumerate(text.split("\t")):
        if i:
            etree.SubElement(r, _TAB)
        if part:
            t = etree.SubElement(r, _T)
            t.text = part
            t.set(_SPACE, "preserve")


def _append_field(p: etree._Element, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, result, end) that Word keeps up to date."""

    def run() -> etree._Element:
        return etree.SubElement(p, _R)

    etree.SubElement(run(), _W + "fldChar").set(_W + "fldCharType", "begin")
    instr = etree.SubElement(run(), _W + "instrText")
    instr.text = f" {instruction} \\* MERGEFORMAT "
    instr.set(_SPACE, "preserve")
    etree.SubElement(run(), _W + "fldChar").set(_W + "fldCharType", "separate")
    etree.SubElement(run(), _T).text = placeholder
    etree.SubElement(run(), _W + "fldChar").set(_W + "fldCharType", "end")


# Parts of python-docx's template that would misdescribe the document: a thumbnail of a blank
# page, Word 2010's second copy of the styles (which Word 2010 may prefer to ours), and an empty
# bibliography.
_LEFTOVERS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml",
)


def _drop_template_leftovers(document: Document) -> None:
    for rels in (document.part.package.rels, document.part.rels):
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in _LEFTOVERS]:
            del rels[r_id]


_OFFICE_LEFTOVERS = _LEFTOVERS[:2]  # the template's custom XML may feed its header's fields


def _from_office_template(template: bytes, *, language: str, landscape: bool) -> Document:
    """An empty document from the office's own template: its styles (the house's own added
    where it has none of that name), page set-up, header and footer; its text left out."""
    document = docx.Document(io.BytesIO(template))
    for rels in (document.part.package.rels, document.part.rels):
        for r_id in [r_id for r_id, rel in rels.items() if rel.reltype in _OFFICE_LEFTOVERS]:
            del rels[r_id]
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    rpr_default = document.styles.element.find(qn("w:docDefaults"))
    if rpr_default is not None and (rpr := rpr_default.find(qn("w:rPrDefault"))) is not None \
            and (rpr_el := rpr.find(qn("w:rPr"))) is not None:
        lang = rpr_el.find(qn("w:lang"))
        if lang is None:
            lang = etree.SubElement(rpr_el, qn("w:lang"))
        lang.set(_VAL, language)
    _add_house_styles(document, only_missing=True)
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    if width is not None and height is not None and (width > height) != landscape:
        section.page_width, section.page_height = height, width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    return document


def _define_styles(document: Document, language: str) -> None:
    styles = document.styles
    root = styles.element
    # Theme fonts (Calibri, Cambria) would override an explicit font: drop them everywhere.
    for fonts in root.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
    defaults = root.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = etree.SubElement(rpr, qn("w:lang"))
    lang.set(_VAL, language)
    lang.set(qn("w:eastAsia"), language)

    normal = cast(ParagraphStyle, styles["Normal"])
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.font.color.rgb = BLACK
    normal_format = normal.paragraph_format
    normal_format.space_before, normal_format.space_after = Pt(0), Pt(6)
    normal_format.line_spacing = 1.0

    for style_id, name in _BUILT_IN.items():
        assert styles[name].style_id == style_id, name  # the template's ids are Word's
    _add_house_styles(document, only_missing=False)
    for style_id, look in _LOOKS.items():
        style = cast(ParagraphStyle, styles[_BUILT_IN.get(style_id) or _HOUSE[style_id]])
        font = style.font
        if look.size is not None:
            font.size = Pt(look.size)
        font.bold, font.italic = look.bold, look.italic
        font.underline = WD_UNDERLINE.SINGLE if look.underline else None
        font.color.rgb = BLACK
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(look.before), Pt(look.after)
        fmt.keep_with_next = look.keep_with_next or None
        if look.centred:
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _shade(document, _SHADING)
    # The footer's centre and right tabs assume US Letter; the house centres the paragraph.
    footer_tabs = styles["Footer"].element.pPr.find(qn("w:tabs"))
    if footer_tabs is not None:
        footer_tabs.getparent().remove(footer_tabs)
    bullet = cast(ParagraphStyle, styles["List Bullet"]).paragraph_format
    bullet.space_after = Pt(6)  # after the list only: the style's contextual spacing
    numbered = cast(ParagraphStyle, styles[_HOUSE[NUMBERED]]).paragraph_format
    numbered.left_indent, numbered.first_line_indent = NUMBER_INDENT, -NUMBER_INDENT
    numbered.tab_stops.add_tab_stop(NUMBER_INDENT)


def _add_house_styles(document: Document, *, only_missing: bool) -> None:
    """Add the house's own paragraph styles, based on Normal; with `only_missing`, those an
    office's template does not define itself, each in the house's look (in the office's
    font: only boldness, spacing and the like are set)."""
    styles = document.styles
    normal = styles["Normal"]
    added = []
    for style_id, name in _HOUSE.items():
        if only_missing and styles.element.get_by_id(style_id) is not None:
            continue
        if only_missing and name in styles:  # same name, another id: rename theirs aside
            styles[name].name = f"{name} (template)"
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        assert style.style_id == style_id, name
        added.append(style_id)
    if not only_missing:
        return
    for style_id in added:
        look = _LOOKS.get(style_id)
        style = cast(ParagraphStyle, styles[_HOUSE[style_id]])
        if look is not None:
            style.font.bold, style.font.italic = look.bold, look.italic
            if look.underline:
                style.font.underline = WD_UNDERLINE.SINGLE
            fmt = style.paragraph_format
            fmt.space_before, fmt.space_after = Pt(look.before), Pt(look.after)
            fmt.keep_with_next = look.keep_with_next or None
            if look.centred:
                fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if NUMBERED in added:
        numbered = cast(ParagraphStyle, styles[_HOUSE[NUMBERED]]).paragraph_format
        numbered.left_indent, numbered.first_line_indent = NUMBER_INDENT, -NUMBER_INDENT
        numbered.tab_stops.add_tab_stop(NUMBER_INDENT)
    _shade(document, {k: v for k, v in _SHADING.items() if k in added})


def _shade(document: Document, fills: dict[str, str]) -> None:
    """Give the RAG styles their light tint."""
    for style_id, fill in fills.items():
        shading = OxmlElement("w:shd", {qn("w:val"): "clear", qn("w:fill"): fill})
        ppr = document.styles[_HOUSE[style_id]].element.get_or_add_pPr()
        spacing = ppr.find(qn("w:spacing"))  # w:shd comes before w:spacing in a w:pPr
        if spacing is not None:
            spacing.addprevious(shading)
        else:
            ppr.append(shading)
