"""The Commissioner's section 55 response to an HMICFRS report: what it holds and its rules.

Section 55(1) of the Police Act 1996: the Commissioner publishes comments on every HMICFRS
report about the force, with the Chief Constable's comments, within 56 days of its
publication (counting the day of publication: app/services/inspections.py works out the day).

The response follows the office's published form: a summary of the inspection, the grade, the
recommendations (with the Commissioner's response to each), the areas for improvement, the
Commissioner's initial response, the Chief Constable's response (an introduction, then each
recommendation again with the Chief Constable's response under it) and the Commissioner's
overall comments. The texts are typed in the app; lines starting "- " or "• " are bullets.

Everyone who can see the inspection reads the response and downloads the draft; only those
who keep the record (Perm.edit_record) change its texts. What is still missing is listed as
warnings, never a refusal to download: a draft is useful to circulate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app.models import Finding, FindingEvent, Inspection, utcnow
from app.services import audit, inspections
from app.services.dates import short_date
from app.services.errors import InvalidInput
from app.services.office import get_office
from app.services.permissions import Actor, Perm, require
from app.services.text import clean_line, clean_text

TEXT_MAX = 50_000
GRADE_MAX = 100  # the column's width

# The inspection's own texts, in the order of the document, with the words the page uses.
TEXTS = {
    "summary": "Summary of inspection",
    "grade": "The overall grade",
    "recommendations_intro": "Introduction to the recommendations",
    "pcc_initial_response": "The Commissioner's initial response",
    "cc_response_intro": "Introduction to the Chief Constable's response",
    "pcc_overall_comments": "The Commissioner's overall comments",
}
# Section headings of the document, as the office writes them.
HEADINGS = {
    "summary": "Summary of inspection",
    "grade": "Grade",
    "causes": "Causes of concern",
    "recommendations": "Recommendations",
    "afis": "Areas for improvement",
    "pcc_initial_response": "Police and Crime Commissioner's initial response",
    "cc_response": "Chief Constable's response",
    "pcc_overall_comments": "Police and Crime Commissioner's overall comments",
}
NOT_GRADED = "Not graded"
# Findings that get a response from each of the Commissioner and the Chief Constable.
RESPONDED_KINDS = ("cause_of_concern", "recommendation")
RESPONSE_FIELDS = {"pcc_response": "Commissioner's response",
                   "cc_response": "Chief Constable's response"}


@dataclass
class ResponseFinding:
    """A finding as the response shows it."""

    id: int
    kind: str
    label: str  # "Recommendation 4", "Area for improvement 2"
    text: str
    pcc_response: str = ""
    cc_response: str = ""
    superseded_by: str = ""  # the label of the finding that replaces it


@dataclass
class S55Response:
    """Everything the response document and page show, loaded and worded."""

    inspection_id: int
    inspection_title: str
    title: str  # the document's title
    office_name: str
    marking: str
    statement: str  # the s55(1) sentence with the recorded dates
    due: date | None
    summary: str
    grade: str  # the overall grade as typed; "" when none
    judgments: list[tuple[str, str]]  # (area, grade) from the report
    recommendations_intro: str
    causes: list[ResponseFinding]
    recommendations: list[ResponseFinding]
    afis: list[ResponseFinding]
    pcc_initial_response: str
    cc_response_intro: str
    pcc_overall_comments: str
    warnings: list[str] = field(default_factory=list)
    language: str = "en-GB"

    @property
    def responded(self) -> list[ResponseFinding]:
        """Causes of concern then recommendations: the findings each side responds to."""
        return self.causes + self.recommendations

    @property
    def filename(self) -> str:
        return f"s55-response-{self.inspection_title}"


def _label(finding: Finding, position: int) -> str:
    """"Recommendation 4" with the report's number, else its place among its kind."""
    word = inspections.KINDS.get(finding.kind, finding.kind)
    return f"{word} {finding.number or position}"


