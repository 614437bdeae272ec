"""Assurance as data: an assurance statement keeps the level the Commissioner concluded
(assured, partially assured, not assured); it is kept on every saved version, merged like the
kind and the speaker, and followed on a theme's page across meetings as each reader may see it."""

from datetime import datetime

import pytest
from pydantic import ValidationError
from sqlmodel import select

from app.models import EntryKind, ItemKind, MinuteEntry, Role
from app.schemas import EntryCreate, EntryUpdate
from app.services import assurance, entries
from app.services.errors import Conflict, InvalidInput
from app.services.permissions import Actor
from tests.factories import SYSTEM, make_entry, make_item, make_meeting, make_meeting_type

ASSURANCE = EntryKind.assurance


def test_a_level_is_set_changed_and_taken_away_and_every_version_keeps_it(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, kind=ASSURANCE, text="The PCC was assured.",
                       assurance_level="assured")
    assert entry.assurance_level == "assured"
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, assurance_level="partially_assured"))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=2, assurance_level=None))
    assert entries.get_entry(session, entry_id=entry.id, by=SYSTEM).assurance_level is None
    history = entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)
    assert [r.assurance_level for r in history] == ["assured", "partially_assured", None]


def test_a_level_that_is_not_one_of_the_three_is_refused():
    with pytest.raises(ValidationError):
        EntryCreate(kind=ASSURANCE, text="x", assurance_level="mostly_assured")
    with pytest.raises(ValidationError):
        EntryUpdate(version=1, assurance_level="Assured!")


def test_a_level_on_another_kind_is_refused_and_nothing_changes(session):
    item = make_item(session, make_meeting(session))
    with pytest.raises(InvalidInput) as err:
        entries.create_entry(session, item_id=item.id, by=SYSTEM, data=EntryCreate(
            kind=EntryKind.narrative, text="Narrative.", assurance_level="assured"))
    assert "assurance_level" in err.value.errors
    assert session.exec(select(MinuteEntry)).all() == []
    entry = make_entry(session, item, text="Narrative.")
    with pytest.raises(InvalidInput):
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
            version=1, text="Changed.", assurance_level="not_assured"))
    again = entries.get_entry(session, entry_id=entry.id, by=SYSTEM)
    assert (again.version, again.text, again.assurance_level) == (1, "Narrative.", None)


def test_a_statement_that_becomes_another_kind_loses_its_level_but_the_history_keeps_it(
        session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, kind=ASSURANCE, text="Assured.",
                       assurance_level="assured")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, kind=EntryKind.narrative))
    assert entry.assurance_level is None
    assert [r.assurance_level for r in entries.list_revisions(
        session, entry_id=entry.id, by=SYSTEM)] == ["assured", None]
    # Back to a statement, with its level given again in the same save.
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=2, kind=ASSURANCE, assurance_level="assured"))
    assert entry.assurance_level == "assured"


def test_a_colleagues_change_of_level_is_merged_not_lost(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, kind=ASSURANCE, text="The PCC was assured.",
                       assurance_level="assured")
    # A colleague changes the level; this tab, still on version 1, changes the text and sends
    # the level it had.
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, assurance_level="not_assured"))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="The PCC was assured on most points.", assurance_level="assured"))
    assert (entry.text, entry.assurance_level) == (
        "The PCC was assured on most points.", "not_assured")


def test_two_different_levels_from_the_same_version_are_both_shown(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, kind=ASSURANCE, text="Statement.")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, assurance_level="not_assured"))
    with pytest.raises(Conflict) as err:
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
            version=1, assurance_level="partially_assured"))
    assert err.value.extra["clashing"] == ["assurance_level"]
    assert err.value.extra["proposal"]["assurance_level"] == "partially_assured"
    assert err.value.current.assurance_level == "not_assured"
    assert entry.assurance_level == "not_assured" and entry.version == 2


def test_a_level_given_while_a_colleague_changed_the_kind_is_shown_to_choose(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, kind=ASSURANCE, text="Statement.")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, kind=EntryKind.decision))
    with pytest.raises(Conflict) as err:
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
            version=1, assurance_level="assured"))
    assert err.value.extra["clashing"] == ["assurance_level"]
    assert (entry.kind, entry.assurance_level) == (EntryKind.decision, None)


# --- the theme's assurance over time ----------------------------------------------------------


def _statements(session):
    series = make_meeting_type(session, name="Accountability Board")
    earlier = make_meeting(session, series, starts_at=datetime(2025, 1, 14, 10))
    later = make_meeting(session, series, starts_at=datetime(2025, 2, 11, 10))
    roads = make_item(session, earlier, title="Roads policing")
    make_entry(session, roads, kind=ASSURANCE, text="Assured in January.",
               assurance_level="assured")
    make_entry(session, roads, text="Not a statement.")
    theme = make_item(session, later, title="Roads Policing")
    sub = make_item(session, later, title="Performance", parent=theme)
    make_entry(session, sub, kind=ASSURANCE, text="Partly in February.",
               assurance_level="partially_assured")
    make_entry(session, theme, kind=ASSURANCE, text="Exempt paragraph.", exempt=True,
               assurance_level="not_assured")
    covert = make_item(session, later, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31")
    under = make_item(session, later, title="Roads policing", parent=covert)
    make_entry(session, under, kind=ASSURANCE, text="Under an exempt item.",
               assurance_level="not_assured")
    other = make_item(session, later, title="Custody")
    make_entry(session, other, kind=ASSURANCE, text="Another theme.")


def test_a_themes_statements_newest_meeting_first_with_their_levels(session, monkeypatch):
    _statements(session)
    found = assurance.theme_assurance(session, theme="roads policing", by=SYSTEM)
    assert found.total == 4
    assert [(r.text, r.level, r.exempt) for r in found.rows] == [
        ("Exempt paragraph.", "not_assured", True),
        ("Partly in February.", "partially_assured", False),
        ("Under an exempt item.", "not_assured", True),
        ("Assured in January.", "assured", False),
    ]
    assert found.rows[-1].meeting_type == "Accountability Board"
    monkeypatch.setattr(assurance, "PAGE_SIZE", 3)
    last = assurance.theme_assurance(session, theme="Roads policing", by=SYSTEM, page=9)
    assert (last.page, last.pages, [r.text for r in last.rows]) == (
        2, 2, ["Assured in January."])


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_readers_who_may_not_see_part_2_neither_see_nor_count_exempt_statements(
        session, role):
    _statements(session)
    found = assurance.theme_assurance(session, theme="Roads policing", by=Actor(role=role))
    assert found.total == 2
    assert [r.text for r in found.rows] == ["Partly in February.", "Assured in January."]
