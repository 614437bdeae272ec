"""The findings dashboard and the Police and Crime Panel's report: every inspection's findings
counted by the force's status, the Commissioner's assessment, grade and area, and listed.

A finding's grade is the grade its inspection gave the area it falls under (the judgment whose
area matches the finding's, ignoring case); "Not graded" otherwise. Superseded findings (replaced
by a later one, or marked superseded by the force) are counted on their own and left out of the
other counts, so the Panel sees what is still to be done. A finding is overdue when its due date
has passed and the force has not completed it.

Everyone signed in reads the register, so the dashboard and its exports need no permission; the
exports are audited. The .docx and .xlsx builders in app/export/ receive a PanelReport and only
lay it out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy import and_, func, not_, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.models import Finding, Inspection, InspectionJudgment, Person
from app.services import audit
from app.services.dates import short_date
from app.services.errors import InvalidInput
from app.services.findings import is_superseded
from app.services.inspections import FORCE_STATUSES, KINDS, OPCC_STATUSES
from app.services.office import get_office
from app.services.paging import SortKey, keyset_page
from app.services.permissions import Actor

NOT_GRADED = "Not graded"
NO_AREA = "No area given"
SUPERSEDED = "superseded"
# Grades from best to worst, as HMICFRS orders them; any other words come after, then none.
GRADE_ORDER = ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
PANEL_TITLE = "HMICFRS findings – report to the Police and Crime Panel"
PAGE_SIZE = 50  # findings on a page of the dashboard's list


@dataclass
class DashboardFilters:
    """What the dashboard shows; None (or False) leaves a filter off."""

    inspection_id: int | None = None
    kind: str | None = None  # a key of KINDS
    status: str | None = None  # the force's status: a key of FORCE_STATUSES
    assessment: str | None = None  # the Commissioner's: a key of OPCC_STATUSES
    overdue: bool = False


FILTER_PARAMS = ("inspection", "kind", "status", "assessment", "overdue")


def read_filters(params: dict[str, str]) -> DashboardFilters:
    """Filters from a query string's values; InvalidInput names each one that is not valid."""
    errors: dict[str, str] = {}
    filters = DashboardFilters()
    inspection = params.get("inspection", "").strip()
    if inspection:
        if inspection.isdigit() and 0 < int(inspection) < 2**31:
            filters.inspection_id = int(inspection)
        else:
            errors["inspection"] = "Choose an inspection from the list"
    for name, attribute, choices, words in (
        ("kind", "kind", KINDS, "kind of finding"),
        ("status", "status", FORCE_STATUSES, "force's status"),
        ("assessment", "assessment", OPCC_STATUSES, "Commissioner's assessment"),
    ):
        value = params.get(name, "").strip()
        if value:
            if value in choices:
                setattr(filters, attribute, value)
            else:
                errors[name] = f"Choose the {words} from the list"
    overdue = params.get("overdue", "").strip()
    if overdue not in ("", "0", "1", "yes", "no"):
        errors["overdue"] = "Overdue is either yes or no"
    filters.overdue = overdue in ("1", "yes")
    if errors:
        raise InvalidInput(errors, "; ".join(errors.values()))
    return filters


@dataclass
class FindingRow:
    """One finding as the dashboard and the Panel's report show it."""

    finding: Finding
    inspection: Inspection
    kind: str  # in words: "Recommendation"
    label: str  # "Recommendation 4", or "Area for improvement" without a number
    area: str  # the finding's area, or NO_AREA
    grade: str  # its area's grade, or NOT_GRADED
    owner: str  # the owner's name, or ""
    force_status: str  # in words
    assessment: str  # in words
    superseded: bool
    overdue_days: int | None  # days past its due date while not complete; None if not overdue
    due_words: str  # "Overdue by 3 days", "Due today", "Due in 5 days", "Complete", ""


@dataclass
class Counts:
    """The figures of the findings some filters choose, counted by the database."""

    by_status: list[tuple[str, int]]  # (the force's status in words, count), superseded apart
    by_assessment: list[tuple[str, int]]
    by_grade: list[tuple[str, int]]
    by_area: list[tuple[str, int]]
    current: int  # findings counted above (not superseded)
    superseded: int
    overdue: int


@dataclass
class Dashboard(Counts):
    """The counts of the findings some filters choose, and a page of them."""

    rows: list[FindingRow] = field(default_factory=list)  # one page
    inspections: list[Inspection] = field(default_factory=list)  # every one, for the filter
    next_cursor: str | None = None  # where the next page starts, when there is one

    @property
    def by_inspection(self) -> list[tuple[Inspection, list[FindingRow]]]:
        """The rows in groups of one inspection each, in the rows' order."""
        groups: list[tuple[Inspection, list[FindingRow]]] = []
        for row in self.rows:
            if not groups or groups[-1][0].id != row.inspection.id:
                groups.append((row.inspection, []))
            groups[-1][1].append(row)
        return groups