def statement(inspection: Inspection) -> str:
    """The s55(1) sentence, with only the dates that are recorded."""
    parts = ["This response is published under section 55(1) of the Police Act 1996."]
    if inspection.published_on:
        due = inspections.s55_due(inspection.published_on)
        assert due is not None  # as the report's publication day is known
        parts.append(f"HMICFRS published the report on {short_date(inspection.published_on)}; "
                     f"the Act requires this response within 56 days, by {short_date(due)}.")
    asked, received = inspection.cc_comments_requested_on, inspection.cc_comments_received_on
    if asked and received:
        parts.append(f"The Chief Constable's comments were requested on {short_date(asked)} "
                     f"and received on {short_date(received)}.")
    elif asked:
        parts.append(f"The Chief Constable's comments were requested on {short_date(asked)}.")
    elif received:
        parts.append(f"The Chief Constable's comments were received on {short_date(received)}.")
    published, sent = inspection.response_published_on, inspection.response_sent_on
    if published and sent:
        parts.append(f"This response was published on {short_date(published)} and sent to "
                     f"HMICFRS and the Home Secretary on {short_date(sent)}.")
    elif published:
        parts.append(f"This response was published on {short_date(published)}.")
    elif sent:
        parts.append(f"This response was sent to HMICFRS and the Home Secretary on "
                     f"{short_date(sent)}.")
    return " ".join(parts)


def _warnings(inspection: Inspection, responded: list[ResponseFinding],
              judgments: list) -> list[str]:
    """What is missing before the response can be published, in the order of the document."""
    said = []
    if not inspection.published_on:
        said.append("The report's publication date is not recorded, so the response's due "
                    "date is not known.")
    if not inspection.summary.strip():
        said.append("There is no summary of the inspection.")
    if not inspection.grade.strip() and not judgments:
        said.append(f"No grade is entered: the document says \"{NOT_GRADED}\".")
    if not responded:
        said.append("The inspection has no recommendations or causes of concern.")
    for finding in responded:
        if finding.superseded_by:
            continue
        missing = [who for name, who in (("pcc_response", "the Commissioner"),
                                          ("cc_response", "the Chief Constable"))
                   if not getattr(finding, name).strip()]
        if missing:
            said.append(f"{finding.label} has no response from {' or '.join(missing)}.")
    if not inspection.pcc_initial_response.strip():
        said.append("There is no initial response from the Commissioner.")
    if not inspection.pcc_overall_comments.strip():
        said.append("There are no overall comments from the Commissioner.")
    if not inspection.cc_comments_received_on:
        said.append("The date the Chief Constable's comments were received is not recorded.")
    return said


def response_of(session: Session, inspection_id: int) -> S55Response:
    """The response to the inspection, loaded and worded, with its warnings (reading needs
    no permission beyond signing in, like the inspection's page)."""
    inspection = inspections.get_inspection(session, inspection_id)
    assert inspection.id is not None  # loaded from the database
    findings = inspections.findings_of(session, inspection_id)
    judgments = inspections.judgments_of(session, inspection_id)
    office = get_office(session)
    counters: dict[str, int] = {}
    labels: dict[int | None, str] = {}
    for finding in findings:
        counters[finding.kind] = counters.get(finding.kind, 0) + 1
        labels[finding.id] = _label(finding, counters[finding.kind])
    shown: dict[str, list[ResponseFinding]] = {kind: [] for kind in inspections.KINDS}
    for finding in findings:
        replaced_by = labels.get(finding.superseded_by_id, "") if finding.superseded_by_id \
            else ""
        if finding.superseded_by_id and not replaced_by:
            replaced_by = "a later finding"
        assert finding.id is not None  # loaded from the database
        shown.setdefault(finding.kind, []).append(ResponseFinding(
            id=finding.id, kind=finding.kind, label=labels[finding.id], text=finding.text,
            pcc_response=finding.pcc_response, cc_response=finding.cc_response,
            superseded_by=replaced_by))
    responded = shown["cause_of_concern"] + shown["recommendation"]
    return S55Response(
        inspection_id=inspection.id,
        inspection_title=inspection.title,
        title=f"Police and Crime Commissioner's response to HMICFRS: {inspection.title}",
        office_name=office.office_name,
        marking=office.default_marking,
        statement=statement(inspection),
        due=inspections.s55_due(inspection.published_on),
        summary=inspection.summary,
        grade=inspection.grade,
        judgments=[(j.area, j.grade) for j in judgments],
        recommendations_intro=inspection.recommendations_intro,
        causes=shown["cause_of_concern"],
        recommendations=shown["recommendation"],
        afis=shown["area_for_improvement"],
        pcc_initial_response=inspection.pcc_initial_response,
        cc_response_intro=inspection.cc_response_intro,
        pcc_overall_comments=inspection.pcc_overall_comments,
        warnings=_warnings(inspection, responded, judgments),
    )


def response_for_export(session: Session, inspection_id: int, *, by: Actor,
                         fmt: str = "docx") -> S55Response:
    """The response for its document; the export is audited."""
    response = response_of(session, inspection_id)
    audit.record(session, by=by, verb="export", object_type="inspection",
                 object_id=inspection_id,
                 summary=f"s55 response ({fmt}), {len(response.warnings)} warnings")
    session.flush()
    return response


