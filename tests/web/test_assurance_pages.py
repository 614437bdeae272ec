"""Assurance as data through the API and on the pages: the level of an assurance statement is
set and changed through the API (a wrong one refused with a per-field message and nothing
changed), printed with the statement on the meeting's page and the live view, and followed on
the theme's page across meetings, as each reader may see it."""

import itertools
from datetime import datetime

from app.models import EntryKind, ItemKind, MeetingStatus, Role
from app.services import entries
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    bearer,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_user,
    submit_and_approve,
)
from tests.web.signing import sign_in_through_form

PASSWORD = "a long passphrase here"
_users = itertools.count(1)


def sign_in(client, session, role) -> None:
    email = f"{role}-{next(_users)}@assurance.example"
    make_user(session, role, email=email, password=PASSWORD)
    response = sign_in_through_form(client, session, email, PASSWORD)
    assert response.status_code == 303 and "/sign-in" not in response.headers["location"]


def test_the_api_sets_changes_and_refuses_levels(client, session):
    item = make_item(session, make_meeting(session))
    _, token = make_user(session, Role.secretariat)
    headers = bearer(token)
    made = client.post(f"/api/v1/items/{item.id}/entries", headers=headers, json={
        "kind": "assurance", "text": "The PCC was partly assured.",
        "assurance_level": "partially_assured"})
    assert made.status_code == 201, made.text
    assert made.json()["assurance_level"] == "partially_assured"
    entry_id = made.json()["id"]
    # Not one of the three: refused, saying which field, and nothing is saved.
    bad = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json={
        "version": 1, "text": "Changed.", "assurance_level": "fully"})
    assert bad.status_code == 422 and "assurance_level" in bad.json()["errors"]
    # On another kind: refused too.
    other = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json={
        "version": 1, "kind": "decision", "assurance_level": "assured"})
    assert other.status_code == 422 and "assurance statement" in other.json()["errors"][
        "assurance_level"]
    kept = client.get(f"/api/v1/entries/{entry_id}", headers=headers).json()
    assert (kept["version"], kept["text"], kept["kind"], kept["assurance_level"]) == (
        1, "The PCC was partly assured.", "assurance", "partially_assured")
    changed = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json={
        "version": 1, "assurance_level": "not_assured"})
    assert changed.status_code == 200 and changed.json()["assurance_level"] == "not_assured"
    history = client.get(f"/api/v1/entries/{entry_id}/revisions", headers=headers).json()["results"]
    assert [r["assurance_level"] for r in history] == ["partially_assured", "not_assured"]
    # Made into a narrative paragraph: the level goes with the kind.
    narrative = client.patch(f"/api/v1/entries/{entry_id}", headers=headers, json={
        "version": 2, "kind": "narrative"})
    assert narrative.status_code == 200 and narrative.json()["assurance_level"] is None


def test_the_meeting_page_and_live_view_print_the_level_with_the_statement(client, session):
    meeting = make_meeting(session, status=MeetingStatus.in_progress)
    item = make_item(session, meeting, title="Roads policing")
    make_entry(session, item, kind=EntryKind.assurance, text="The PCC was partly assured.",
               assurance_level="partially_assured")
    make_entry(session, item, kind=EntryKind.assurance, text="No level yet.")
    sign_in(client, session, Role.viewer)
    for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/live"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = " ".join(page.text.split())
        assert "<strong>Assurance statement – Partially assured:</strong>" in text, path
        assert text.index("Partially assured:") < text.index("The PCC was partly assured.")
        assert "<strong>Assurance statement:</strong>" in text, path


def _theme_history(session):
    series = make_meeting_type(session, name="Accountability Board")
    jan = make_meeting(session, series, starts_at=datetime(2025, 1, 14, 10))
    feb = make_meeting(session, series, starts_at=datetime(2025, 2, 11, 10))
    make_entry(session, make_item(session, jan, title="Roads policing"),
               kind=EntryKind.assurance, text="Assured on casualty figures.",
               assurance_level="assured")
    roads = make_item(session, feb, title="Roads policing")
    make_entry(session, roads, kind=EntryKind.assurance, text="Not assured on speed checks.",
               assurance_level="not_assured")
    make_entry(session, roads, kind=EntryKind.assurance, text="SECRET-STATEMENT in private.",
               exempt=True, assurance_level="partially_assured")


def test_the_theme_page_follows_assurance_over_time(client, session):
    _theme_history(session)
    sign_in(client, session, Role.secretariat)
    page = client.get("/questions/themes/Roads policing")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "Assurance over time" in text
    assert "3 statements" in text
    # Newest meeting first, each with its date and its level in words on a tag.
    assert text.index("11 February 2025") < text.index("14 January 2025")
    assert text.index("Not assured on speed checks.") < text.index("Assured on casualty")
    assert '<strong class="govuk-tag govuk-tag--red">Not assured</strong>' in text
    assert '<strong class="govuk-tag govuk-tag--green">Assured</strong>' in text
    assert "SECRET-STATEMENT" in text


def test_a_viewer_neither_sees_nor_counts_exempt_statements_on_the_theme_page(client, session):
    _theme_history(session)
    sign_in(client, session, Role.viewer)
    page = client.get("/questions/themes/roads policing")
    assert page.status_code == 200
    assert "SECRET-STATEMENT" not in page.text and "Partially assured" not in page.text
    assert "2 statements" in " ".join(page.text.split())


def test_the_theme_pages_statements_come_a_page_at_a_time(client, session, monkeypatch):
    from app.services import assurance

    _theme_history(session)
    monkeypatch.setattr(assurance, "PAGE_SIZE", 2)
    sign_in(client, session, Role.secretariat)
    first = client.get("/questions/themes/Roads policing").text
    assert "page 1 of 2" in first and "Assured on casualty figures." not in first
    assert 'href="/questions/themes/Roads%20policing?page=2#assurance"' in first
    second = client.get("/questions/themes/Roads policing?page=2").text
    assert "Assured on casualty figures." in second and "Not assured on speed" not in second
    assert client.get("/questions/themes/Roads policing?page=x").status_code == 200


def test_the_theme_page_of_an_item_with_statements_but_no_questions_is_found(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Custody", kind=ItemKind.theme)
    entry = make_entry(session, item, kind=EntryKind.assurance, text="Assured.",
                       assurance_level="assured")
    assert entries.get_entry(session, entry_id=entry.id, by=SYSTEM).assurance_level
    sign_in(client, session, Role.chair)
    assert client.get("/questions/themes/Custody").status_code == 200
    assert client.get("/questions/themes/Nothing here").status_code == 404


def test_the_approval_page_lists_a_statement_to_amend_with_its_level(client, session):
    meeting = make_meeting(session, status=MeetingStatus.draft)
    item = make_item(session, meeting, title="Roads policing")
    make_entry(session, item, kind=EntryKind.assurance, text="The PCC was not assured.",
               assurance_level="not_assured")
    submit_and_approve(session, meeting.id, Actor(role=Role.chair, label="chair"))
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/record")
    assert page.status_code == 200
    assert ("<strong>Assurance statement – Not assured:</strong> The PCC was not assured."
            in page.text)
