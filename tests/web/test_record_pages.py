"""The record's life in pages: approve, amend, redact, preview, publish, and the public page.

The three things issue 6 is judged on are here: approved minutes refuse every edit except an
amendment (through the API and the pages); the public edition never carries exempt text (read
out of the published .docx's XML, and off the public page); and a published document's bytes
never change, whatever happens to the record afterwards.
"""

import io
import itertools
import re
import zipfile
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import (
    AuditEvent,
    ItemKind,
    MeetingStatus,
    MinuteAmendment,
    MinuteEntry,
    PublishedDocument,
    Role,
)
from app.services import approval, publication
from app.services.dates import today
from app.services.permissions import Actor
from tests.factories import (
    SYSTEM,
    bearer,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
    submit_and_approve,
)
from tests.web.signing import sign_in_through_form

PASSWORD = "a long passphrase here"
CHAIR = Actor(role=Role.chair, label="chair")
# Words that appear only in exempt material: none may reach the public.
SECRETS = ["COVERT-TACTICS-DETAIL", "VICTIM-NAME-SMITH", "SECRET-ACTION-TEXT",
           "FLAGGED-ACTION-TEXT"]


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


_users = itertools.count(1)


def sign_in(client, session, role, person=None) -> str:
    """Sign in as a new user of the role; return a CSRF token from a page."""
    email = f"{role}-{next(_users)}@record.example"
    make_user(session, role, person=person, email=email, password=PASSWORD)
    response = sign_in_through_form(client, session, email, PASSWORD)
    assert response.status_code == 303 and "/sign-in" not in response.headers["location"]
    return csrf(client.get("/meetings").text)


