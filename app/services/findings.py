"""Inspection findings: looking one up, what it is called, and its history.

The rest of what the product does with a finding has a module of its own:
- finding_links.py: a question or an action raised about a finding in one step, and those
  linked to it;
- finding_superseding.py: a finding replaced by a later one;
- finding_story.py: a finding's whole story (its own changes, its questions' answers, its
  actions' updates) for its page;
- finding_meetings.py: the meetings a finding can be raised at, and the findings a meeting's
  HMICFRS item lists.
Importing an inspection and changing a finding's own fields is inspections.py.
"""

from sqlmodel import Session, col, func, select

from app.models import Finding, FindingEvent, Inspection, utcnow
from app.services.errors import NotFound
from app.services.inspections import KINDS
from app.services.permissions import Actor
from app.services.visibility import visible_events

CLOSED_STATUSES = {"complete", "superseded"}


def label_of(finding: Finding) -> str:
    """"Recommendation 4", "Area for improvement" (when it has no number)."""
    kind = KINDS.get(finding.kind, finding.kind.replace("_", " ").capitalize())
    return f"{kind} {finding.number}".strip()


def short_text(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_superseded(finding: Finding) -> bool:
    """Whether a later finding replaces this one (linked, or so marked by the force)."""
    return finding.superseded_by_id is not None or finding.force_status == "superseded"


def describe(session: Session, finding: Finding) -> str:
    """"PEEL 2023 — Recommendation 4: Improve how…" for choosers and history."""
    inspection = session.get(Inspection, finding.inspection_id)
    assert inspection is not None  # inspection_id is a required foreign key
    return f"{inspection.title} — {label_of(finding)}: {short_text(finding.text, 80)}"


def get_finding(session: Session, inspection_id: int, finding_id: int) -> Finding:
    """A finding of this inspection, or NotFound."""
    finding = session.get(Finding, finding_id)
    if finding is None or finding.inspection_id != inspection_id:
        raise NotFound("No such finding.")
    return finding


def load_finding(session: Session, finding_id: int) -> Finding:
    """A finding by its id alone, or NotFound."""
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("No such finding.")
    return finding


def record_event(session: Session, finding: Finding, by: Actor, summary: str, *,
                 question_id: int | None = None, action_id: int | None = None) -> None:
    """A line of the finding's history; one about a question or an action names it, so that
    whoever may not see that question or action does not see the line (visibility.py)."""
    assert finding.id is not None  # a saved finding
    session.add(FindingEvent(finding_id=finding.id, at=utcnow(), by_user_id=by.user_id,
                             by_label=by.label[:320], summary=summary,
                             question_id=question_id, action_id=action_id))


def visible_history(session: Session, history: dict[int, list[FindingEvent]], by: Actor
                    ) -> dict[int, list[FindingEvent]]:
    """Findings' events (inspections.history_of) without those telling of a question or an
    action the reader may not see."""
    shown = {e.id for e in visible_events(
        session, [e for events in history.values() for e in events], by)}
    return {fid: [e for e in events if e.id in shown] for fid, events in history.items()}


# --- themes -------------------------------------------------------------------------------


def findings_on_theme(session: Session, theme: str) -> list[tuple[Finding, Inspection]]:
    """The findings followed under a theme (any case), by inspection, newest first."""
    wanted = theme.strip().lower()
    if not wanted:
        return []
    return [(f, i) for f, i in session.exec(select(Finding, Inspection).join(
        Inspection, col(Inspection.id) == Finding.inspection_id).where(
        func.lower(Finding.theme) == wanted).order_by(
        col(Inspection.published_on).desc(), col(Inspection.id).desc(), col(Finding.position),
        col(Finding.id)))]


def finding_themes(session: Session) -> list[str]:
    names = session.exec(select(Finding.theme).where(Finding.theme != "").distinct())
    return sorted({n.strip() for n in names if n.strip()}, key=str.lower)
