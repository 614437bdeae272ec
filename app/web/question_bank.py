"""The question bank: the Commissioner's questions listed and filtered, and what was asked
before on a theme (with the inspection findings followed under it).

Drafting and changing a question is question_form.py; one question's page (its steps, answers
and screening) is question_page.py. The rules are app.services.questions'.
"""

from dataclasses import dataclass
from typing import Annotated, cast
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from sqlmodel import col, select

from app.db import SessionDep
from app.models import (
    AgendaItem,
    Person,
    Question,
    QuestionSource,
    QuestionStatus,
    Screening,
)
from app.schemas import MAX_ID
from app.services import agenda, assurance, findings, meetings, people
from app.services import questions as service
from app.services.errors import NotFound
from app.services.inspections import FORCE_STATUSES, OPCC_STATUSES
from app.services.meeting_papers import SOURCES
from app.services.permissions import Perm
from app.web import paged
from app.web.deps import PageCaller
from app.web.forms import meeting_label
from app.web.templating import render

# The questions a theme's page shows at a time, the latest meeting first.
THEME_PAGE_SIZE = 50
router = APIRouter(include_in_schema=False)

S = QuestionStatus

SCREENING_WORDS: dict[str, str] = {
    Screening.pending: "Awaiting screening",
    Screening.accepted: "Accepted",
    Screening.declined: "Declined",
}


@dataclass
class Row:
    """A question as the bank's table shows it."""

    question: Question
    asked_by: Person | None
    addressed_to: Person | None
    meeting_id: int | None
    meeting_title: str
    item_number: str
    item_title: str
    status_words: str
    source_words: str
    screening_words: str


def _numbers(session, meeting_ids) -> dict[int | None, tuple[str, str]]:
    """Every item of these meetings: id → (number, title); one query for them all."""
    if not meeting_ids:
        return {}
    by_meeting: dict[int, list[AgendaItem]] = {}
    for item in session.exec(select(AgendaItem).where(
            col(AgendaItem.meeting_id).in_(meeting_ids))):
        by_meeting.setdefault(item.meeting_id, []).append(item)
    return {node.item.id: (node.number, node.item.title)
            for items in by_meeting.values()
            for node in agenda.flatten(agenda.build_tree(items))}


def _rows(session, found: list[Question]) -> list[Row]:
    """The page's questions as the table shows them: a query each for their people,
    meetings and items, however many rows."""
    wanted = {i for q in found for i in (q.asked_by_id, q.addressed_to_id) if i}
    everyone = ({p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(wanted)))}
                if wanted else {})
    meeting_ids = {q.meeting_id for q in found if q.meeting_id}
    titles = {i: meeting_label(m, t)
              for i, (m, t) in meetings.meetings_by_id(session, meeting_ids).items()}
    numbers = _numbers(session, meeting_ids)
    rows = []
    for q in found:
        number, item_title = numbers.get(q.item_id, ("", "")) if q.item_id else ("", "")
        rows.append(Row(
            question=q,
            asked_by=everyone.get(q.asked_by_id),
            addressed_to=everyone.get(q.addressed_to_id),
            meeting_id=q.meeting_id,
            meeting_title=titles.get(q.meeting_id, "") if q.meeting_id else "",
            item_number=number,
            item_title=item_title,
            status_words=service.STATUS_WORDS[S(q.status)],
            source_words=SOURCES.get(cast(QuestionSource, q.source), str(q.source)),
            screening_words=SCREENING_WORDS.get(q.screening or Screening.pending, "")
            if q.source == QuestionSource.public else "",
        ))
    return rows


@router.get("/questions")
def questions_page(
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    theme: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=30)] = "",
    source: Annotated[str, Query(max_length=30)] = "",
    meeting: Annotated[str, Query(max_length=12)] = "",
):
    actor = caller.actor
    status_value = S(status) if status in S.__members__ else None
    source_value = QuestionSource(source) if source in QuestionSource.__members__ else None
    meeting_id = int(meeting) if meeting.isdigit() and 0 < int(meeting) <= MAX_ID else None
    chosen_theme = theme.strip()
    wanted = paged.asked(request.query_params, size=service.BANK_PAGE_SIZE)
    found = service.bank_page(session, by=actor, theme=chosen_theme or None,
                              status=status_value, source=source_value, meeting_id=meeting_id,
                              limit=wanted.limit, after=wanted.after, before=wanted.before,
                              most=paged.MOST)
    meeting_options = [
        (str(m.id), meeting_label(m, t))
        for m, t in sorted(meetings.meetings_by_id(session, found.meeting_ids).values(),
                           key=lambda pair: pair[0].starts_at, reverse=True)
    ]
    selected = {"theme": chosen_theme, "status": status_value.value if status_value else "",
                "source": source_value.value if source_value else "",
                "meeting": str(meeting_id) if meeting_id else ""}
    links = paged.links("/questions", selected, found.page, wanted,
                        size=service.BANK_PAGE_SIZE)
    return render(request, "questions.html", {
        "page_title": "Questions",
        "rows": _rows(session, found.questions),
        "total": found.total,
        "previous_link": links.previous,
        "next_link": links.next,
        "themes": found.themes,
        "statuses": [(s.value, service.STATUS_WORDS[s].capitalize()) for s in S],
        "sources": [(s.value, words) for s, words in SOURCES.items()],
        "meeting_options": meeting_options,
        "selected": selected,
        "can_write": actor.can(Perm.write_questions),
    })


