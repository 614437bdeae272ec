"""The agenda builder works with plain forms: add, change, nest, move, delete, attach."""

import re

import pytest

from app.models import Role
from app.services import agenda
from app.services.meetings import meeting_type_of, set_minutes_format
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    make_entry,
    make_item,
    make_meeting,
    make_top_team,
)
from tests.web.test_live import sign_in


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def numbers(session, meeting):
    return [(n.number, n.item.title) for n in agenda.flatten(agenda.agenda_tree(session,
                                                                               meeting.id))]


@pytest.fixture
def officer(client, session):
    sign_in(client, session, Role.secretariat)
    return client


def test_build_an_agenda_with_forms(officer, session):
    pcc, _, dcc = make_top_team(session)
    meeting = make_meeting(session)
    hta = make_item(session, meeting, title="Holding to account")
    page = officer.get(f"/meetings/{meeting.id}/agenda")
    assert page.status_code == 200
    token = csrf(page.text)
    base = f"/meetings/{meeting.id}/agenda/items"
    added = officer.post(base, data={"csrf_token": token, "title": "Roads policing",
                                     "parent_id": str(hta.id), "kind": "theme"},
                         follow_redirects=False)
    assert added.status_code == 303
    session.rollback()  # see what the app committed since this session last read
    roads = agenda.items_of(session, meeting.id)[-1]
    for title in ("Performance", "Partnership working"):
        officer.post(base, data={"csrf_token": token, "title": title,
                                 "parent_id": str(roads.id)})
    session.rollback()
    partnership = [i for i in agenda.items_of(session, meeting.id)
                   if i.title == "Partnership working"][0]
    officer.post(f"{base}/{partnership.id}/move", data={"csrf_token": token, "direction": "up"})
    officer.post(f"{base}/{roads.id}", data={
        "csrf_token": token, "title": "Roads Policing", "kind": "theme",
        "presenter_id": str(dcc.id), "purpose": "assurance",
        "paper_due-day": "23", "paper_due-month": "4", "paper_due-year": "2019",
        "commission": "The Commissioner requires a report that sets out how the force works "
                      "with the Safer Roads Partnership."})
    session.rollback()
    assert numbers(session, meeting) == [
        ("1", "Holding to account"), ("1.1", "Roads Policing"),
        ("1.1.1", "Partnership working"), ("1.1.2", "Performance")]
    roads = agenda.get_item(session, roads.id)
    assert (roads.presenter_id, roads.purpose, str(roads.paper_due_on)) == (
        dcc.id, "assurance", "2019-04-23")
    assert pcc  # the Commissioner is there to be chosen, not presenting


