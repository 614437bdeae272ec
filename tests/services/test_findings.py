"""Findings feeding the rest of the product: a question or an action from a finding in one
step, superseding, the finding's merged history, the HMICFRS standing item's list and the
findings of a theme."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from app.models import (
    Action,
    ActionStatus,
    AuditEvent,
    EntryKind,
    Finding,
    FindingEvent,
    ItemKind,
    Question,
    QuestionSource,
    QuestionStatus,
    Role,
)
from app.schemas import ActionUpdateCreate, AnswerCreate
from app.services import (
    actions,
    finding_links,
    finding_meetings,
    finding_story,
    finding_superseding,
    findings,
    inspections,
)
from app.services.errors import Forbidden, InvalidInput
from app.services.inspections import FindingChange, ReviewedFinding, ReviewedReport
from app.services.permissions import Actor
from app.services.questions import answer_question
from tests.factories import (
    SYSTEM,
    committed,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    make_top_team,
)

OFFICER = Actor(role=Role.secretariat, label="policy.officer@opcc.example")


def _report(session, title="Roads policing inspection", published=date(2024, 3, 14),
            texts=("Improve the collision investigation unit.",
                   "Review the use of roads policing data.")):
    return committed(session, inspections.save_import(session, ReviewedReport(
        title=title, published_on=published,
        findings=[ReviewedFinding(kind="recommendation", number=str(n + 1), text=t)
                  for n, t in enumerate(texts)]), by=SYSTEM))


def _findings(session, inspection):
    return inspections.findings_of(session, inspection.id)


def _own(session, finding, owner, due=None, **kw):
    return committed(session, inspections.update_finding(
        session, finding.inspection_id, finding.id,
        FindingChange(owner_id=owner.id if owner else None, due_date=due, **kw), by=SYSTEM))


def _history(session, finding) -> list[str]:
    return [e.summary for e in session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.id))]


@pytest.fixture
def setting(session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2030, 4, 30, 10))
    make_item(session, meeting, title="Holding to account", kind=ItemKind.holding_to_account)
    hmicfrs = make_item(session, meeting, title="HMICFRS inspection programme",
                        kind=ItemKind.hmicfrs)
    inspection = _report(session)
    return pcc, cc, dcc, meeting, hmicfrs, inspection


def test_a_question_from_a_finding_goes_to_its_owner_on_the_hmicfrs_item(session, setting):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[1]
    _own(session, finding, dcc, theme="Roads policing")
    question = finding_links.question_from_finding(session, finding.id, meeting_id=meeting.id,
                                                   by=OFFICER)
    assert question.finding_id == finding.id
    assert question.source == QuestionSource.inspection
    assert question.text == ("What progress has the force made on recommendation 2: Review "
                             "the use of roads policing data?")
    assert (question.asked_by_id, question.addressed_to_id) == (pcc.id, dcc.id)
    assert (question.meeting_id, question.item_id) == (meeting.id, hmicfrs.id)
    assert question.theme == "Roads policing"
    assert question.status == QuestionStatus.ready
    assert _history(session, finding)[-1] == (
        f"Question {question.id} prepared for the Monthly Assurance Meeting 30 April 2030: "
        f"{question.text}")
    audit = session.exec(select(AuditEvent).where(AuditEvent.object_type == "question",
                                                  AuditEvent.object_id == question.id)).all()
    assert audit, "the question's creation is audited by the questions service"


def test_a_finding_owned_in_the_office_is_asked_of_the_chief_constable(session, setting):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, make_person(session, full_name="Head of Performance"))
    question = finding_links.question_from_finding(session, finding.id, text="Is it done?",
                                                   by=OFFICER)
    assert question.addressed_to_id == cc.id
    assert question.text == "Is it done?"
    # without a theme of its own, the question goes under the inspection's title
    assert question.theme == "Roads policing inspection"
    assert (question.meeting_id, question.item_id, question.status) == (
        None, None, QuestionStatus.draft)


def test_an_action_from_a_finding_gets_a_reference_owner_and_due_date(session, setting):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, dcc, due=date(2030, 9, 30))
    action = finding_links.action_from_finding(session, finding.id, meeting_id=meeting.id,
                                               by=OFFICER)
    view = actions.get_action(session, action_id=action.id, by=OFFICER)
    assert action.reference == "A/2030/001"
    assert view.owner_ids == [dcc.id]
    assert action.due_date == date(2030, 9, 30)
    assert (action.finding_id, action.meeting_id, action.item_id) == (
        finding.id, meeting.id, hmicfrs.id)
    assert action.text.startswith("The DCC to report on progress with recommendation 1")
    assert _history(session, finding)[-1].startswith("Action A/2030/001 raised: The DCC")
    story = finding_story.story_of(session, finding, by=OFFICER)
    assert [v.view.action.id for v in story.actions] == [action.id]


def test_a_question_or_action_and_its_link_are_saved_together_or_not_at_all(
        session, setting, monkeypatch):
    """If writing the finding's history fails, the question or action is not left behind
    without its finding."""
    *_, meeting, _, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, setting[2])
    before = _history(session, finding)

    def broken(*args, **kwargs):
        raise RuntimeError("the history could not be written")

    monkeypatch.setattr(finding_links, "record_event", broken)
    with pytest.raises(RuntimeError):
        finding_links.question_from_finding(session, finding.id, meeting_id=meeting.id, by=OFFICER)
    session.rollback()
    with pytest.raises(RuntimeError):
        finding_links.action_from_finding(session, finding.id, by=OFFICER)
    session.rollback()
    assert session.exec(select(Question)).all() == []
    assert session.exec(select(Action)).all() == []
    assert _history(session, finding) == before


def test_an_action_needs_an_owner_and_nothing_is_made_without_one(session, setting):
    *_, inspection = setting
    finding = _findings(session, inspection)[0]
    before = _history(session, finding)
    with pytest.raises(InvalidInput) as refused:
        finding_links.action_from_finding(session, finding.id, by=OFFICER)
    assert "owner_ids" in refused.value.errors
    session.rollback()
    assert session.exec(select(Action)).all() == []
    assert _history(session, finding) == before


@pytest.mark.parametrize("role", [Role.viewer, Role.force])
def test_viewers_and_the_force_cannot_raise_questions_or_actions(session, setting, role):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, dcc)
    actor = Actor(role=role, person_id=dcc.id, label="someone")
    with pytest.raises(Forbidden):
        finding_links.question_from_finding(session, finding.id, by=actor)
    with pytest.raises(Forbidden):
        finding_links.action_from_finding(session, finding.id, by=actor)
    with pytest.raises(Forbidden):
        finding_superseding.supersede(session, inspection.id, finding.id, _findings(
            session, inspection)[1].id, by=actor)
    assert session.exec(select(Question)).all() == []
    assert session.exec(select(Action)).all() == []


def test_the_chair_puts_questions_but_does_not_raise_actions(session, setting):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, dcc)
    chair = Actor(role=Role.chair, person_id=pcc.id, label="pcc@opcc.example")
    question = finding_links.question_from_finding(session, finding.id, by=chair)
    assert question.asked_by_id == pcc.id
    with pytest.raises(Forbidden):
        finding_links.action_from_finding(session, finding.id, by=chair)


def test_bad_input_is_refused_and_changes_nothing(session, setting):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, dcc)
    before = _history(session, finding)
    for kwargs in ({"text": ""}, {"text": "Why\x00?"}, {"text": "x" * 10_001},
                   {"meeting_id": 999_999}, {"item_id": 999_999}):
        with pytest.raises(InvalidInput):
            finding_links.question_from_finding(session, finding.id, by=OFFICER, **kwargs)
        session.rollback()
    with pytest.raises(InvalidInput):
        finding_links.action_from_finding(session, finding.id, owner_ids=[999_999], by=OFFICER)
    session.rollback()
    assert session.exec(select(Question)).all() == []
    assert session.exec(select(Action)).all() == []
    assert _history(session, finding) == before


def test_superseding_writes_both_histories_and_refuses_self_cycles_and_unknown_ids(
        session, setting):
    *_, inspection = setting
    local = _findings(session, inspection)[0]
    national = _report(session, title="National roads policing thematic",
                       published=date(2025, 1, 10),
                       texts=("Forces should adopt the national collision standard.",))
    later = _findings(session, national)[0]
    finding_superseding.supersede(session, inspection.id, local.id, later.id, by=OFFICER)
    session.commit()
    session.refresh(local)
    assert local.superseded_by_id == later.id and local.force_status == "superseded"
    assert _history(session, local)[-1].startswith(
        "Superseded by National roads policing thematic — Recommendation 1: Forces should")
    assert _history(session, later)[-1].startswith(
        "Supersedes Roads policing inspection — Recommendation 1: Improve the collision")

    later_before = (_history(session, later), later.superseded_by_id, later.force_status)
    for target, owner in ((later.id, later), (local.id, later), (999_999, later)):
        with pytest.raises(InvalidInput):
            finding_superseding.supersede(session, owner.inspection_id, owner.id, target,
                                          by=OFFICER)
        session.rollback()
    session.refresh(later)
    assert (_history(session, later), later.superseded_by_id, later.force_status) == \
        later_before
    # A chain: a third finding replaced by the local one cannot then replace the national one.
    third = _findings(session, inspection)[1]
    finding_superseding.supersede(session, inspection.id, third.id, local.id, by=OFFICER)
    with pytest.raises(InvalidInput):
        finding_superseding.supersede(session, national.id, later.id, third.id, by=OFFICER)


def test_the_history_shows_the_question_asked_and_answered_and_the_action_updates(
        session, setting):
    pcc, cc, dcc, meeting, hmicfrs, inspection = setting
    finding = _findings(session, inspection)[0]
    _own(session, finding, dcc)
    question = finding_links.question_from_finding(session, finding.id, meeting_id=meeting.id,
                                                   by=OFFICER)
    make_entry(session, hmicfrs, kind=EntryKind.question, question_id=question.id,
               speaker_id=pcc.id, text="The PCC asked the DCC about recommendation 1.")
    make_entry(session, hmicfrs, kind=EntryKind.answer, question_id=question.id,
               speaker_id=dcc.id, text="The unit has two more investigators since May.")
    action = finding_links.action_from_finding(session, finding.id, by=OFFICER)
    actions.add_update(session, action_id=action.id, by=SYSTEM, data=ActionUpdateCreate(
        text="Recruitment under way.", status=ActionStatus.in_progress))
    story = finding_story.story_of(session, finding, by=OFFICER)
    texts = [line.text for line in story.history]
    assert texts[0] == "Imported from the report"
    assert any(t.startswith("Question asked at the Monthly Assurance Meeting 30 April 2030")
               for t in texts)
    assert ("Answer given in the meeting (Monthly Assurance Meeting 30 April 2030): The unit "
            "has two more investigators since May.") in texts
    assert any(t.startswith(f"Action {action.reference} update: Recruitment under way.")
               for t in texts)
    [linked] = story.questions
    assert linked.question.status == QuestionStatus.answered
    assert [a.text for a in linked.answers] == ["The unit has two more investigators since May."]
    # A viewer does not see a draft question (the office's own) in the history
    draft = finding_links.question_from_finding(session, finding.id, text="A draft?", by=OFFICER)
    viewer = Actor(role=Role.viewer, label="viewer")
    seen = finding_story.story_of(session, finding, by=viewer)
    assert draft.id not in [q.question.id for q in seen.questions]
    assert not any("A draft?" in line.text for line in seen.history)
    assert any("A draft?" in line.text for line in finding_story.story_of(
        session, finding, by=OFFICER).history)


def _at(session, finding, when: datetime, latest_only: bool = False):
    """Date the finding's events (or only its latest) as if they happened then."""
    events = session.exec(select(FindingEvent).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.id)).all()
    for event in events[-1:] if latest_only else events:
        event.at = when
        session.add(event)
    session.commit()


