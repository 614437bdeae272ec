"""Papers from the force: a force officer uploads (or replaces) the paper for the agenda items
they present, and only those; a paper that arrives after its due date keeps how late it was."""

from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from app.models import MeetingStatus, Paper, Role
from app.schemas import ItemUpdate, MeetingUpdate
from app.services import agenda, meetings, papers
from app.services.dates import today
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    bearer,
    make_item,
    make_meeting,
    make_top_team,
    make_user,
)
from tests.web.signing import csrf_of, sign_in_through_form

PASSWORD = "a long passphrase here"


@pytest.fixture
def agenda_of(session):
    """A meeting in a fortnight with an item the DCC presents (paper due two days ago), one
    the CC presents, and a Part 2 item the DCC presents."""
    pcc, cc, dcc = make_top_team(session)
    meeting = make_meeting(session, starts_at=datetime.now() + timedelta(days=14))
    mine = make_item(session, meeting, title="Roads policing", presenter_id=dcc.id)
    agenda.update_item(session, item_id=mine.id, by=SYSTEM,
                       data=ItemUpdate(paper_due_on=today() - timedelta(days=2)))
    theirs = make_item(session, meeting, title="Custody", presenter_id=cc.id)
    private = make_item(session, meeting, title="Covert tactics", presenter_id=dcc.id,
                        exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    session.commit()
    return {"meeting": meeting, "mine": mine, "theirs": theirs, "private": private,
            "dcc": dcc, "cc": cc}


def sign_in_as_dcc(client, session, agenda_of):
    user, token = make_user(session, Role.force, person=agenda_of["dcc"],
                            email="dcc@force.example", password=PASSWORD)
    assert sign_in_through_form(client, session, "dcc@force.example", PASSWORD
                                ).status_code == 303
    return user, token


def upload(client, meeting, item, content=PDF_BYTES, name="Roads policing.pdf", **data):
    page = client.get(f"/meetings/{meeting.id}/agenda")
    return client.post(f"/meetings/{meeting.id}/agenda/items/{item.id}/papers",
                       data={"csrf_token": csrf_of(page.text), **data},
                       files={"file": (name, content, "application/pdf")},
                       follow_redirects=False)


def kept(session, item) -> list[Paper]:
    session.expire_all()
    return list(session.exec(select(Paper).where(Paper.item_id == item.id)))


def test_the_presenter_uploads_the_paper_for_their_item(client, session, agenda_of):
    user, _ = sign_in_as_dcc(client, session, agenda_of)
    page = client.get(f"/meetings/{agenda_of['meeting'].id}/agenda").text
    assert "You present 1 item of this meeting." in page
    assert f'action="/meetings/{agenda_of["meeting"].id}/agenda/items/{agenda_of["mine"].id}' \
           f'/papers"' in page
    assert f'items/{agenda_of["theirs"].id}/papers"' not in page
    assert f'items/{agenda_of["private"].id}/papers"' not in page
    assert upload(client, agenda_of["meeting"], agenda_of["mine"]).status_code == 303
    [paper] = kept(session, agenda_of["mine"])
    assert paper.uploaded_by_id == user.id and paper.filename == "Roads policing.pdf"
    page = client.get(f"/meetings/{agenda_of['meeting'].id}/agenda").text
    assert "Roads policing.pdf" in page and "Arrived 2 days late" in page
    assert "Replace your paper for item 1" in page


def test_a_late_paper_keeps_how_late_it_was_when_the_meeting_and_deadline_move(
        client, session, agenda_of):
    sign_in_as_dcc(client, session, agenda_of)
    upload(client, agenda_of["meeting"], agenda_of["mine"])
    [paper] = kept(session, agenda_of["mine"])
    assert (paper.due_on, paper.days_late) == (today() - timedelta(days=2), 2)
    meetings.update_meeting(session, meeting_id=agenda_of["meeting"].id, by=SYSTEM,
                            data=MeetingUpdate(starts_at=datetime.now() + timedelta(days=40)))
    agenda.update_item(session, item_id=agenda_of["mine"].id, by=SYSTEM,
                       data=ItemUpdate(paper_due_on=today() + timedelta(days=20)))
    session.commit()
    [paper] = kept(session, agenda_of["mine"])
    assert paper.days_late == 2
    page = client.get(f"/meetings/{agenda_of['meeting'].id}/agenda").text
    assert "Arrived 2 days late" in page


def test_a_paper_on_time_or_with_no_due_date_is_not_late(session, agenda_of):
    assert papers.lateness(today(), today()) == 0
    assert papers.lateness(None, today()) is None
    agenda.update_item(session, item_id=agenda_of["theirs"].id, by=SYSTEM,
                       data=ItemUpdate(paper_due_on=today()))
    paper = papers.attach_paper(session, item_id=agenda_of["theirs"].id, filename="a.pdf",
                                content=PDF_BYTES, by=SYSTEM)
    assert (paper.days_late, papers.late_words(paper)) == (0, "")
    paper.days_late = 1
    assert papers.late_words(paper) == "Arrived 1 day late"


def test_replacing_takes_the_place_of_their_earlier_paper(client, session, agenda_of):
    sign_in_as_dcc(client, session, agenda_of)
    office = papers.attach_paper(session, item_id=agenda_of["mine"].id, filename="Cover.pdf",
                                 content=PDF_BYTES, by=SYSTEM)
    session.commit()
    upload(client, agenda_of["meeting"], agenda_of["mine"], name="First.pdf")
    response = upload(client, agenda_of["meeting"], agenda_of["mine"], name="Second.pdf",
                      replace="yes")
    assert response.status_code == 303
    assert sorted(p.filename for p in kept(session, agenda_of["mine"])) == [
        "Cover.pdf", "Second.pdf"]  # the office's own paper stays
    assert office.id in {p.id for p in kept(session, agenda_of["mine"])}


def test_another_presenters_item_is_refused(client, session, agenda_of):
    sign_in_as_dcc(client, session, agenda_of)
    response = upload(client, agenda_of["meeting"], agenda_of["theirs"])
    assert response.status_code == 403
    assert "You can upload papers only for the items you present." in response.text
    assert kept(session, agenda_of["theirs"]) == []


def test_a_part_2_item_is_not_found_for_the_force(client, session, agenda_of):
    sign_in_as_dcc(client, session, agenda_of)
    response = upload(client, agenda_of["meeting"], agenda_of["private"])
    assert response.status_code == 404
    assert kept(session, agenda_of["private"]) == []


def test_a_cancelled_meeting_takes_no_papers(client, session, agenda_of):
    sign_in_as_dcc(client, session, agenda_of)
    page = client.get(f"/meetings/{agenda_of['meeting'].id}/agenda")
    meeting = meetings.get_meeting(session, agenda_of["meeting"].id)
    meeting.status = MeetingStatus.cancelled
    session.commit()
    response = client.post(
        f"/meetings/{meeting.id}/agenda/items/{agenda_of['mine'].id}/papers",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("a.pdf", PDF_BYTES, "application/pdf")})
    assert response.status_code == 409 and "was cancelled" in response.text
    assert kept(session, agenda_of["mine"]) == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.txt", PDF_BYTES, "choose a PDF or Word document"),
    ("paper.pdf", b"just some text", "is not a PDF or Word document"),
    ("paper.pdf", b"", "the file is empty"),
])
def test_a_bad_file_is_refused_and_nothing_kept(client, session, agenda_of, name, content,
                                                message):
    sign_in_as_dcc(client, session, agenda_of)
    response = upload(client, agenda_of["meeting"], agenda_of["mine"], content=content,
                      name=name)
    assert response.status_code == 422 and message in response.text
    assert "Error:" in response.text
    assert kept(session, agenda_of["mine"]) == []