# --- changing the texts -----------------------------------------------------------------------


@dataclass
class ResponseTexts:
    """The texts typed on the response page. A text left None is not changed; `findings`
    maps a finding's id to its {"pcc_response": …, "cc_response": …} (either may be absent)."""

    summary: str | None = None
    grade: str | None = None
    recommendations_intro: str | None = None
    pcc_initial_response: str | None = None
    cc_response_intro: str | None = None
    pcc_overall_comments: str | None = None
    findings: dict[int, dict[str, str]] = field(default_factory=dict)


def _clean(value: str, name: str, label: str, errors: dict[str, str], *, single: bool = False,
           limit: int = TEXT_MAX) -> str:
    try:
        value = clean_line(value) if single else clean_text(value).strip()
    except ValueError as exc:
        errors[name] = f"{label} {exc}"
        return value
    if len(value) > limit:
        errors[name] = f"{label} must be {limit:,} characters or fewer (it has {len(value):,})"
    return value


def check_texts(session: Session, inspection_id: int, texts: ResponseTexts
                ) -> tuple[dict[str, str], dict[str, str], dict[int, dict[str, str]]]:
    """Clean the texts: (errors by field, the inspection's texts, the findings' texts).
    Field names are the form's: "summary", "finding-12-pcc_response"."""
    errors: dict[str, str] = {}
    own: dict[str, str] = {}
    for name, label in TEXTS.items():
        value = getattr(texts, name)
        if value is not None:
            own[name] = _clean(value, name, label, errors, single=name == "grade",
                               limit=GRADE_MAX if name == "grade" else TEXT_MAX)
    theirs: dict[int, dict[str, str]] = {}
    for finding_id, values in texts.findings.items():
        finding = session.get(Finding, finding_id) if 0 < finding_id < 2**31 else None
        if finding is None or finding.inspection_id != inspection_id:
            errors[f"finding-{finding_id}"] = (f"There is no finding {finding_id} in this "
                                               "inspection; reload the page and try again")
            continue
        if finding.kind not in RESPONDED_KINDS:
            errors[f"finding-{finding_id}"] = ("Responses are recorded for recommendations "
                                               "and causes of concern only")
            continue
        label = f"{inspections.KINDS[finding.kind]} {finding.number}".strip()
        for name, value in values.items():
            if name not in RESPONSE_FIELDS:
                errors[f"finding-{finding_id}-{name}"] = "Not a response that can be recorded"
                continue
            theirs.setdefault(finding_id, {})[name] = _clean(
                value, f"finding-{finding_id}-{name}",
                f"The {RESPONSE_FIELDS[name]} to {label[:1].lower()}{label[1:]}", errors)
    return errors, own, theirs


def update_texts(session: Session, inspection_id: int, texts: ResponseTexts, *,
                 by: Actor) -> list[str]:
    """Save the response's texts: all or nothing; each finding whose response changes has it
    written to its history, and the change is audited. Returns what changed, in words."""
    require(by, Perm.edit_record, "Only the Commissioner's office writes the s55 response.")
    inspection = inspections.get_inspection(session, inspection_id)
    errors, own, theirs = check_texts(session, inspection_id, texts)
    if errors:
        raise InvalidInput(errors)
    changed = []
    for name, value in own.items():
        if getattr(inspection, name) != value:
            setattr(inspection, name, value)
            changed.append(TEXTS[name])
    if changed:
        session.add(inspection)
    for finding_id, values in theirs.items():
        finding = session.get(Finding, finding_id)
        assert finding is not None and finding.id is not None  # checked by check_texts
        said = []
        for name, value in values.items():
            if getattr(finding, name) != value:
                setattr(finding, name, value)
                said.append(f"{RESPONSE_FIELDS[name]} updated")
        if not said:
            continue
        summary = "; ".join(said)
        session.add(finding)
        session.add(FindingEvent(finding_id=finding.id, at=utcnow(), by_user_id=by.user_id,
                                 by_label=by.label[:320], summary=summary))
        audit.record(session, by=by, verb="update", object_type="finding",
                     object_id=finding.id, summary=f"s55 response: {summary}")
        label = f"{inspections.KINDS.get(finding.kind, finding.kind)} {finding.number}".strip()
        changed.append(f"{label}: {summary[:1].lower()}{summary[1:]}")
    if changed:
        audit.record(session, by=by, verb="update", object_type="inspection",
                     object_id=inspection.id,
                     summary="s55 response: " + "; ".join(changed))
        session.flush()
    return changed
