"""The public record (/public): the action log of published meetings and the register of
decisions, as anyone may read them without signing in. Only what published minutes made
public is there: no action or decision of unpublished minutes, no exempt action, no words of
a decision made in private (which is named by its item's title and the reason)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from app.models import ActionStatus, EntryKind, Rag, Side
from app.schemas import ActionUpdateCreate
from app.services import actions, entries, public_record
from app.services.approval import approve_by_chair, submit_to_chair
from app.services.dates import today
from app.services.errors import InvalidInput, NotFound
from app.services.papers import attach_paper
from app.services.publication import publish_minutes
from app.services.redaction import set_action_exemption
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
)

DECISION = EntryKind.decision


def publish(session, meeting):
    submit_to_chair(session, meeting_id=meeting.id, by=SYSTEM)
    approve_by_chair(session, meeting_id=meeting.id, by=SYSTEM)
    publish_minutes(session, meeting_id=meeting.id, by=SYSTEM)
    session.commit()


@dataclass
class World:
    published: object
    unpublished: object
    open_action: object
    closed_action: object
    paused_action: object
    decision: object
    private_decision: object
    report: object


@pytest.fixture
def world(session) -> World:
    pcc = make_person(session, full_name="Pat Commissioner", initials="PC",
                      role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    dcc = make_person(session, full_name="Dana Deputy", initials="DD", side=Side.force,
                      role_title="Deputy Chief Constable", role_abbreviation="DCC")
    acc = make_person(session, full_name="Alex Assistant", initials="AA", side=Side.force,
                      role_title="", role_abbreviation="ACC")
    nobody = make_person(session, full_name="Sam Named", initials="SN", side=Side.force,
                         role_title="", role_abbreviation="")
    series = make_meeting_type(session, name="Accountability Board")
    march = make_meeting(session, series, starts_at=datetime(2025, 3, 18, 10), chair_id=pcc.id,
                         status="draft")
    april = make_meeting(session, series, starts_at=datetime(2026, 4, 21, 10), chair_id=pcc.id,
                         status="draft")
    roads = make_item(session, march, title="Roads policing")
    theme = make_item(session, march, parent=roads, title="Speed cameras")
    private = make_item(session, march, title="Covert tactics", exempt=True,
                        exempt_reason="section 31 of the Freedom of Information Act 2000")
    private_sub = make_item(session, march, parent=private, title="SecretSubTitle")
    decision = make_entry(session, theme, kind=DECISION, text="The PCC approved new cameras.")
    make_entry(session, roads, kind=DECISION, text="HiddenDecisionWords about informants.",
               exempt=True, exempt_reason="section 40")
    private_decision = make_entry(session, private_sub, kind=DECISION,
                                  text="SecretDecisionWords on tactics.")
    gone = make_entry(session, roads, kind=DECISION, text="A decision deleted after.")
    entries.delete_entry(session, entry_id=gone.id, by=SYSTEM)
    report = attach_paper(session, item_id=theme.id, filename="cameras.pdf", content=PDF_BYTES,
                          by=SYSTEM)
    attach_paper(session, item_id=private_sub.id, filename="SecretPaper.pdf",
                 content=PDF_BYTES, by=SYSTEM)

    soon = today() + timedelta(days=5)
    open_action = make_action(session, [dcc, acc], meeting_id=march.id, item_id=theme.id,
                              text="The DCC to review the camera contract.", due_date=soon)
    actions.add_update(session, action_id=open_action.id, by=SYSTEM,
                       data=ActionUpdateCreate(text="Contract review started."))
    actions.add_update(session, action_id=open_action.id, by=SYSTEM,
                       data=ActionUpdateCreate(status=ActionStatus.in_progress))
    closed_action = make_action(session, [nobody], meeting_id=march.id, item_id=roads.id,
                                text="Publish the camera sites.", due_date=date(2025, 4, 1))
    actions.add_update(session, action_id=closed_action.id, by=SYSTEM,
                       data=ActionUpdateCreate(text="Done.", status=ActionStatus.closed))
    paused_action = make_action(session, [acc], meeting_id=march.id, item_id=roads.id,
                                text="Report on overdue speed awareness courses.",
                                due_date=date(2025, 5, 1))
    under_private = make_action(session, [dcc], meeting_id=march.id, item_id=private_sub.id,
                                text="SecretActionUnderItem to brief.")
    actions.add_update(session, action_id=under_private.id, by=SYSTEM,
                       data=ActionUpdateCreate(text="SecretUpdateWords"))
    marked = make_action(session, [dcc], meeting_id=march.id, item_id=roads.id,
                         text="SecretMarkedAction on sources.")
    set_action_exemption(session, action_id=marked.id, exempt=True, reason="section 30",
                         by=SYSTEM)
    make_action(session, [dcc], meeting_id=april.id, text="UnpublishedAction to report.")
    make_action(session, [dcc], text="OutsideMeetingAction to report.")
    april_item = make_item(session, april, title="Custody")
    make_entry(session, april_item, kind=DECISION, text="UnpublishedDecision on custody.")
    publish(session, march)
    # Paused after publication: the log shows an action as it stands now.
    actions.add_update(session, action_id=paused_action.id, by=SYSTEM,
                       data=ActionUpdateCreate(status=ActionStatus.paused))
    session.commit()
    return World(published=march, unpublished=april, open_action=open_action,
                 closed_action=closed_action, paused_action=paused_action,
                 decision=decision, private_decision=private_decision, report=report)


def _actions(session, **filters):
    return public_record.actions_page(
        session, filters=public_record.ActionFilters(**filters)).rows


def _decisions(session, **filters):
    return public_record.decisions_page(
        session, filters=public_record.DecisionFilters(**filters)).rows


def test_the_action_log_holds_the_non_exempt_actions_of_published_meetings_only(session, world):
    found = _actions(session)
    texts = {row.text for row in found}
    assert texts == {"The DCC to review the camera contract.", "Publish the camera sites.",
                     "Report on overdue speed awareness courses."}
    everything = repr(found)
    for secret in ("Secret", "UnpublishedAction", "OutsideMeetingAction"):
        assert secret not in everything


def test_an_action_shows_its_owners_roles_status_rag_in_words_and_latest_public_update(
        session, world):
    rows = {row.reference: row for row in _actions(session)}
    current = rows[world.open_action.reference]
    # the role title, else the abbreviation; a name only when nothing else is known
    assert current.owners == ["Deputy Chief Constable", "ACC"]
    assert current.status == "In progress"
    assert (current.rag, current.rag_words) == (Rag.amber, "Amber: due within 14 days")
    # the latest update with words (the later one only changed the status)
    assert current.latest_update == "Contract review started."
    assert current.meeting_title == "Accountability Board March 2025"
    assert current.raised_on == date(2025, 3, 18)
    closed = rows[world.closed_action.reference]
    assert closed.owners == ["SN"]  # no role: by initials, as the minutes, never by name
    assert (closed.status, closed.rag, closed.rag_words) == ("Closed", None, "None: closed")
    assert closed.latest_update == "Done."
    paused = rows[world.paused_action.reference]
    assert (paused.status, paused.rag_words) == ("Paused", "Red: overdue")
    assert paused.latest_update == ""


def test_the_action_log_filters_by_status_rag_year_meeting_and_words(session, world):
    def refs(**filters):
        return {row.reference for row in _actions(session, **filters)}

    every = refs()
    assert refs(status=ActionStatus.closed) == {world.closed_action.reference}
    assert refs(rag=Rag.red) == {world.paused_action.reference}
    assert refs(rag=Rag.amber) == {world.open_action.reference}
    assert refs(year=2025) == every
    assert refs(year=2026) == set()
    assert refs(meeting_id=world.published.id) == every
    assert refs(words=["contract"]) == {world.open_action.reference}
    assert refs(words=["review", "STARTED"]) == {world.open_action.reference}  # the update
    assert refs(words=["camera", "nowhere"]) == set()
    assert refs(words=["SecretUpdateWords"]) == set()  # an exempt action's update
    assert refs(words=["%"]) == set()  # a wildcard is a character like any other


def test_bad_action_filters_are_refused_naming_each(session, world):
    with pytest.raises(InvalidInput) as refused:
        public_record.action_filters(session, {
            "status": "done", "rag": "purple", "year": "20x5", "q": "cameras\x00",
            "meeting": str(world.unpublished.id)})
    assert set(refused.value.errors) == {"status", "rag", "year", "q", "meeting"}
    with pytest.raises(InvalidInput) as refused:
        public_record.action_filters(session, {"q": "word " * 100})
    assert "at most 200" in refused.value.errors["q"]
    with pytest.raises(InvalidInput):
        public_record.action_filters(session, {"meeting": "99999999999999999999"})
    chosen = public_record.action_filters(session, {
        "status": "closed", "rag": "red", "year": "2025", "meeting": str(world.published.id),
        "q": "  camera  contract "})
    assert chosen.params() == {"status": "closed", "rag": "red", "year": "2025",
                               "meeting": str(world.published.id), "q": "camera contract"}


def test_the_action_log_is_paged_by_keyset_and_a_cursor_keeps_to_its_filters(session, world):
    first = public_record.actions_page(session, filters=public_record.ActionFilters(), limit=2)
    assert first.total == 3 and len(first.rows) == 2 and first.page.next_cursor
    second = public_record.actions_page(session, filters=public_record.ActionFilters(),
                                        limit=2, after=first.page.next_cursor)
    assert len(second.rows) == 1 and second.page.next_cursor is None
    seen = [r.reference for r in first.rows + second.rows]
    assert len(set(seen)) == 3
    assert seen == sorted(seen, reverse=True)  # the latest raised first
    with pytest.raises(InvalidInput):
        public_record.actions_page(session, limit=2, after=first.page.next_cursor,
                                   filters=public_record.ActionFilters(rag=Rag.red))


def test_the_spreadsheet_rows_are_every_action_the_filters_select(session, world):
    assert [r.reference for r in public_record.all_actions(
        session, filters=public_record.ActionFilters())] == \
        [r.reference for r in _actions(session)]
    assert [r.reference for r in public_record.all_actions(
        session, filters=public_record.ActionFilters(status=ActionStatus.closed))] == \
        [world.closed_action.reference]


def test_the_register_lists_published_decisions_and_names_a_private_one_by_its_item(
        session, world):
    found = _decisions(session)
    assert len(found) == 2
    everything = repr(found)
    for secret in ("SecretDecisionWords", "SecretSubTitle", "SecretPaper", "HiddenDecision",
                   "Unpublished", "deleted"):
        assert secret not in everything
    public, private = sorted(found, key=lambda d: d.exempt)
    assert public.title == "Roads policing: Speed cameras"
    assert public.summary == "The PCC approved new cameras."
    assert public.decision_maker == "Police and Crime Commissioner"  # the chair, by role
    assert public.decided_on == date(2025, 3, 18)
    assert [p.filename for p in public.reports] == ["cameras.pdf"]
    assert public.minutes_document_id is not None
    # the topmost exempt item's title and why: the public edition names it so
    assert private.exempt and private.title == "Covert tactics"
    assert private.exempt_notice == ("This item was considered in private (exempt under "
                                     "section 31 of the Freedom of Information Act 2000).")
    assert (private.summary, private.decision_maker, private.reports) == ("", "", [])


def test_the_register_filters_by_year_and_words_without_searching_private_words(
        session, world):
    def titles(**filters):
        return sorted(d.title for d in _decisions(session, **filters))

    assert titles(year=2025) == ["Covert tactics", "Roads policing: Speed cameras"]
    assert titles(year=2026) == []
    assert titles(words=["cameras"]) == ["Roads policing: Speed cameras"]
    assert titles(words=["approved", "PCC"]) == ["Roads policing: Speed cameras"]
    assert titles(words=["covert"]) == ["Covert tactics"]
    assert titles(words=["SecretDecisionWords"]) == []
    assert titles(words=["SecretSubTitle"]) == []
    assert titles(words=["HiddenDecisionWords"]) == []
    with pytest.raises(InvalidInput) as refused:
        public_record.decision_filters({"year": "1", "q": "a\x07b"})
    assert set(refused.value.errors) == {"year", "q"}


def test_a_decisions_page_and_its_reports_only_for_what_is_public(session, world):
    from sqlmodel import select

    from app.models import DecisionReference

    refs = {r.entry_id: r.id for r in session.exec(select(DecisionReference))}
    shown = public_record.get_decision(session, refs[world.decision.id])
    assert shown.summary == "The PCC approved new cameras."
    paper = public_record.decision_paper(session, decision_id=refs[world.decision.id],
                                         paper_id=world.report.id)
    assert paper.filename == "cameras.pdf"
    private = public_record.get_decision(session, refs[world.private_decision.id])
    assert private.exempt and private.summary == ""
    with pytest.raises(NotFound):
        public_record.decision_paper(session, decision_id=refs[world.private_decision.id],
                                     paper_id=world.report.id)
    for entry_id, decision_id in refs.items():
        if entry_id not in (world.decision.id, world.private_decision.id):
            with pytest.raises(NotFound):  # exempt paragraph, unpublished, deleted
                public_record.get_decision(session, decision_id)
    with pytest.raises(NotFound):
        public_record.get_decision(session, 10_000)