def test_the_force_uploads_through_the_api_to_their_own_items(client, session, agenda_of):
    _, token = make_user(session, Role.force, person=agenda_of["dcc"])
    made = client.post(f"/api/v1/items/{agenda_of['mine'].id}/papers", headers=bearer(token),
                       files={"file": ("a.pdf", PDF_BYTES, "application/pdf")})
    assert made.status_code == 201 and made.json()["days_late"] == 2
    refused = client.post(f"/api/v1/items/{agenda_of['theirs'].id}/papers",
                          headers=bearer(token),
                          files={"file": ("a.pdf", PDF_BYTES, "application/pdf")})
    assert refused.status_code == 403
    hidden = client.post(f"/api/v1/items/{agenda_of['private'].id}/papers",
                         headers=bearer(token),
                         files={"file": ("a.pdf", PDF_BYTES, "application/pdf")})
    assert hidden.status_code == 404


@pytest.mark.parametrize("role", [Role.chair, Role.viewer])
def test_the_chair_and_viewers_upload_no_papers(client, session, agenda_of, role):
    _, token = make_user(session, role, person=agenda_of["dcc"])
    refused = client.post(f"/api/v1/items/{agenda_of['mine'].id}/papers",
                          headers=bearer(token),
                          files={"file": ("a.pdf", PDF_BYTES, "application/pdf")})
    assert refused.status_code in (403, 404)
    assert kept(session, agenda_of["mine"]) == []
