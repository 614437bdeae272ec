"""Decisions as data: a paragraph minuted as a decision gets a reference in the office's format,
numbered in order within its meeting's year, once; the register lists current decisions as
each reader may see them."""

from datetime import datetime

import pytest

from app.models import EntryKind, ItemKind, Role
from app.schemas import EntryUpdate
from app.services import decisions, entries
from app.services.decisions import DecisionFilters
from app.services.errors import InvalidInput
from app.services.office import OfficeChanges, update_office
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    committed,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
)

DECISION = EntryKind.decision


def ref(session, entry) -> str:
    return decisions.reference_of(session, entry.id)


def test_decisions_are_numbered_in_order_within_their_meetings_year(session):
    series = make_meeting_type(session)
    april = make_item(session, make_meeting(session, series, starts_at=datetime(2025, 4, 30, 10)))
    may = make_item(session, make_meeting(session, series, starts_at=datetime(2025, 5, 28, 10)))
    next_year = make_item(session, make_meeting(session, series,
                                                starts_at=datetime(2026, 1, 27, 10)))
    first = make_entry(session, april, kind=DECISION, text="The board agreed the plan.")
    narrative = make_entry(session, april, text="The PCC asked about ANPR.")
    second = make_entry(session, may, kind=DECISION, text="The board agreed the budget.")
    other_year = make_entry(session, next_year, kind=DECISION, text="Agreed.")
    assert [ref(session, e) for e in (first, narrative, second, other_year)] == [
        "D/2025/001", "", "D/2025/002", "D/2026/001"]


def test_a_paragraph_changed_to_a_decision_gets_its_reference_and_keeps_it(session):
    item = make_item(session, make_meeting(session, starts_at=datetime(2025, 6, 3, 10)))
    make_entry(session, item, kind=DECISION, text="Agreed first.")
    entry = make_entry(session, item, text="The board agreed to fund the pilot.")
    assert ref(session, entry) == ""
    committed(session, entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                                            data=EntryUpdate(version=1, kind=DECISION)))
    assert ref(session, entry) == "D/2025/002"
    # Changed back: the reference is kept (never given to another), but it is no longer
    # listed; made a decision again, it has the same reference.
    committed(session, entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                                            data=EntryUpdate(version=2, kind="narrative")))
    assert ref(session, entry) == "D/2025/002"
    listed = decisions.all_decisions(session, by=SYSTEM, filters=DecisionFilters())
    assert [r.reference for r in listed] == ["D/2025/001"]
    third = make_entry(session, item, kind=DECISION, text="Agreed third.")
    assert ref(session, third) == "D/2025/003"
    committed(session, entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                                            data=EntryUpdate(version=3, kind=DECISION)))
    assert ref(session, entry) == "D/2025/002"


def test_two_decisions_made_in_one_request_get_different_references(session):
    from app.schemas import EntryCreate

    item = make_item(session, make_meeting(session, starts_at=datetime(2025, 6, 3, 10)))
    # One unit of work, nothing committed between the two.
    one = entries.create_entry(session, item_id=item.id, by=SYSTEM,
                               data=EntryCreate(kind=DECISION, text="Agreed one."))
    two = entries.create_entry(session, item_id=item.id, by=SYSTEM,
                               data=EntryCreate(kind=DECISION, text="Agreed two."))
    session.commit()
    assert (ref(session, one), ref(session, two)) == ("D/2025/001", "D/2025/002")


def test_the_offices_decision_reference_format_is_used_and_checked(session):
    committed(session, update_office(session, by=SYSTEM, changes=OfficeChanges(
        decision_reference_format="DEC-{year}-{seq:04d}")))
    item = make_item(session, make_meeting(session, starts_at=datetime(2025, 6, 3, 10)))
    assert ref(session, make_entry(session, item, kind=DECISION)) == "DEC-2025-0001"
    with pytest.raises(InvalidInput) as refused:
        update_office(session, by=SYSTEM, changes=OfficeChanges(
            decision_reference_format="D/{year}"))
    assert "decision_reference_format" in refused.value.errors
    assert "D/{year}/{seq:03d}" in refused.value.errors["decision_reference_format"]


def test_the_register_filters_by_series_year_and_title_words_and_pages(session, monkeypatch):
    board = make_meeting_type(session, name="Board")
    panel = make_meeting_type(session, name="Panel")
    meeting_2024 = make_meeting(session, board, starts_at=datetime(2024, 3, 12, 10))
    meeting_2025 = make_meeting(session, panel, starts_at=datetime(2025, 3, 11, 10))
    custody = make_item(session, meeting_2024, title="Custody")
    detention = make_item(session, meeting_2024, title="Detention reviews", parent=custody)
    roads = make_item(session, meeting_2025, title="Roads policing")
    make_entry(session, custody, kind=DECISION, text="On custody.")
    make_entry(session, detention, kind=DECISION, text="On reviews.")
    make_entry(session, roads, kind=DECISION, text="On roads.")

    def texts(**kw):
        return [r.text for r in decisions.all_decisions(session, by=SYSTEM,
                                                         filters=DecisionFilters(**kw))]

    assert texts() == ["On roads.", "On reviews.", "On custody."]  # latest first
    assert texts(series_id=board.id) == ["On reviews.", "On custody."]
    assert texts(year=2025) == ["On roads."]
    # A theme's words find its sub-themes' decisions too; % and _ are only letters.
    assert texts(words=["CUSTODY"]) == ["On reviews.", "On custody."]
    assert texts(words=["detention", "reviews"]) == ["On reviews."]
    assert texts(words=["%"]) == []
    monkeypatch.setattr(decisions, "PAGE_SIZE", 2)
    first = decisions.decisions_page(session, by=SYSTEM, filters=DecisionFilters(), page=1)
    last = decisions.decisions_page(session, by=SYSTEM, filters=DecisionFilters(), page=99)
    assert (first.total, first.pages, [r.text for r in first.rows]) == (
        3, 2, ["On roads.", "On reviews."])
    assert (last.page, [r.text for r in last.rows]) == (2, ["On custody."])


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_readers_who_may_not_see_part_2_never_see_exempt_decisions(session, role):
    meeting = make_meeting(session, starts_at=datetime(2025, 3, 11, 10))
    open_item = make_item(session, meeting, title="Roads policing")
    exempt = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31")
    under_exempt = make_item(session, meeting, title="Sources", parent=exempt)
    make_entry(session, open_item, kind=DECISION, text="Open decision.")
    make_entry(session, open_item, kind=DECISION, text="Exempt paragraph.", exempt=True)
    make_entry(session, exempt, kind=DECISION, text="Under an exempt item.")
    make_entry(session, under_exempt, kind=DECISION, text="Under its sub-item.")
    reader = Actor(role=role)
    seen = decisions.all_decisions(session, by=reader, filters=DecisionFilters())
    assert [r.text for r in seen] == ["Open decision."]
    page = decisions.decisions_page(session, by=reader, filters=DecisionFilters())
    assert page.total == 1 and [r.text for r in page.rows] == ["Open decision."]
    office = decisions.all_decisions(session, by=Actor(role=Role.secretariat),
                                     filters=DecisionFilters())
    assert {r.text: r.exempt for r in office} == {
        "Open decision.": False, "Exempt paragraph.": True, "Under an exempt item.": True,
        "Under its sub-item.": True}
