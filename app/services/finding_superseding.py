"""A finding superseded by a later one (of any inspection): the choices, the rule against
loops, and both findings' histories."""

from typing import cast

from sqlmodel import Session, col, select

from app.models import Finding, Inspection
from app.services import audit
from app.services.errors import InvalidInput
from app.services.findings import describe, get_finding, label_of, record_event, short_text
from app.services.inspections import FORCE_STATUSES
from app.services.permissions import Actor, Perm, require


def supersede_choices(session: Session, finding: Finding) -> list[tuple[Finding, str]]:
    """The findings that could replace this one: those of other inspections (the latest
    first), and later findings of its own, never itself or one it (in)directly replaces."""
    rows = session.exec(select(Finding, Inspection).join(
        Inspection, col(Inspection.id) == Finding.inspection_id).order_by(
        col(Inspection.published_on).desc(), col(Inspection.id).desc(), col(Finding.position),
        col(Finding.id))).all()
    assert finding.id is not None  # a saved finding
    replaced = _replaced_by_chain(session, finding.id)
    choices = []
    for candidate, inspection in rows:
        if candidate.id == finding.id or candidate.id in replaced:
            continue
        if candidate.inspection_id == finding.inspection_id and (
                candidate.position, candidate.id) <= (finding.position, finding.id):
            continue
        choices.append((candidate, f"{inspection.title} — {label_of(candidate)}: "
                        f"{short_text(candidate.text, 80)}"))
    return choices


def _replaced_by_chain(session: Session, finding_id: int) -> set[int]:
    """Every finding that this one replaces, directly or through others."""
    found: set[int] = set()
    frontier = {finding_id}
    while frontier:
        rows = session.exec(select(Finding.id).where(
            col(Finding.superseded_by_id).in_(frontier))).all()
        frontier = {cast(int, r) for r in rows if r not in found and r != finding_id}  # ids
        found |= frontier
    return found


def supersede(session: Session, inspection_id: int, finding_id: int, later_id: int, *,
              by: Actor) -> Finding:
    """Record that a later finding (of any inspection) replaces this one: it is superseded
    and no longer due. Both findings' histories say so. A finding cannot replace itself, nor
    one that it (in)directly replaces."""
    require(by, Perm.edit_record, "Only the Commissioner's office updates findings.")
    finding = get_finding(session, inspection_id, finding_id)
    later = session.get(Finding, later_id)
    if later is None:
        raise InvalidInput({"later_id": "Choose the finding that replaces this one from the "
                            "list"})
    if later.id == finding.id:
        raise InvalidInput({"later_id": "A finding cannot replace itself"})
    chain: Finding | None
    chain, seen = later, set()
    while chain is not None and chain.id not in seen:
        if chain.superseded_by_id == finding.id:
            raise InvalidInput({"later_id": "That finding is itself replaced by this one: a "
                                "finding cannot be replaced by one it replaces"})
        seen.add(chain.id)
        chain = session.get(Finding, chain.superseded_by_id) if chain.superseded_by_id else None
    if finding.superseded_by_id == later.id:
        return finding
    finding.superseded_by_id = later.id
    before = FORCE_STATUSES.get(finding.force_status, finding.force_status)
    finding.force_status = "superseded"
    session.add(finding)
    record_event(session, finding, by,
                 f"Superseded by {describe(session, later)} "
                 f"(force's status: {before} → Superseded)")
    record_event(session, later, by, f"Supersedes {describe(session, finding)}")
    audit.record(session, by=by, verb="update", object_type="finding", object_id=finding.id,
                 summary=f"superseded by finding {later.id}")
    session.flush()
    session.refresh(finding)
    return finding


def replaced_by(session: Session, finding_id: int) -> list[Finding]:
    """The findings this one directly supersedes."""
    return list(session.exec(select(Finding).where(
        Finding.superseded_by_id == finding_id).order_by(col(Finding.id))).all())
