"""The inspection register: HMICFRS reports, the Commissioner's s55 response, and each
finding's owner, due date, statuses and history.

Section 55 of the Police Act 1996: the Commissioner publishes comments on a report within 56
days of its publication. The 56 days count the day of publication, so the response is due 55
days after it (published 14 March 2024: due 8 May 2024).

Secretariat and administrators edit (Perm.edit_record); everyone signed in reads.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.models import Finding, FindingEvent, Inspection, InspectionJudgment, Person, utcnow
from app.services import audit
from app.services.dates import short_date
from app.services.errors import InvalidInput, NotFound
from app.services.inspection_import import deadline_date
from app.services.permissions import Actor, Perm, require
from app.services.text import clean_line

S55_DAYS = 56
WARN_DAYS = 14

KINDS = {
    "cause_of_concern": "Cause of concern",
    "recommendation": "Recommendation",
    "area_for_improvement": "Area for improvement",
}
FORCE_STATUSES = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "complete": "Complete",
    "superseded": "Superseded",
}
OPCC_STATUSES = {
    "not_assessed": "Not assessed",
    "not_satisfied": "Not satisfied",
    "partly_satisfied": "Partly satisfied",
    "satisfied": "Satisfied",
}
DATE_FIELDS = {
    "cc_comments_requested_on": "Chief Constable's comments requested",
    "cc_comments_received_on": "Chief Constable's comments received",
    "response_published_on": "Response published",
    "response_sent_on": "Response sent to HMICFRS and the Home Secretary",
}


def _day(value: date | None) -> str:
    """A date as the history says it: "22 December 2026", or "-" when there is none."""
    return short_date(value) if value else "-"


def s55_due(published_on: date | None) -> date | None:
    """The day the s55 response is due: publication day + 55 (56 days counting that day)."""
    if published_on is None:
        return None
    return published_on + timedelta(days=S55_DAYS - 1)


def days_left(inspection: Inspection, today: date) -> int | None:
    """Days until the s55 response is due (negative: overdue); None without a publication date."""
    due = s55_due(inspection.published_on)
    return None if due is None else (due - today).days


def responded(inspection: Inspection) -> bool:
    return inspection.response_published_on is not None


@dataclass
class DueInspection:
    inspection: Inspection
    due: date
    days_left: int


def inspections_due(session: Session, today: date, within: int = WARN_DAYS
                    ) -> list[DueInspection]:
    """Inspections not yet responded to whose s55 response is due within `within` days (or
    is overdue), soonest first: the dashboard's warning."""
    rows = session.exec(select(Inspection).where(
        col(Inspection.response_published_on).is_(None),
        col(Inspection.published_on).is_not(None))).all()
    due = []
    for inspection in rows:
        left = days_left(inspection, today)
        if left is not None and left <= within:
            due_on = s55_due(inspection.published_on)
            assert due_on is not None  # days left are counted from the publication date
            due.append(DueInspection(inspection, due_on, left))
    return sorted(due, key=lambda d: (d.due, d.inspection.id))


def list_inspections(session: Session) -> list[Inspection]:
    return list(session.exec(select(Inspection).order_by(
        col(Inspection.published_on).desc(), col(Inspection.id).desc())).all())


def get_inspection(session: Session, inspection_id: int) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound("No such inspection.")
    return inspection


def judgments_of(session: Session, inspection_id: int) -> list[InspectionJudgment]:
    return list(session.exec(select(InspectionJudgment).where(
        InspectionJudgment.inspection_id == inspection_id).order_by(
        col(InspectionJudgment.position))).all())


def findings_of(session: Session, inspection_id: int) -> list[Finding]:
    return list(session.exec(select(Finding).where(
        Finding.inspection_id == inspection_id).order_by(col(Finding.position),
                                                         col(Finding.id))).all())


def history_of(session: Session, finding_ids: list[int]) -> dict[int, list[FindingEvent]]:
    history: dict[int, list[FindingEvent]] = {i: [] for i in finding_ids}
    if finding_ids:
        for event in session.exec(select(FindingEvent).where(
                col(FindingEvent.finding_id).in_(finding_ids)).order_by(
                col(FindingEvent.at), col(FindingEvent.id))).all():
            history[event.finding_id].append(event)
    return history


# --- saving an import -----------------------------------------------------------------------


