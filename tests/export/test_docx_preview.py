"""A Word document previewed as HTML: its headings, lists and tables in order, nothing of
what was typed able to act as HTML."""

import re

from docx.shared import Cm

from app.export.docx_preview import docx_to_html
from app.export.styles import (
    BULLET,
    HEADING_1,
    TABLE_HEADING,
    TITLE,
    HouseTable,
    add_body_paragraph,
    new_document,
)


def test_headings_lists_and_tables_come_out_in_order_as_html():
    document = new_document()
    add_body_paragraph(document, "Minutes of the Police and Crime Panel", TITLE)
    add_body_paragraph(document, "Date: Tuesday 30 April 2019, 14:00", BULLET)
    add_body_paragraph(document, "Venue: Council Chamber", BULLET)
    table = HouseTable(document, (Cm(2), Cm(15)), caption="Minutes", description="The minutes.")
    table.add_row([[("No.", TABLE_HEADING)], [("Minutes", TABLE_HEADING)]], header=True)
    table.add_row([[("598.", TABLE_HEADING)], [("HOLDING TO ACCOUNT", HEADING_1),
                                               ("Cllr Jones asked the PCC.", None)]])
    add_body_paragraph(document, "Summary of actions", HEADING_1)
    html = str(docx_to_html(document, top=3))
    order = [m.group(0) for m in re.finditer(
        r"<h3[^>]*>Minutes of the Police and Crime Panel</h3>|<ul[^>]*><li>Date: Tuesday 30 "
        r"April 2019, 14:00</li><li>Venue: Council Chamber</li></ul>|<caption[^>]*>Minutes"
        r"</caption>|<th scope=\"col\"[^>]*><p[^>]*>No\.</p></th>|<td[^>]*><h4[^>]*>HOLDING TO "
        r"ACCOUNT</h4><p[^>]*>Cllr Jones asked the PCC\.</p></td>|<h4[^>]*>Summary of actions"
        r"</h4>", html.replace("\n", ""))]
    assert len(order) == 6, html


def test_what_was_typed_is_escaped():
    document = new_document()
    add_body_paragraph(document, "<script>alert('x')</script> & <b>bold</b>", TITLE)
    add_body_paragraph(document, "Tom & Jerry <img src=x onerror=alert(1)>")
    html = str(docx_to_html(document))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<h1" in html
