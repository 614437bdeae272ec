"""Templates: one per page; jinja2-fragments renders a whole page or one of its blocks.

The filters here only format what the services decided: London times, dates in words, how
people are named, and typed text split into paragraphs and bullet lists. They return plain
values, never markup, so autoescaping stays on for everything a user typed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks

from app.config import get_settings
from app.db import answer_refused
from app.models import utcnow
from app.services import assurance
from app.services.common import person_label, person_named, speaker_label
from app.services.dates import short_date, to_london
from app.services.minutes import update_text
from app.services.papers import late_words
from app.services.text import minutes_parts
from app.web.forms import sentence

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
templates = Jinja2Blocks(directory=str(TEMPLATES_DIR))


def compile_all() -> int:
    """Compile every template now rather than on its first page (at startup: see
    app/main.py, settle_memory); how many there are."""
    names = templates.env.list_templates(extensions=["html"])
    for name in names:
        templates.env.get_template(name)
    return len(names)


def london_datetime(value: datetime | None) -> str:
    """A stored (UTC) time as London wall-clock time: "Tue 30 Apr 2019, 10:00"."""
    if value is None:
        return ""
    local = to_london(value)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def london_time(value: datetime | None) -> str:
    """A stored (UTC) time as London clock time with seconds: "10:42:13"."""
    return "" if value is None else f"{to_london(value):%H:%M:%S}"


def day_month_year(value: date | datetime | None) -> str:
    """"28 May 2019"; a stored time is first read in London."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return short_date(value)


@dataclass
class TextBlock:
    """A paragraph (one typed line), a list of consecutive bullet lines, a numbered line or a
    table typed as "| cell | cell |" rows."""

    kind: str  # "paragraph", "bullets", "numbered" or "table"
    text: str = ""  # a paragraph's or numbered line's text; a table's rows as typed
    items: list[str] = field(default_factory=list)
    number: str = ""  # a numbered line's number as typed ("1.", "a)", "(iv)")
    body: str = ""  # a numbered line's text after its number
    rows: tuple[tuple[str, ...], ...] = ()
    header: bool = False  # whether a table's first row is its header row


def text_blocks(text: str | None) -> list[TextBlock]:
    """Typed text as the minutes show it: one paragraph per non-blank line, runs of bullet
    lines as one list each, numbered lines with their number, and tables (the rules the Word
    export follows too)."""
    blocks: list[TextBlock] = []
    for part in minutes_parts(text):
        if part.kind == "bullet":
            if blocks and blocks[-1].kind == "bullets":
                blocks[-1].items.append(part.text)
            else:
                blocks.append(TextBlock(kind="bullets", items=[part.text]))
        elif part.kind == "numbered":
            blocks.append(TextBlock(kind="numbered", text=part.text, number=part.number,
                                    body=part.body))
        elif part.kind == "table":
            blocks.append(TextBlock(kind="table", text=part.text, rows=part.rows,
                                    header=part.header))
        else:
            blocks.append(TextBlock(kind="paragraph", text=part.text.strip()))
    return blocks


templates.env.filters.update(
    london_datetime=london_datetime,
    london_time=london_time,
    day_month_year=day_month_year,
    text_blocks=text_blocks,
    person_label=person_label,
    person_named=person_named,
    speaker_label=speaker_label,
    update_text=update_text,
    # Not Jinja's capitalize, which lowercases the rest and so people's names with it.
    sentence=sentence,
)
templates.env.filters["late_words"] = late_words  # a paper's "Arrived 2 days late"
# A file's size as a download link gives it: "12 KB", rounded up (a small file is "1 KB").
templates.env.filters["kb"] = lambda size: f"{max(1, -(-int(size or 0) // 1024)):,} KB"
# An assurance statement's level in words ("Partially assured") and the class of its tag.
templates.env.filters["assurance_words"] = assurance.level_words
templates.env.filters["assurance_tag"] = lambda level: assurance.LEVEL_TAGS.get(level or "", "")


def session_clock(caller) -> dict | None:
    """What a signed-in page tells its script about the session (static/assure-session.js):
    whose it is, the idle limit and the seconds left, in whole seconds; None when no browser
    session is signed in."""
    ends_at = getattr(caller, "session_ends_at", None)
    if ends_at is None:
        return None
    return {
        "user": caller.actor.user_id,
        "idle_seconds": max(1, round(get_settings().idle_minutes() * 60)),
        "seconds_left": max(0, int((ends_at - utcnow()).total_seconds())),
        "ends_by": caller.session_ends_by,
    }


def render(request: Request, name: str, context: dict, *, status_code: int = 200,
           block: str | None = None):
    """Render a page (or, for htmx, one block of it) with the context every page needs. A
    page answered with an error status (the form again, with what was wrong) is a refusal:
    nothing its request wrote is kept."""
    if status_code >= 400:
        answer_refused(request)
    caller = getattr(request.state, "caller", None)
    office_name = getattr(request.state, "office_name", "")
    values = {
        "request": request,
        "current_user": getattr(request.state, "current_user", None),
        "csrf_token": caller.csrf_token if caller else None,
        "office_name": office_name,
        "session_clock": session_clock(caller),
        **context,
    }
    user = values["current_user"]
    if block is None and status_code < 400 and request.method == "GET" and user is not None:
        # Counted only for a whole page that succeeded, while the request's session is open:
        # never for a fragment, a refusal or an error page (its session is closed by then).
        values.setdefault("nav_waiting", getattr(user, "waiting_count", None))
    kwargs: dict[str, Any] = {"block_name": block} if block else {}
    return templates.TemplateResponse(request, name, values, status_code=status_code, **kwargs)