@dataclass
class ReviewedFinding:
    kind: str
    text: str
    number: str = ""
    addressee: str = ""
    deadline_text: str = ""
    source_paragraph: str = ""
    area: str = ""  # the report area it falls under (its grade is that area's judgment)
    theme: str = ""  # the theme it is followed under; empty takes the report's theme


@dataclass
class ReviewedReport:
    """What the officer saves from the review page."""

    title: str
    force: str = ""
    kind: str = ""
    published_on: date | None = None
    theme: str = ""  # every finding's theme, unless one was typed for the finding
    judgments: list[tuple[str, str]] = field(default_factory=list)
    findings: list[ReviewedFinding] = field(default_factory=list)


def check_report(data: ReviewedReport) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Enter the report's title"
    elif len(data.title) > 500:
        errors["title"] = "The title must be 500 characters or fewer"
    for i, finding in enumerate(data.findings):
        if finding.kind not in KINDS:
            errors[f"finding-{i}-kind"] = f"Finding {i + 1}: choose what kind of finding it is"
        if not finding.text.strip():
            errors[f"finding-{i}-text"] = f"Finding {i + 1}: enter the text of the finding"
        for name, label, limit in (("area", "area", 300), ("theme", "theme", 200)):
            problem = _line_problem(getattr(finding, name), limit)
            if problem:
                errors[f"finding-{i}-{name}"] = f"Finding {i + 1}: the {label} {problem}"
    problem = _line_problem(data.theme, 200)
    if problem:
        errors["theme"] = f"The theme {problem}"
    for i, (area, grade) in enumerate(data.judgments):
        if not area.strip() or not grade.strip():
            errors[f"judgment-{i}"] = f"Judgment {i + 1}: enter both the area and the grade"
    return errors


def _line_problem(value: str, limit: int) -> str | None:
    """What is wrong with a one-line field (too long, a control character), or None."""
    if len(value) > limit:
        return f"must be {limit} characters or fewer"
    try:
        clean_line(value)
    except ValueError as exc:
        return str(exc)
    return None


def save_import(session: Session, data: ReviewedReport, *, by: Actor) -> Inspection:
    """Save a reviewed report with its judgments and findings; nothing is saved before this."""
    require(by, Perm.edit_record, "Only the Commissioner's office records inspections.")
    errors = check_report(data)
    if errors:
        raise InvalidInput(errors)
    inspection = Inspection(title=data.title.strip()[:500], force=data.force.strip()[:200],
                            kind=data.kind.strip()[:200], published_on=data.published_on,
                            created_by_id=by.user_id)
    session.add(inspection)
    session.flush()
    assert inspection.id is not None  # set by the flush
    for position, (area, grade) in enumerate(data.judgments):
        session.add(InspectionJudgment(inspection_id=inspection.id, area=area.strip()[:300],
                                       grade=grade.strip()[:100], position=position))
    for position, item in enumerate(data.findings):
        finding = Finding(inspection_id=inspection.id, kind=item.kind,
                          number=item.number.strip()[:20], text=item.text.strip(),
                          addressee=item.addressee.strip()[:300],
                          deadline_text=item.deadline_text.strip()[:300],
                          due_date=deadline_date(item.deadline_text),
                          source_paragraph=item.source_paragraph.strip()[:40],
                          area=clean_line(item.area),
                          theme=clean_line(item.theme) or clean_line(data.theme),
                          position=position)
        session.add(finding)
        session.flush()
        assert finding.id is not None  # set by the flush
        session.add(FindingEvent(finding_id=finding.id, by_user_id=by.user_id,
                                 by_label=by.label[:320], summary="Imported from the report"))
    audit.record(session, by=by, verb="create", object_type="inspection",
                 object_id=inspection.id,
                 summary=f"{inspection.title}: {len(data.findings)} findings")
    session.flush()
    session.refresh(inspection)
    return inspection


# --- changing the register ------------------------------------------------------------------