def test_a_date_that_does_not_exist_keeps_what_was_typed(officer, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    token = csrf(officer.get(f"/meetings/{meeting.id}/agenda").text)
    response = officer.post(f"/meetings/{meeting.id}/agenda/items/{item.id}", data={
        "csrf_token": token, "title": "Roads policing <b>", "commission": "Keep this text.",
        "paper_due-day": "31", "paper_due-month": "2", "paper_due-year": "2026"})
    assert response.status_code == 422
    assert "The date the paper is due must be a real date" in response.text
    assert f'href="#item-{item.id}-paper_due-day"' in response.text
    assert "Keep this text." in response.text
    for part, value in (("day", "31"), ("month", "2"), ("year", "2026")):
        assert f'id="item-{item.id}-paper_due-{part}" name="paper_due-{part}" type="text" ' \
            f'inputmode="numeric" autocomplete="off" value="{value}"' in response.text
    assert "Roads policing &lt;b&gt;" in response.text
    assert agenda.get_item(session, item.id).commission == ""


def test_a_paper_due_date_without_its_month_is_refused(officer, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    token = csrf(officer.get(f"/meetings/{meeting.id}/agenda").text)
    response = officer.post(f"/meetings/{meeting.id}/agenda/items/{item.id}", data={
        "csrf_token": token, "title": "Roads policing", "commission": "Keep this text.",
        "paper_due-day": "23", "paper_due-year": "2026"})
    assert response.status_code == 422
    assert "The date the paper is due must include a month" in response.text
    session.rollback()
    stored = agenda.get_item(session, item.id)
    assert (stored.commission, stored.paper_due_on) == ("", None)


def test_an_item_with_minutes_is_not_deleted_and_says_why(officer, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    make_entry(session, item, text="Minuted.")
    token = csrf(officer.get(f"/meetings/{meeting.id}/agenda").text)
    response = officer.post(f"/meetings/{meeting.id}/agenda/items/{item.id}/delete",
                            data={"csrf_token": token})
    assert response.status_code == 409
    assert "holds 1 minute entries" in response.text
    empty = make_item(session, meeting, title="AOB")
    assert officer.post(f"/meetings/{meeting.id}/agenda/items/{empty.id}/delete",
                        data={"csrf_token": token}, follow_redirects=False).status_code == 303


def test_papers_are_checked_by_their_content(officer, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    token = csrf(officer.get(f"/meetings/{meeting.id}/agenda").text)
    url = f"/meetings/{meeting.id}/agenda/items/{item.id}/papers"
    fake = officer.post(url, data={"csrf_token": token},
                        files={"file": ("report.pdf", b"MZ\x90\x00 an executable",
                                        "application/pdf")})
    assert fake.status_code == 422 and "is not a PDF or Word document" in fake.text
    good = officer.post(url, data={"csrf_token": token},
                        files={"file": ("Roads report.pdf", PDF_BYTES, "application/pdf")},
                        follow_redirects=False)
    assert good.status_code == 303
    page = officer.get(f"/meetings/{meeting.id}/agenda")
    assert "Roads report.pdf" in page.text
    paper_url = re.search(r'href="(/api/v1/papers/\d+)"', page.text).group(1)
    download = officer.get(paper_url)
    assert download.content == PDF_BYTES
    assert download.headers["content-type"] == "application/pdf"


def test_forms_without_the_csrf_token_or_by_a_reader_are_refused(client, session):
    meeting = make_meeting(session)
    sign_in(client, session, Role.viewer)
    page = client.get(f"/meetings/{meeting.id}/agenda")
    assert page.status_code == 200 and "Add an item" not in page.text
    token = csrf(page.text)
    refused = client.post(f"/meetings/{meeting.id}/agenda/items",
                          data={"csrf_token": token, "title": "Sneaky"})
    assert refused.status_code == 403
    assert client.post(f"/meetings/{meeting.id}/agenda/items",
                       data={"title": "No token"}).status_code == 403
    assert agenda.items_of(session, meeting.id) == []


@pytest.mark.parametrize("form", [
    {"title": ""},  # an item's title taken away
    {"title": "Roads policing", "exempt": "on", "exempt_reason": ""},  # exempt, no reason
])
def test_each_message_of_a_refused_item_links_to_its_field(officer, session, form):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    token = csrf(officer.get(f"/meetings/{meeting.id}/agenda").text)
    response = officer.post(f"/meetings/{meeting.id}/agenda/items/{item.id}",
                            data={"csrf_token": token, **form})
    assert response.status_code == 422
    links = re.findall(r'<a href="#([^"]+)"', response.text.split("govuk-error-summary__list")[1]
                       .split("</ul>")[0])
    assert links, response.text[:500]
    for target in links:
        assert f'id="{target}"' in response.text, target


def test_a_refused_new_item_links_to_its_title(officer, session):
    meeting = make_meeting(session)
    token = csrf(officer.get(f"/meetings/{meeting.id}/agenda").text)
    response = officer.post(f"/meetings/{meeting.id}/agenda/items",
                            data={"csrf_token": token, "title": ""})
    assert response.status_code == 422
    assert 'href="#new-item-title"' in response.text and 'id="new-item-title"' in response.text


def test_the_agenda_shows_the_numbers_of_a_series_that_runs_them_on(officer, session):
    meeting = make_meeting(session)
    hta = make_item(session, meeting, title="Holding to account")
    make_item(session, meeting, title="Roads policing", parent=hta)
    series = meeting_type_of(session, meeting)
    nested = officer.get(f"/meetings/{meeting.id}/agenda").text
    assert 'aria-label="Item 1.1: Roads policing"' in nested
    set_minutes_format(session, series_id=series.id, by=SYSTEM,
                       options={"preset": "panel", "first_minute_number": 598})
    session.commit()
    page = officer.get(f"/meetings/{meeting.id}/agenda").text
    assert re.findall(r'assure-agenda-row__number">([^<]*)<', page) == ["598.", "599."]
    assert 'aria-label="Item 599: Roads policing"' in page and "Change item 599<" in page