@pytest.fixture
def minuted(session):
    """Draft minutes with an exempt item, an exempt entry, and an exempt action."""
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10, 0),
                           chair_id=pcc.id, status=MeetingStatus.draft)
    roads = make_item(session, meeting, title="Roads policing")
    entry = make_entry(session, roads, text="The PCC asked the CC about casualties.")
    make_entry(session, roads, text="The victim VICTIM-NAME-SMITH was named.", exempt=True,
               exempt_reason="section 40 of the Freedom of Information Act 2000")
    covert = make_item(session, meeting, title="Covert tactics", kind=ItemKind.other,
                       exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    make_entry(session, covert, text="Discussed COVERT-TACTICS-DETAIL in private.")
    make_action(session, [dcc], meeting_id=meeting.id, item_id=covert.id,
                text="SECRET-ACTION-TEXT to be reviewed.")
    make_action(session, [cc], meeting_id=meeting.id, item_id=roads.id, exempt=True,
                exempt_reason="section 43 of the Freedom of Information Act 2000",
                text="FLAGGED-ACTION-TEXT for the CC.")
    public_action = make_action(session, [cc], meeting_id=meeting.id, item_id=roads.id,
                                text="The CC to report casualty figures.")
    return {"meeting": meeting, "roads": roads, "entry": entry, "covert": covert,
            "pcc": pcc, "public_action": public_action}


def fresh(session, obj) -> None:
    """Read an object again, after what the app's requests wrote (ending the test's own read,
    which on SQLite still sees the database as it was when it began)."""
    session.rollback()
    session.refresh(obj)


def docx_text(content: bytes) -> str:
    """Every XML part of a .docx as one string (body, headers, footers, properties)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace")
                         for name in archive.namelist() if name.endswith((".xml", ".rels")))


def approve_and_publish(client, session, minuted) -> PublishedDocument:
    submit_and_approve(session, minuted["meeting"].id, CHAIR)
    token = sign_in(client, session, Role.secretariat)
    response = client.post(f"/meetings/{minuted['meeting'].id}/publish",
                           data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    session.expire_all()
    return session.exec(select(PublishedDocument).order_by(PublishedDocument.id.desc())).first()


# --- (a) approved minutes refuse edits except amendment -----------------------------------


def test_approved_minutes_refuse_edits_through_the_api_except_amendment(client, session,
                                                                         minuted):
    _, token = make_user(session, Role.secretariat)
    headers = bearer(token)
    entry = minuted["entry"]
    submit_and_approve(session, minuted["meeting"].id, CHAIR)
    refused = client.patch(f"/api/v1/entries/{entry.id}", headers=headers,
                           json={"version": 1, "text": "Rewritten"})
    assert refused.status_code == 409 and "amendment" in refused.json()["detail"]
    assert client.post(f"/api/v1/items/{minuted['roads'].id}/entries", headers=headers,
                       json={"text": "Added"}).status_code == 409
    assert client.patch(f"/api/v1/meetings/{minuted['meeting'].id}", headers=headers,
                        json={"venue": "Elsewhere"}).status_code == 409
    no_reason = client.post(f"/api/v1/entries/{entry.id}/amendments", headers=headers,
                            json={"text": "Amended text"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    amended = client.post(f"/api/v1/entries/{entry.id}/amendments", headers=headers,
                          json={"text": "The PCC asked the CC about collisions.",
                                "reason": "Misheard"})
    assert amended.status_code == 201, amended.text
    body = amended.json()
    assert body["original_text"] == "The PCC asked the CC about casualties."
    assert body["amended_text"] == "The PCC asked the CC about collisions."
    fresh(session, entry)
    assert entry.text == "The PCC asked the CC about collisions."


def test_approved_minutes_refuse_edits_through_the_pages_except_amendment(client, session,
                                                                           minuted):
    meeting, entry = minuted["meeting"], minuted["entry"]
    token = sign_in(client, session, Role.secretariat)
    submitted = client.post(f"/meetings/{meeting.id}/submit", data={"csrf_token": token},
                            follow_redirects=False)
    assert submitted.status_code == 303
    session.expire_all()  # the app submitted them
    approval.approve_by_chair(session, meeting_id=meeting.id, by=CHAIR)

    edit = client.post(f"/meetings/{meeting.id}/agenda/items/{minuted['roads'].id}",
                       data={"csrf_token": token, "title": "Renamed", "kind": "theme"})
    assert edit.status_code == 409 and "amend" in edit.text.lower()
    redact = client.post(f"/meetings/{meeting.id}/redaction", data={
        "csrf_token": token, "kind": "entry", "target_id": str(entry.id), "exempt": "yes",
        "exempt_choice": "s40"})
    assert redact.status_code == 409 and "amend" in redact.text.lower()

    form = client.get(f"/entries/{entry.id}/amend")
    assert form.status_code == 200 and "Amend the approved minutes" in form.text
    missing = client.post(f"/entries/{entry.id}/amend", data={
        "csrf_token": token, "text": "The PCC asked about collisions.", "reason": ""})
    assert missing.status_code == 422
    assert "The PCC asked about collisions." in missing.text  # what was typed is kept
    assert "Say why the approved minutes are amended" in missing.text
    control = client.post(f"/entries/{entry.id}/amend", data={
        "csrf_token": token, "text": "Fine text", "reason": "Bad\x00reason"})
    assert control.status_code == 422 and "control character" in control.text
    no_csrf = client.post(f"/entries/{entry.id}/amend", data={
        "text": "The PCC asked about collisions.", "reason": "Misheard"})
    assert no_csrf.status_code == 403
    done = client.post(f"/entries/{entry.id}/amend", data={
        "csrf_token": token, "text": "The PCC asked about collisions.", "reason": "Misheard"},
        follow_redirects=False)
    assert done.status_code == 303
    fresh(session, entry)
    assert entry.text == "The PCC asked about collisions."
    page = client.get(f"/meetings/{meeting.id}")
    assert "Amendments" in page.text and "Misheard" in page.text
    record = client.get(f"/meetings/{meeting.id}/record")
    assert "Before, it read:" in record.text and "casualties" in record.text


def test_the_chair_approves_from_the_page_and_a_later_meeting_can_agree_them(client, session,
                                                                              minuted):
    meeting = minuted["meeting"]
    token = sign_in(client, session, Role.chair, person=minuted["pcc"])
    # Not yet submitted: no button, and a refusal that says why.
    page = client.get(f"/meetings/{meeting.id}/record")
    assert "Approve the minutes</button>" not in page.text
    assert approval.NOT_SUBMITTED in page.text
    early = client.post(f"/meetings/{meeting.id}/approve", data={"csrf_token": token})
    assert early.status_code == 409 and approval.NOT_SUBMITTED in early.text
    approval.submit_to_chair(session, meeting_id=meeting.id, by=SYSTEM)
    page = client.get(f"/meetings/{meeting.id}/record")
    assert "Approve the minutes</button>" in page.text
    assert "Record approval at that meeting" not in page.text  # the secretariat's to record
    response = client.post(f"/meetings/{meeting.id}/approve", data={"csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    fresh(session, meeting)
    assert meeting.status == MeetingStatus.approved and meeting.approved_by_id is not None
    again = client.post(f"/meetings/{meeting.id}/approve", data={"csrf_token": token})
    assert again.status_code == 409 and "already approved" in again.text


def test_approval_at_a_later_meeting_from_the_page(client, session):
    series = make_meeting_type(session)
    april = make_meeting(session, series, starts_at=datetime(2019, 4, 30, 10),
                         status=MeetingStatus.draft)
    may = make_meeting(session, series, starts_at=datetime(2019, 5, 28, 10))
    token = sign_in(client, session, Role.secretariat)
    bad = client.post(f"/meetings/{april.id}/approve-at-meeting",
                      data={"csrf_token": token, "at_meeting_id": "x"})
    assert bad.status_code == 422 and "Choose the meeting" in bad.text
    ok = client.post(f"/meetings/{april.id}/approve-at-meeting",
                     data={"csrf_token": token, "at_meeting_id": str(may.id)},
                     follow_redirects=False)
    assert ok.status_code == 303
    may_page = client.get(f"/meetings/{may.id}")
    assert "The minutes were agreed as an accurate record." in may_page.text


# --- (b) the public edition never carries exempt text ---------------------------------------


def test_the_published_docx_and_the_public_page_carry_no_exempt_text(client, session, minuted):
    document = approve_and_publish(client, session, minuted)
    xml = docx_text(document.content)
    assert "Covert tactics".upper() in xml and "section 31" in xml  # the item keeps its title
    assert "casualties" in xml and "casualty figures" in xml  # public material is there
    for secret in SECRETS:
        assert secret not in xml

    anonymous = client.__class__(client.app)
    listing = anonymous.get("/public")
    assert listing.status_code == 200
    assert "Monthly Assurance Meeting April 2019" in listing.text
    assert document.sha256 in listing.text
    for secret in SECRETS:
        assert secret not in listing.text
    download = anonymous.get(f"/public/documents/{document.id}")
    assert download.status_code == 200
    assert download.content == document.content
    for secret in SECRETS:
        assert secret not in docx_text(download.content)


def test_an_entry_made_exempt_by_amendment_leaves_the_next_published_version(client, session,
                                                                               minuted):
    first = approve_and_publish(client, session, minuted)
    assert "casualties" in docx_text(first.content)
    approval.amend_entry(session, entry_id=minuted["entry"].id, by=SYSTEM,
                         reason="Identifies an investigation", exempt=True,
                         exempt_reason="section 30 of the Freedom of Information Act 2000")
    token = csrf(client.get(f"/meetings/{minuted['meeting'].id}/public-preview").text)
    client.post(f"/meetings/{minuted['meeting'].id}/publish", data={"csrf_token": token})
    session.expire_all()
    second = publication.latest_published(session, minuted["meeting"].id)
    assert second.version == 2 and "casualties" not in docx_text(second.content)


def test_the_preview_shows_both_editions_and_only_the_internal_has_exempt_text(client, session,
                                                                                minuted):
    meeting = minuted["meeting"]
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/public-preview").text
    internal, public = page.split('id="public-heading"')
    assert "VICTIM-NAME-SMITH" in internal and "COVERT-TACTICS-DETAIL" in internal
    for secret in SECRETS:
        assert secret not in public
    assert "considered in private" in public
    assert "can be published once they are approved" in page  # still a draft: no button
    assert f'action="/meetings/{meeting.id}/publish"' not in page


def test_publishing_draft_minutes_is_refused_and_force_users_see_no_preview(client, session,
                                                                             minuted):
    meeting = minuted["meeting"]
    token = sign_in(client, session, Role.secretariat)
    refused = client.post(f"/meetings/{meeting.id}/publish", data={"csrf_token": token})
    assert refused.status_code == 409 and "Only approved minutes" in refused.text
    assert session.exec(select(PublishedDocument)).all() == []
    sign_in(client, session, Role.force)
    assert client.get(f"/meetings/{meeting.id}/public-preview").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/publish",
                       data={"csrf_token": csrf(client.get("/meetings").text)}
                       ).status_code == 403


def test_the_redaction_page_marks_an_entry_exempt_with_an_foi_reason(client, session, minuted):
    meeting, entry = minuted["meeting"], minuted["entry"]
    token = sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/redaction")
    assert page.status_code == 200 and "Section 40: personal information" in page.text
    form = {"csrf_token": token, "kind": "entry", "target_id": str(entry.id), "exempt": "yes"}
    missing = client.post(f"/meetings/{meeting.id}/redaction", data=form)
    assert missing.status_code == 422 and "Choose the exemption" in missing.text
    other = client.post(f"/meetings/{meeting.id}/redaction", data={**form,
                        "exempt_choice": "other"})
    assert other.status_code == 422 and "Say why it is exempt" in other.text
    foreign = client.post(f"/meetings/{meeting.id}/redaction", data={
        **form, "target_id": "987654", "exempt_choice": "s40"})
    assert foreign.status_code == 404
    done = client.post(f"/meetings/{meeting.id}/redaction",
                       data={**form, "exempt_choice": "s40"}, follow_redirects=False)
    assert done.status_code == 303
    fresh(session, entry)
    assert entry.exempt and entry.exempt_reason.startswith("section 40 of the Freedom")
    action = minuted["public_action"]
    made = client.post(f"/meetings/{meeting.id}/redaction", data={
        "csrf_token": token, "kind": "action", "target_id": str(action.id), "exempt": "yes",
        "exempt_choice": "other", "exempt_other": "Operational security"})
    assert "The action is now exempt." in made.text
    fresh(session, action)
    assert action.exempt and action.exempt_reason == "Operational security"
    sign_in(client, session, Role.viewer)
    assert client.get(f"/meetings/{meeting.id}/redaction").status_code == 403


# --- (c) a published document's bytes never change -------------------------------------------


def test_published_bytes_never_change_and_amendments_add_versions(client, session, minuted):
    first = approve_and_publish(client, session, minuted)
    stored = bytes(first.content)
    assert publication.sha256_of(stored) == first.sha256
    downloads = [client.get(f"/public/documents/{first.id}").content for _ in range(2)]
    assert downloads == [stored, stored]
    token = csrf(client.get("/meetings").text)
    again = client.post(f"/meetings/{minuted['meeting'].id}/publish",
                        data={"csrf_token": token})
    assert again.status_code == 409 and "already published" in again.text

    approval.amend_entry(session, entry_id=minuted["entry"].id, by=SYSTEM, reason="Misheard",
                         text="The PCC asked the CC about collisions.")
    assert client.get(f"/public/documents/{first.id}").content == stored  # unchanged
    client.post(f"/meetings/{minuted['meeting'].id}/publish", data={"csrf_token": token})
    session.expire_all()
    versions = publication.published_versions(session, minuted["meeting"].id)
    assert [v.version for v in versions] == [2, 1]
    assert bytes(versions[1].content) == stored
    assert client.get(f"/public/documents/{first.id}").content == stored
    newer = client.get(f"/public/documents/{versions[0].id}").content
    assert "collisions" in docx_text(newer) and "Amended on" in docx_text(newer)
    assert "casualties" not in docx_text(newer)  # the public edition does not quote the old
    listing = client.get("/public").text
    assert versions[0].sha256 in listing and "Earlier versions" in listing


def test_a_document_that_no_longer_matches_its_checksum_is_not_served(client, session,
                                                                       minuted):
    document = approve_and_publish(client, session, minuted)
    document.content = document.content[:-8] + b"tampered"  # the same size, other bytes
    session.add(document)
    session.commit()
    anonymous = client.__class__(client.app)
    for _ in range(3):
        response = anonymous.get(f"/public/documents/{document.id}")
        assert response.status_code == 410
        assert ("This document failed its integrity check; the office has been told."
                in response.text)
        assert b"tampered" not in response.content
        assert response.headers["cache-control"] == "no-store"
    # The office is told once, however often the document is asked for.
    session.rollback()
    [event] = session.exec(select(AuditEvent).where(AuditEvent.verb == "integrity_failed"))
    assert (event.object_type, event.object_id) == ("published_document", document.id)
    assert document.sha256 in event.summary and "not served" in event.summary


def test_only_the_public_page_and_its_downloads_work_without_signing_in(client, session,
                                                                         minuted):
    document = approve_and_publish(client, session, minuted)
    anonymous = client.__class__(client.app)
    assert anonymous.get("/public").status_code == 200
    assert anonymous.get(f"/public/documents/{document.id}").status_code == 200
    assert anonymous.get("/public/documents/987654").status_code == 404
    meeting_id = minuted["meeting"].id
    for path in (f"/meetings/{meeting_id}/record", f"/meetings/{meeting_id}/public-preview",
                 f"/meetings/{meeting_id}/changes", f"/meetings/{meeting_id}/redaction",
                 f"/entries/{minuted['entry'].id}/amend", f"/meetings/{meeting_id}"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/sign-in" in response.headers["location"]
    public = anonymous.get("/public").text
    links = re.findall(r'href="([^"]+)"', public)
    # the public pages link only to each other (the accessibility statement is one)
    assert all(h.startswith(("/public", "/static", "#", "/accessibility")) for h in links), links
    assert anonymous.get("/accessibility").status_code == 200


# --- the changes since the meeting, and the deadline -----------------------------------------


def test_the_changes_page_shows_insertions_and_deletions_in_words(client, session):
    from app.models import MinuteEntryRevision
    from app.schemas import EntryUpdate
    from app.services import entries

    meeting = make_meeting(session, starts_at=datetime(2019, 4, 30, 10),
                           ends_at=datetime(2019, 4, 30, 12), status=MeetingStatus.draft)
    item = make_item(session, meeting)
    entry = make_entry(session, item, text="The CC said response times improved.")
    # The first version was typed during the meeting.
    revision = session.exec(select(MinuteEntryRevision)).one()
    revision.saved_at = datetime(2019, 4, 30, 10, 30).astimezone()
    session.commit()
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="The CC said urban response times improved slightly."))
    make_entry(session, item, text="A paragraph added afterwards.")
    submit_and_approve(session, meeting.id, CHAIR)
    sign_in(client, session, Role.viewer)
    page = client.get(f"/meetings/{meeting.id}/changes")
    assert page.status_code == 200
    assert "the draft at the end of the meeting" in page.text
    assert re.search(r"<ins[^>]*><span class=\"govuk-visually-hidden\">\[added: </span>"
                     r"urban ", page.text)
    assert "Added after the meeting" in page.text
    assert "2 paragraphs changed" in page.text


def test_the_meetings_page_warns_of_minutes_late_or_due(client, session):
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    held = datetime.combine(today() - timedelta(days=30), datetime.min.time()).replace(hour=10)
    late = make_meeting(session, series, starts_at=held, status=MeetingStatus.draft)
    soon_day = today() - timedelta(days=19)  # due in one day, with 20 days to publish
    make_meeting(session, series, starts_at=datetime.combine(soon_day, datetime.min.time())
                 .replace(hour=10), status=MeetingStatus.approved)
    make_meeting(session, series, starts_at=datetime.combine(today() - timedelta(days=2),
                 datetime.min.time()).replace(hour=10), status=MeetingStatus.draft)
    due = publication.minutes_due(session)
    assert [(d.meeting.id, d.late) for d in due][:1] == [(late.id, True)]
    assert len(due) == 2
    sign_in(client, session, Role.secretariat)
    page = client.get("/meetings").text
    assert "Minutes to publish" in page and "late" in page and "in 1 day" in page
    sign_in(client, session, Role.viewer)
    assert "Minutes to publish" not in client.get("/meetings").text


def test_the_due_date_counts_from_the_meeting_day(session):
    meeting = make_meeting(session, starts_at=datetime(2019, 4, 30, 10))
    assert publication.publication_due(meeting, 20) == date(2019, 5, 20)


def test_amended_entries_keep_their_amendment_rows(session, minuted):
    submit_and_approve(session, minuted["meeting"].id, CHAIR)
    approval.amend_entry(session, entry_id=minuted["entry"].id, by=SYSTEM, reason="One",
                         text="First amendment.")
    approval.amend_entry(session, entry_id=minuted["entry"].id, by=SYSTEM, reason="Two",
                         text="Second amendment.")
    rows = session.exec(select(MinuteAmendment).order_by(MinuteAmendment.id)).all()
    assert [(r.original_text, r.amended_text) for r in rows] == [
        ("The PCC asked the CC about casualties.", "First amendment."),
        ("First amendment.", "Second amendment.")]
    assert session.get(MinuteEntry, minuted["entry"].id).version == 3