def _due_words(finding: Finding, superseded: bool, today: date) -> tuple[int | None, str]:
    if superseded:
        return None, "Superseded"
    if finding.force_status == "complete":
        return None, "Complete"
    if finding.due_date is None:
        return None, ""
    days = (finding.due_date - today).days
    if days < 0:
        return -days, f"Overdue by {-days} day{'' if days == -1 else 's'}"
    if days == 0:
        return None, "Due today"
    return None, f"Due in {days} day{'' if days == 1 else 's'}"


def _grade_key(grade: str) -> tuple[int, str]:
    if grade in GRADE_ORDER:
        return GRADE_ORDER.index(grade), grade
    return (len(GRADE_ORDER) + (1 if grade == NOT_GRADED else 0)), grade.lower()


# The rules above as SQL, so that the database counts and chooses (issue 17).
_SUPERSEDED = or_(col(Finding.superseded_by_id).is_not(None),
                  col(Finding.force_status) == SUPERSEDED)


def _overdue(today: date) -> ColumnElement[bool]:
    """Overdue: a due date passed, not complete and not superseded."""
    return and_(not_(_SUPERSEDED), col(Finding.force_status) != "complete",
                col(Finding.due_date).is_not(None), col(Finding.due_date) < today)


def _graded(conditions: list[ColumnElement[bool]]):
    """Each (inspection, area) of the findings chosen, with the id of the judgment the area
    matches (the inspection's first, ignoring case and the spaces around; none when the finding
    has no area). Matched once a pair rather than once a finding, and materialised, so the
    counts read each finding once."""
    judgment = aliased(InspectionJudgment)
    pairs = (sa.select(col(Finding.inspection_id).label("inspection_id"),
                       col(Finding.area).label("area"))
             .where(*conditions).distinct().subquery("pairs"))
    area = func.trim(pairs.c.area)
    first = (sa.select(col(judgment.id))
             .where(col(judgment.inspection_id) == pairs.c.inspection_id,
                    func.lower(func.trim(col(judgment.area))) == func.lower(area), area != "")
             .order_by(col(judgment.position), col(judgment.id)).limit(1)
             .correlate(pairs).scalar_subquery())
    return (sa.select(pairs.c.inspection_id, pairs.c.area, first.label("judgment_id"))
            .cte("graded").prefix_with("MATERIALIZED"))