def update_register_dates(session: Session, inspection_id: int, dates: dict[str, date | None],
                          *, by: Actor, published_on: date | None = None,
                          change_published: bool = False) -> Inspection:
    """Record the s55 dates (comments requested/received, response published/sent)."""
    require(by, Perm.edit_record, "Only the Commissioner's office records inspection dates.")
    inspection = get_inspection(session, inspection_id)
    changes = []
    if change_published and published_on != inspection.published_on:
        changes.append(f"published: {_day(inspection.published_on)} → {_day(published_on)}")
        inspection.published_on = published_on
    for name, value in dates.items():
        if name not in DATE_FIELDS:
            raise InvalidInput({name: "not a date of the register"})
        if getattr(inspection, name) != value:
            changes.append(f"{DATE_FIELDS[name]}: {_day(getattr(inspection, name))} → "
                           f"{_day(value)}")
            setattr(inspection, name, value)
    if changes:
        session.add(inspection)
        audit.record(session, by=by, verb="update", object_type="inspection",
                     object_id=inspection.id, summary="; ".join(changes))
        session.flush()
        session.refresh(inspection)
    return inspection


@dataclass
class FindingChange:
    owner_id: int | None = None
    due_date: date | None = None
    force_status: str = "not_started"
    opcc_status: str = "not_assessed"
    opcc_evidence: str = ""
    # The theme the finding is followed under; None leaves it as it is.
    theme: str | None = None


def update_finding(session: Session, inspection_id: int, finding_id: int,
                   change: FindingChange, *, by: Actor) -> Finding:
    """Change a finding's owner, due date, statuses or evidence; each change is written to its
    history (who, when, what)."""
    require(by, Perm.edit_record, "Only the Commissioner's office updates findings.")
    finding = session.get(Finding, finding_id)
    if finding is None or finding.inspection_id != inspection_id:
        raise NotFound("No such finding.")
    assert finding.id is not None  # loaded from the database
    errors = {}
    if change.force_status not in FORCE_STATUSES:
        errors["force_status"] = "Choose the force's status from the list"
    if change.opcc_status not in OPCC_STATUSES:
        errors["opcc_status"] = "Choose the Commissioner's assessment from the list"
    if change.owner_id is not None and session.get(Person, change.owner_id) is None:
        errors["owner_id"] = "Choose the owner from the list"
    if len(change.opcc_evidence) > 20_000:
        errors["opcc_evidence"] = "The evidence must be 20,000 characters or fewer"
    theme = None if change.theme is None else " ".join(change.theme.split())
    if theme is not None:
        if len(theme) > 200:
            errors["theme"] = "The theme must be 200 characters or fewer"
        elif any(ord(c) < 32 or 127 <= ord(c) < 160 for c in theme):
            errors["theme"] = "The theme must not contain control characters"
    if errors:
        raise InvalidInput(errors)
    said = []
    if change.owner_id != finding.owner_id:
        def name(pid):
            person = session.get(Person, pid) if pid else None
            return person.full_name if person else "nobody"
        said.append(f"owner: {name(finding.owner_id)} → {name(change.owner_id)}")
    if change.due_date != finding.due_date:
        said.append(f"due: {_day(finding.due_date)} → {_day(change.due_date)}")
    if change.force_status != finding.force_status:
        said.append(f"force's status: {FORCE_STATUSES.get(finding.force_status, '-')} → "
                    f"{FORCE_STATUSES[change.force_status]}")
    if change.opcc_status != finding.opcc_status:
        said.append(f"Commissioner's assessment: {OPCC_STATUSES.get(finding.opcc_status, '-')}"
                    f" → {OPCC_STATUSES[change.opcc_status]}")
    if change.opcc_evidence.strip() != finding.opcc_evidence:
        said.append(f"evidence: {change.opcc_evidence.strip()[:500] or '(none)'}")
    if theme is not None and theme != finding.theme:
        said.append(f"theme: {finding.theme or '(none)'} → {theme or '(none)'}")
    if not said:
        return finding
    if theme is not None:
        finding.theme = theme
    finding.owner_id = change.owner_id
    finding.due_date = change.due_date
    finding.force_status = change.force_status
    finding.opcc_status = change.opcc_status
    finding.opcc_evidence = change.opcc_evidence.strip()
    session.add(finding)
    summary = "; ".join(said)
    session.add(FindingEvent(finding_id=finding.id, at=utcnow(), by_user_id=by.user_id,
                             by_label=by.label[:320], summary=summary))
    audit.record(session, by=by, verb="update", object_type="finding", object_id=finding.id,
                 summary=summary)
    session.flush()
    session.refresh(finding)
    return finding
