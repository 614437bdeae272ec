"""Everything about a person (a subject access search) as an Excel workbook: one sheet, one
row per mention, the same rows the page lists.

The rows arrive chosen and redacted for the reader (`app.services.subject_access`); this
module only lays them out, with the action log's styles and its guard against formulas.
"""

from __future__ import annotations

from app.export.action_log_xlsx import _one_line, _text
from app.export.register_xlsx import Cell, render_register_xlsx
from app.services.dates import to_london
from app.services.subject_access import Mentions

SHEET = "Mentions"
COLUMNS = (
    ("Date", 12),
    ("Meeting", 30),
    ("Kind", 16),
    ("Where", 30),
    ("How named", 22),
    ("Text", 70),
    ("Exempt", 8),
    ("Link", 24),
)
NO_MENTIONS = "No mentions found in these dates."
_WRAPPED = {"Meeting", "Where", "How named", "Text"}


def render_mentions_xlsx(found: Mentions, *, title: str, marking: str) -> bytes:
    """Return the search's mentions as the bytes of an .xlsx workbook with one sheet."""

    def cells(row) -> list[Cell]:
        return [
            (to_london(row.when).date(), "Log date"),
            (_one_line(row.meeting), "Log text"),
            (row.kind_words, "Log text"),
            (_one_line(row.where), "Log text"),
            (row.how_words, "Log text"),
            (_text(row.text), "Log text"),
            ("Yes" if row.exempt else "No", "Log text"),
            (row.url, "Log text"),
        ]

    return render_register_xlsx(sheet_name=SHEET, columns=COLUMNS, wrapped=_WRAPPED,
                                rows=(cells(row) for row in found.rows), empty=NO_MENTIONS,
                                title=title, marking=marking)