@router.get("/questions/themes/{theme:path}")
def theme_page(theme: str, request: Request, session: SessionDep, caller: PageCaller,
               page: Annotated[str, Query(max_length=12)] = "1",
               asked: Annotated[str, Query(max_length=12)] = "1"):
    """What was asked on a theme, a page of THEME_PAGE_SIZE questions at a time, with the
    findings followed under it and a page of its assurance statements. Its queries, however
    long the record: the questions the reader may see counted and one page of them read
    (visibility in SQL), their answers, the meetings and people they name, the findings on
    the theme and the assurance statements' count and page."""
    total = service.count_theme_history(session, theme=theme[:200], by=caller.actor)
    asked_pages = max(1, -(-total // THEME_PAGE_SIZE))
    asked_page = min(int(asked), asked_pages) if asked.isdigit() and 0 < len(asked) < 7 \
        and int(asked) > 0 else 1
    history = service.theme_history(session, theme=theme[:200], by=caller.actor,
                                    limit=THEME_PAGE_SIZE,
                                    offset=(asked_page - 1) * THEME_PAGE_SIZE)
    on_theme = findings.findings_on_theme(session, theme[:200])
    number = int(page) if page.isdigit() and len(page) < 7 else 1  # a page past the end: the last
    assured = assurance.theme_assurance(session, theme=theme[:200], by=caller.actor,
                                        page=number)
    if not total and not on_theme and not assured.total:
        raise NotFound("No question you can see has been asked on this theme, no inspection "
                       "finding is followed under it, and no assurance statement was minuted "
                       "on it.")
    everyone = {p.id: p for p in people.list_people(session)}
    titles = {i: (meeting_label(m, t), m) for i, (m, t) in meetings.meetings_by_id(
        session, {a.meeting.id for a in history if a.meeting}).items()}
    groups: list[dict] = []
    for before in history:
        key = before.meeting.id if before.meeting else None
        if not groups or groups[-1]["meeting_id"] != key:
            groups.append({"meeting_id": key, "meeting": before.meeting,
                           "title": titles[key][0] if key in titles else "", "questions": []})
        groups[-1]["questions"].append({
            "question": before.question,
            "status_words": service.STATUS_WORDS[S(before.question.status)],
            "asked_by": everyone.get(before.question.asked_by_id),
            "addressed_to": everyone.get(before.question.addressed_to_id),
            "answers": [(a, everyone.get(a.respondent_id)) for a in before.answers],
        })
    # Questions not yet on a meeting come last, whatever order the database gives nulls.
    groups.sort(key=lambda g: g["meeting_id"] is None)
    name = (history[0].question.theme.strip() if history
            else on_theme[0][0].theme.strip() if on_theme else theme.strip()) or theme

    def page_link(to: int) -> str:
        asked_now = f"&asked={asked_page}" if asked_page > 1 else ""
        return f"/questions/themes/{quote(name)}?page={to}{asked_now}#assurance"

    def asked_link(to: int) -> str:
        return f"/questions/themes/{quote(name)}?page={assured.page}&asked={to}#asked"

    return render(request, "theme.html", {
        "page_title": f"Asked before: {name}", "theme": name, "groups": groups,
        "count": total, "can_write": caller.actor.can(Perm.write_questions),
        "asked_page": asked_page, "asked_pages": asked_pages,
        "asked_previous": asked_link(asked_page - 1) if asked_page > 1 else None,
        "asked_next": asked_link(asked_page + 1) if asked_page < asked_pages else None,
        "assured": assured,
        "assured_previous": page_link(assured.page - 1) if assured.page > 1 else None,
        "assured_next": page_link(assured.page + 1) if assured.page < assured.pages else None,
        "findings": [{"finding": f, "inspection": i, "label": findings.label_of(f),
                      "superseded": findings.is_superseded(f),
                      "force_status": FORCE_STATUSES.get(f.force_status, f.force_status),
                      "opcc_status": OPCC_STATUSES.get(f.opcc_status, f.opcc_status)}
                     for f, i in on_theme]})