def test_the_hmicfrs_item_lists_findings_due_or_changed_since_the_last_meeting(session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    meeting = make_meeting(session, series, starts_at=datetime(2024, 4, 9, 10))
    other_series = make_meeting(session, make_meeting_type(session, name="Other board"),
                                starts_at=datetime(2024, 4, 1, 10))
    inspection = _report(session, texts=[f"Finding {n}." for n in range(1, 8)])
    due, complete, superseded, changed, old_change, later_due, replacing = \
        _findings(session, inspection)
    long_ago = datetime(2024, 1, 5, 9, tzinfo=UTC)
    _own(session, due, dcc, due=date(2024, 4, 1), force_status="in_progress")
    _own(session, complete, dcc, due=date(2024, 2, 1), force_status="complete")
    _own(session, superseded, dcc, due=date(2024, 2, 1))
    finding_superseding.supersede(session, inspection.id, superseded.id, replacing.id, by=OFFICER)
    _own(session, old_change, dcc, due=date(2024, 12, 1))
    _own(session, later_due, dcc, due=date(2024, 4, 10))
    for finding in (due, complete, superseded, changed, old_change, later_due, replacing):
        _at(session, finding, long_ago)
    _own(session, changed, dcc, due=date(2025, 1, 1), opcc_status="partly_satisfied")
    _at(session, changed, datetime(2024, 3, 20, 12, tzinfo=UTC), latest_only=True)

    listed = finding_meetings.findings_for_meeting(session, meeting)
    assert [r.finding.id for r in listed] == [due.id, changed.id]
    assert [r.due for r in listed] == [True, False]
    assert listed[1].changes and "Commissioner's assessment" in listed[1].changes[0]
    # The other series' previous meeting is not this one's.
    assert finding_meetings.previous_meeting(session, meeting).starts_at.date() == date(2024, 3, 12)
    assert finding_meetings.previous_meeting(session, other_series) is None
    # Nothing after the meeting's day counts for it
    _own(session, later_due, dcc, due=date(2024, 4, 10), opcc_status="satisfied")
    assert later_due.id not in [r.finding.id for r in
                                finding_meetings.findings_for_meeting(session, meeting)]


def test_an_answer_to_a_findings_question_counts_as_a_change(session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session)
    make_meeting(session, series, starts_at=datetime(2024, 3, 12, 10))
    meeting = make_meeting(session, series, starts_at=datetime(2030, 4, 9, 10))
    inspection = _report(session)
    finding = _findings(session, inspection)[0]
    _own(session, finding, dcc, due=date(2031, 1, 1))
    question = finding_links.question_from_finding(session, finding.id, by=OFFICER)
    for each in _findings(session, inspection):
        _at(session, each, datetime(2024, 1, 1, tzinfo=UTC))
    assert finding_meetings.findings_for_meeting(session, meeting) == []
    question.status = QuestionStatus.sent
    session.commit()
    answer_question(session, question_id=question.id, by=OFFICER,
                    data=AnswerCreate(text="In writing: done.", in_meeting=False))
    [row] = finding_meetings.findings_for_meeting(session, meeting)
    assert row.finding.id == finding.id and row.changes == ["Answer: In writing: done."]


def test_a_draft_question_alone_does_not_put_a_finding_on_a_viewers_list(session):
    make_top_team(session)
    series = make_meeting_type(session)
    make_meeting(session, series, starts_at=datetime(2025, 3, 12, 10))
    meeting = make_meeting(session, series, starts_at=datetime(2030, 4, 9, 10))
    inspection = _report(session)
    for each in _findings(session, inspection):
        _at(session, each, datetime(2024, 1, 1, tzinfo=UTC))
    finding = _findings(session, inspection)[0]
    finding_links.question_from_finding(session, finding.id, text="Still a draft?", by=OFFICER)
    viewer = Actor(role=Role.viewer, label="viewer")
    [row] = finding_meetings.findings_for_meeting(session, meeting, by=OFFICER)
    assert "Still a draft?" in row.changes[-1]
    assert finding_meetings.findings_for_meeting(session, meeting, by=viewer) == []


def test_a_theme_lists_its_findings_whatever_the_case_and_the_change_is_in_history(session):
    inspection = _report(session)
    first, second = _findings(session, inspection)
    _own(session, first, None, theme="Roads Policing")
    assert _history(session, first)[-1] == "theme: (none) → Roads Policing"
    # A change that says nothing of the theme leaves it as it is
    _own(session, first, None, force_status="in_progress")
    session.refresh(first)
    assert first.theme == "Roads Policing"
    assert [f.id for f, _ in findings.findings_on_theme(session, "roads policing")] == [
        first.id]
    assert findings.findings_on_theme(session, "Burglary") == []
    with pytest.raises(InvalidInput):
        _own(session, second, None, theme="x" * 201)
    session.rollback()
    assert session.get(Finding, second.id).theme == ""
