"""Old minutes and action logs in through the pages: upload → check → save, the same file
again asked about, a file not recognised shown for marking, bad files refused plainly."""

import re

import pytest
from sqlmodel import select

from app.models import Meeting, RecordImport, Role
from tests import import_files
from tests.factories import make_meeting_type, make_person
from tests.web.test_inspection_pages import _Fields
from tests.web.test_live import sign_in

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def office(client, session):
    make_person(session, full_name="Alice Hartley", initials="AH",
                role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    make_person(session, full_name="Colin Mbeki", initials="CM", role_title="Chief Constable",
                role_abbreviation="CC")
    make_person(session, full_name="Dana Pryce", initials="DP",
                role_title="Deputy Chief Constable", role_abbreviation="DCC")
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    session.commit()
    sign_in(client, session, Role.secretariat)
    csrf = _fields(client.get("/imports").text)["csrf_token"]
    return series, csrf


def _upload(client, csrf, content, name="minutes.docx", kind="minutes", series_id=""):
    return client.post("/imports", data={"csrf_token": csrf, "kind": kind,
                                         "series_id": str(series_id)},
                       files={"file": (name, content, DOCX)})


def _fields(html: str) -> dict[str, str]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


def test_minutes_uploaded_checked_and_saved_then_the_same_file_is_asked_about(
        client, session, office):
    series, csrf = office
    content = import_files.table_minutes()
    page = _upload(client, csrf, content, series_id=series.id)
    assert page.status_code == 200, page.text
    assert "Check what was read" in page.text and "FLEET MANAGEMENT:" in page.text
    assert "“FM”" in page.text and "“Evan Rhodes”" in page.text  # offered for creation
    fields = _fields(page.text)
    action = re.search(r'action="(/imports/\d+)"', page.text).group(1)
    saved = client.post(action, data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    meeting_id = int(saved.headers["location"].rsplit("/", 1)[1])
    session.expire_all()
    meeting = session.get(Meeting, meeting_id)
    assert meeting.status == "approved" and meeting.imported
    kept = session.exec(select(RecordImport).where(RecordImport.meeting_id == meeting_id)).one()
    page = client.get(f"/meetings/{meeting_id}")
    assert f'href="/imports/{kept.id}/file"' in page.text
    download = client.get(f"/imports/{kept.id}/file")
    assert download.status_code == 200 and download.content == content

    again = _upload(client, csrf, content, series_id=series.id)
    assert f">meeting {meeting_id}</a>: import it again?" in again.text
    fields = _fields(again.text)
    fields.pop("again")  # the box not ticked
    action = re.search(r'action="(/imports/\d+)"', again.text).group(1)
    refused = client.post(action, data=fields)
    assert refused.status_code == 409 and "Import it again" in refused.text
    done = client.post(action, data={**fields, "again": "yes"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] != f"/meetings/{meeting_id}"


def test_an_action_log_is_saved_from_the_page(client, session, office):
    _series, csrf = office
    page = _upload(client, csrf, import_files.action_log_xlsx(), name="log.xlsx",
                   kind="actions")
    assert page.status_code == 200 and "Report on 101 call answering times." in page.text
    fields = _fields(page.text)
    action = re.search(r'action="(/imports/\d+)"', page.text).group(1)
    saved = client.post(action, data=fields, follow_redirects=False)
    assert saved.status_code == 303
    session.expire_all()
    kept = session.exec(select(RecordImport).where(RecordImport.kind == "actions")).one()
    assert len(kept.actions) == 3 and kept.completed_at is not None
    # the same actions in another office's Word table: the page says they are known
    again = _upload(client, csrf, import_files.action_log_docx(), name="log.docx",
                    kind="actions")
    assert again.status_code == 200
    assert again.text.count("Already in the record as") == 3
    assert f'href="/actions/{kept.actions[0]}">A/2020/031</a>' in again.text


def test_a_file_not_recognised_is_shown_for_marking_by_hand(client, session, office):
    series, csrf = office
    page = _upload(client, csrf, import_files.unrelated_docx(), series_id=series.id)
    assert page.status_code == 200
    assert "Here is the text: mark the items by hand" in page.text
    assert "Dear Sir or Madam" in page.text
    fields = _fields(page.text)
    review = re.search(r'formaction="(/imports/\d+/review)"', page.text).group(1)
    added = client.post(review, data={**fields, "op": "item-add"})
    assert added.status_code == 200 and "Item 1" in added.text


@pytest.mark.parametrize("name, content, words", [
    ("broken.docx", b"PK\x03\x04 damaged", "could not be read"),
    ("minutes.pdf", b"%PDF-1.4 x", "Only Word or Excel"),
    ("old.doc", b"\xd0\xcf\x11\xe0", "save it as a .docx"),
    ("empty.docx", b"", "empty"),
])
def test_bad_files_are_refused_with_a_message(client, session, office, name, content, words):
    series, csrf = office
    page = _upload(client, csrf, content, name=name, series_id=series.id)
    assert page.status_code == 422 and words in page.text


def test_only_the_office_imports(client, session):
    sign_in(client, session, Role.viewer)
    assert client.get("/imports").status_code == 403
