"""The chair's preparation for a meeting: each agenda item with its papers and questions, what
the force last said on each theme, the actions still open, and the documents to send.

It reads what it shows, in the same 15 statements however long the record (issue 17;
bench/bench_bounded.py): the meeting and its series; its agenda tree; the items' papers; the
people; the meeting's questions; the meetings they were carried from; the newest earlier
answer on each of their themes (one windowed query); the actions still open from earlier
meetings, counted by the database and the oldest CARRIED_SHOWN of them read with their owners,
latest update, latest change of status and exempt items; the findings followed under the
inspection item."""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from app.db import SessionDep
from app.models import Answer, Meeting, Paper, Person, Question, QuestionStatus
from app.services import actions, agenda, meeting_papers, meetings, people
from app.services import questions as question_service
from app.services.agenda import ItemNode
from app.services.finding_meetings import findings_by_item
from app.services.papers import is_late, papers_of
from app.services.permissions import Perm, require
from app.services.stages import stage_of
from app.web.deps import IdPath, PageCaller
from app.web.forms import meeting_label
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# The actions still open shown here, oldest reference first; the rest are in the action log.
CARRIED_SHOWN = 100
FORBIDDEN = "Only the Commissioner's office prepares for a meeting (admin, secretariat, chair)."


@dataclass
class LastSaid:
    """The latest answer on a theme from an earlier meeting."""

    theme: str
    question: Question
    answer: Answer
    respondent: Person | None
    meeting: Meeting
    meeting_title: str


@dataclass
class PreparedQuestion:
    question: Question
    status_words: str
    asked_by: Person | None
    addressed_to: Person | None


@dataclass
class PreparedItem:
    node: ItemNode
    presenter: Person | None
    purpose: str
    papers: list[Paper]
    late: bool
    questions: list[PreparedQuestion] = field(default_factory=list)
    last_said: list[LastSaid] = field(default_factory=list)
    themes_unanswered: list[str] = field(default_factory=list)


def _last_said(latest: question_service.LatestAnswer, theme: str,
               by_id: dict) -> LastSaid:
    return LastSaid(theme=theme, question=latest.question, answer=latest.answer,
                    respondent=by_id.get(latest.answer.respondent_id), meeting=latest.meeting,
                    meeting_title=meeting_label(latest.meeting, latest.meeting_type))


@router.get("/meetings/{meeting_id}/prepare")
def prepare_page(
    meeting_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
    sent: Annotated[str, Query(max_length=6)] = "",
):
    actor = caller.actor
    require(actor, Perm.see_exempt, FORBIDDEN)
    meeting = meetings.get_meeting(session, meeting_id)
    assert meeting.id is not None  # loaded from the database
    meeting_type = meetings.meeting_type_of(session, meeting)
    nodes = agenda.flatten(agenda.agenda_tree(session, meeting.id))
    papers = papers_of(session, [n.item.id for n in nodes])
    by_id = {p.id: p for p in people.list_people(session)}
    found = [q for q in question_service.questions_at(session, meeting=meeting, by=actor)
             if q.status != QuestionStatus.withdrawn]
    # Only the meetings the page names, and the newest earlier answer on each of its themes,
    # each in one query: the page reads as much after ten years as after one (issue 17).
    named = meetings.meetings_by_id(session, {q.carried_from_meeting_id for q in found})
    titles: dict[int | None, str] = {i: meeting_label(m, t) for i, (m, t) in named.items()}
    on_agenda = {n.item.id for n in nodes}
    by_item: dict[int | None, list[Question]] = {}
    carried_in: list[Question] = []
    for question in found:
        if question.carried_from_meeting_id is not None:
            carried_in.append(question)
        else:
            key = question.item_id if question.item_id in on_agenda else None
            by_item.setdefault(key, []).append(question)
    latest = question_service.latest_answers_before(
        session, themes=[q.theme for q in found if q.carried_from_meeting_id is None],
        meeting=meeting, by=actor)

    def prepared(question: Question) -> PreparedQuestion:
        return PreparedQuestion(
            question=question,
            status_words=question_service.STATUS_WORDS[QuestionStatus(question.status)],
            asked_by=by_id.get(question.asked_by_id),
            addressed_to=by_id.get(question.addressed_to_id))

    items = []
    for node in nodes:
        item = node.item
        entry = PreparedItem(
            node=node, presenter=by_id.get(item.presenter_id),
            purpose=meeting_papers.PURPOSES.get(item.purpose or "", ""),
            papers=papers[item.id], late=is_late(item, papers[item.id]),
            questions=[prepared(q) for q in by_item.get(item.id, [])])
        seen: set[str] = set()
        for question in by_item.get(item.id, []):
            theme = question.theme.strip()
            if not theme or theme.lower() in seen:
                continue
            seen.add(theme.lower())
            if (newest := latest.get(theme.lower())) is not None:
                entry.last_said.append(_last_said(newest, theme, by_id))
            else:
                entry.themes_unanswered.append(theme)
        items.append(entry)
    counts = {status: sum(1 for q in found if q.status == status) for status in QuestionStatus}
    # What "send the pack" marks as sent: the ready, and those carried forward to this meeting.
    counts[QuestionStatus.ready] += counts[QuestionStatus.carried_forward]
    notice = ""
    if sent.isdigit():
        notice = (f"{sent} question{' was' if sent == '1' else 's were'} marked as sent to the "
                  "force." if sent != "0" else
                  "No questions were ready, so none were marked as sent to the force.")
    return render(request, "prepare.html", {
        "page_title": f"Prepare: {meeting_label(meeting, meeting_type)}",
        "meeting": meeting,
        "title": meeting_label(meeting, meeting_type),
        "series": meeting_type,
        "items": items,
        "loose": [prepared(q) for q in by_item.get(None, [])],
        "carried_questions": [(prepared(q), titles.get(q.carried_from_meeting_id, ""))
                              for q in carried_in],
        "counts": counts,
        "late_count": sum(1 for i in items if i.late),
        "carried": actions.carried_forward(session, meeting, limit=CARRIED_SHOWN),
        "carried_total": actions.count_carried_forward(session, meeting),
        "carried_shown": CARRIED_SHOWN,
        "findings": findings_by_item(session, meeting, [n.item.id for n in nodes],
                                     by=actor),
        "can_write": actor.can(Perm.write_questions),
        "can_edit_agenda": actor.can(Perm.edit_record),
        "stage_view": stage_of(meeting, actor),
        "notice": notice,
    })


@router.post("/meetings/{meeting_id}/prepare/send")
def send_pack(meeting_id: IdPath, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.see_exempt, FORBIDDEN)
    count = meeting_papers.mark_pack_sent(session, meeting_id=meeting_id, by=caller.actor)
    return RedirectResponse(f"/meetings/{meeting_id}/prepare?sent={count}", status_code=303)