def _conditions(filters: DashboardFilters, today: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.inspection_id is not None:
        conditions.append(col(Finding.inspection_id) == filters.inspection_id)
    if filters.kind:
        conditions.append(col(Finding.kind) == filters.kind)
    if filters.assessment:
        conditions.append(col(Finding.opcc_status) == filters.assessment)
    if filters.status == SUPERSEDED:
        conditions.append(_SUPERSEDED)
    elif filters.status:
        conditions.extend([not_(_SUPERSEDED), col(Finding.force_status) == filters.status])
    if filters.overdue:
        conditions.append(_overdue(today))
    return conditions


_INSPECTION_DATE = func.coalesce(col(Inspection.published_on), date.min)
# Newest inspection first (those with no date last), each in report order; the keys of a row of
# _page_keys's query: (finding id, inspection's date or date.min, inspection id, position).
_ORDER = [
    SortKey(_INSPECTION_DATE, lambda row: row[1], descending=True),
    SortKey(col(Inspection.id), lambda row: row[2], descending=True),
    SortKey(col(Finding.position), lambda row: row[3]),
    SortKey(col(Finding.id), lambda row: row[0]),
]


def _chosen(filters: DashboardFilters, today: date):
    return (select(Finding, Inspection)
            .join(Inspection, col(Finding.inspection_id) == col(Inspection.id))
            .where(*_conditions(filters, today)))


def _rows_of(session: Session, pairs: list[tuple[Finding, Inspection]], today: date
             ) -> list[FindingRow]:
    """These findings as rows: their areas' judgments and owners read for them alone."""
    inspection_ids = {inspection.id for _, inspection in pairs}
    judged: dict[tuple[int | None, str], InspectionJudgment] = {}
    judgment: InspectionJudgment | None
    if inspection_ids:
        for judgment in session.exec(select(InspectionJudgment).where(
                col(InspectionJudgment.inspection_id).in_(inspection_ids)).order_by(
                col(InspectionJudgment.position), col(InspectionJudgment.id))).all():
            judged.setdefault((judgment.inspection_id, judgment.area.strip().lower()),
                              judgment)
    owner_ids = {f.owner_id for f, _ in pairs if f.owner_id}
    names = {p.id: p.full_name for p in session.exec(
        select(Person).where(col(Person.id).in_(owner_ids)))} if owner_ids else {}
    rows = []
    for finding, inspection in pairs:
        superseded = is_superseded(finding)
        overdue_days, due_words = _due_words(finding, superseded, today)
        area = finding.area.strip()
        judgment = judged.get((inspection.id, area.lower())) if area else None
        kind = KINDS.get(finding.kind, finding.kind)
        rows.append(FindingRow(
            finding=finding, inspection=inspection, kind=kind,
            label=f"{kind} {finding.number}".strip(),
            # spelt as the judgment spells it, so "investigating Crime" counts with the rest
            area=(judgment.area.strip() if judgment else area) or NO_AREA,
            grade=(judgment.grade.strip() if judgment else "") or NOT_GRADED,
            owner=names.get(finding.owner_id, ""),
            force_status=("Superseded" if superseded
                          else FORCE_STATUSES.get(finding.force_status, finding.force_status)),
            assessment=OPCC_STATUSES.get(finding.opcc_status, finding.opcc_status),
            superseded=superseded, overdue_days=overdue_days, due_words=due_words,
        ))
    return rows


def _ordered(query):
    return query.order_by(*(k.column.desc() if k.descending else k.column.asc()
                            for k in _ORDER))


def finding_rows(session: Session, filters: DashboardFilters, today: date) -> list[FindingRow]:
    """Every finding the filters choose, newest inspection first, in report order (for the
    Panel's report, which lists them all)."""
    query = _ordered(_chosen(filters, today))
    return _rows_of(session, [tuple(pair) for pair in session.exec(query).all()], today)


def _page(session: Session, filters: DashboardFilters, today: date, cursor: str | None,
          limit: int) -> tuple[list[tuple[Finding, Inspection]], str | None]:
    """A page of the findings chosen, after the cursor: their sort keys found first (a narrow
    sort, keyset), then those findings and their inspections."""
    keys = (sa.select(col(Finding.id), _INSPECTION_DATE, col(Inspection.id),
                      col(Finding.position))
            .join(Inspection, col(Finding.inspection_id) == col(Inspection.id))
            .where(*_conditions(filters, today)))
    page = keyset_page(session, keys, keys=_ORDER, limit=limit, cursor=cursor,
                       scope="findings", filters=asdict(filters))
    ids = [row[0] for row in page.rows]
    pairs = [tuple(pair) for pair in session.exec(_ordered(
        select(Finding, Inspection).join(Inspection,
                                         col(Finding.inspection_id) == col(Inspection.id))
        .where(col(Finding.id).in_(ids)))).all()] if ids else []
    return pairs, page.next_cursor


def _counted(counter: Counter, order: list[str]) -> list[tuple[str, int]]:
    """Every label in `order` (zeros included, so the reader sees the whole scale), then the
    rest by count."""
    known = [(label, counter.get(label, 0)) for label in order]
    others = sorted(((label, n) for label, n in counter.items() if label not in order),
                    key=lambda pair: (-pair[1], pair[0].lower()))
    return known + others


def counts(session: Session, filters: DashboardFilters, today: date) -> Counts:
    """The figures for these filters: one aggregate query, grouped by what is counted (the
    matched judgment's area and grade, the finding's own area, statuses, superseded, overdue),
    so its answer has as many rows as there are such combinations, not findings. Each
    finding's area is matched to its judgment once an (inspection, area) pair (_graded)."""
    judgment = aliased(InspectionJudgment)
    conditions = _conditions(filters, today)
    graded = _graded(conditions)
    each = (sa.select(col(judgment.id).is_not(None).label("matched"),
                      col(judgment.area).label("judged_area"),
                      col(judgment.grade).label("grade"),
                      col(Finding.area).label("area"), col(Finding.force_status).label("status"),
                      col(Finding.opcc_status).label("assessment"),
                      sa.case((_SUPERSEDED, 1), else_=0).label("superseded"),
                      sa.case((_overdue(today), 1), else_=0).label("overdue"))
            .select_from(Finding)
            .join(graded, and_(graded.c.inspection_id == col(Finding.inspection_id),
                               graded.c.area == col(Finding.area)))
            .outerjoin(judgment, col(judgment.id) == graded.c.judgment_id)
            .where(*conditions)
            .subquery())
    # grouped outside, by the columns themselves (PostgreSQL would not match the CASEs' own
    # parameters in a GROUP BY to those in the SELECT)
    keys = list(each.c)
    query = sa.select(*keys, func.count()).group_by(*keys)
    statuses: Counter[str] = Counter()
    assessments: Counter[str] = Counter()
    grades: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    current = superseded_count = overdue_count = 0
    for matched, judged_area, grade, own_area, status, assessment, gone, late, n in \
            session.execute(query):
        overdue_count += n if late else 0
        if gone:
            superseded_count += n
            continue
        current += n
        statuses[FORCE_STATUSES.get(status, status)] += n
        assessments[OPCC_STATUSES.get(assessment, assessment)] += n
        grades[(grade.strip() if matched else "") or NOT_GRADED] += n
        areas[(judged_area.strip() if matched else own_area.strip()) or NO_AREA] += n
    return Counts(
        by_status=_counted(statuses, [words for key, words in FORCE_STATUSES.items()
                                      if key != SUPERSEDED]),
        by_assessment=_counted(assessments, list(OPCC_STATUSES.values())),
        by_grade=[(g, grades[g]) for g in sorted(grades, key=_grade_key)],
        by_area=sorted(areas.items(), key=lambda pair: (pair[0] == NO_AREA, -pair[1],
                                                        pair[0].lower())),
        current=current, superseded=superseded_count, overdue=overdue_count)


def dashboard(session: Session, filters: DashboardFilters, today: date, *,
              cursor: str | None = None, limit: int = PAGE_SIZE) -> Dashboard:
    """The findings dashboard: counts by status, assessment, grade and area, and a page of the
    list (after `cursor`, keyset: the same cost on any page however long the register).

    The same statements however large the register (issue 17; bench/bench_bounded.py): the
    figures as one aggregate query; the page's sort keys (keyset), then its findings with
    their inspections; the judgments of those inspections and the owners of those findings;
    the inspections for the filter (a few a year)."""
    figures = counts(session, filters, today)
    pairs, next_cursor = _page(session, filters, today, cursor, limit)
    return Dashboard(
        **asdict(figures), rows=_rows_of(session, pairs, today),
        inspections=list(session.exec(select(Inspection).order_by(
            col(Inspection.published_on).desc(), col(Inspection.id).desc())).all()),
        next_cursor=next_cursor,
    )


def describe_filters(filters: DashboardFilters, inspection_title: str = "") -> str:
    """The filters in words: "Recommendations, force's status In progress, overdue"."""
    parts = []
    if inspection_title:
        parts.append(f"inspection: {inspection_title}")
    if filters.kind:
        parts.append(f"kind: {KINDS[filters.kind].lower()}")
    if filters.status:
        parts.append(f"force's status: {FORCE_STATUSES[filters.status].lower()}")
    if filters.assessment:
        parts.append(f"Commissioner's assessment: {OPCC_STATUSES[filters.assessment].lower()}")
    if filters.overdue:
        parts.append("overdue only")
    return ("All findings" if not parts else "Findings with " + ", ".join(parts)) + "."


# --- the Police and Crime Panel's report -------------------------------------------------


@dataclass
class PanelRow:
    label: str  # "Recommendation 4"
    kind: str  # "Recommendation"
    number: str  # "4", or ""
    text: str
    area: str  # "" when none was given
    grade: str
    owner: str
    due_date: date | None
    due_words: str
    force_status: str
    assessment: str
    evidence: str


@dataclass
class PanelSection:
    """One inspection and its findings."""

    title: str
    published_on: date | None
    rows: list[PanelRow]


@dataclass
class PanelReport(Counts):
    """What the Panel's report says, ready to lay out."""

    title: str = ""
    office_name: str = ""
    force_name: str = ""
    marking: str = ""
    generated_on: date = date.min
    description: str = ""
    sections: list[PanelSection] = field(default_factory=list)
    language: str = "en-GB"


def panel_report(session: Session, *, by: Actor, filters: DashboardFilters, today: date,
                 fmt: str = "docx") -> PanelReport:
    """The Police and Crime Panel's report for these filters; the export is audited."""
    figures = counts(session, filters, today)
    rows = finding_rows(session, filters, today)
    office = get_office(session)
    inspection = (session.get(Inspection, filters.inspection_id)
                  if filters.inspection_id else None)
    description = describe_filters(filters, inspection.title if inspection else "")
    sections: list[PanelSection] = []
    for row in rows:
        if not sections or sections[-1].title != row.inspection.title \
                or sections[-1].published_on != row.inspection.published_on:
            sections.append(PanelSection(row.inspection.title, row.inspection.published_on, []))
        finding = row.finding
        sections[-1].rows.append(PanelRow(
            label=row.label, kind=row.kind, number=finding.number.strip(), text=finding.text,
            area="" if row.area == NO_AREA else row.area, grade=row.grade,
            owner=row.owner, due_date=finding.due_date, due_words=row.due_words,
            force_status=row.force_status, assessment=row.assessment,
            evidence=finding.opcc_evidence))
    report = PanelReport(
        **asdict(figures), title=PANEL_TITLE, office_name=office.office_name,
        force_name=office.force_name, marking=office.default_marking,
        generated_on=today, description=f"{description} As at {short_date(today)}.",
        sections=sections)
    audit.record(session, by=by, verb="export", object_type="findings", object_id=None,
                 summary=f"Police and Crime Panel report ({fmt}), {len(rows)} findings: "
                         f"{description}")
    session.flush()
    return report
