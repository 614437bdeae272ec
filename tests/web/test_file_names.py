"""Uploaded file names lose the characters that make a name read otherwise than it is (the
right-to-left override of "invoice\\u202efdp.exe", zero-width and control characters), when
kept and when sent back in Content-Disposition; a name with nothing left gets a default."""

from urllib.parse import unquote

import pytest

from app.models import Paper, Role
from app.services.text import clean_file_name
from app.web.downloads import safe_filename
from tests.factories import PDF_BYTES, bearer, make_item, make_meeting, make_user

UNSEEN = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u200c" \
         "\u200d\u2060\ufeff\u061c\x00\x1b\x7f\x85\x9b\u2028\u2029"


@pytest.mark.parametrize(("typed", "kept"), [
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("minutes\u202excod.pdf", "minutesxcod.pdf"),
    (f"Roads{UNSEEN} report.pdf", "Roads report.pdf"),
    ("\u202e\u200b.pdf", "file.pdf"),
    ("\u2066\u2069", "file"),
    ("C:\\Users\\pcc\\report\u200f.docx", "report.docx"),
    # a noncharacter, a Hangul filler, a variation selector: each shows as nothing
    ("xy\ufffe.pdf", "xy.pdf"),
    ("sp\u115face\u3164\ufe0f.pdf", "space.pdf"),
    ("Cafe\u0301 re\u0301sume\u0301.pdf", "Caf\u00e9 r\u00e9sum\u00e9.pdf"),  # accents stay
])
def test_names_lose_unseen_characters_and_empty_ones_get_a_default(typed, kept):
    assert clean_file_name(typed) == kept


def test_the_ascii_download_name_has_no_unseen_characters():
    assert safe_filename("invoice\u202efdp", "", "exe") == "invoicefdp.exe"
    assert safe_filename("\u202e\u200b", "", "pdf") == "document.pdf"


def test_an_uploaded_paper_keeps_a_clean_name_and_is_sent_back_under_it(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    _, token = make_user(session, Role.secretariat)
    url = f"/api/v1/items/{item.id}/papers"
    made = client.post(url, headers=bearer(token), files={
        "file": ("minutes\u202excod\u200b.pdf", PDF_BYTES, "application/pdf")})
    assert made.status_code == 201 and made.json()["filename"] == "minutesxcod.pdf"
    blank = client.post(url, headers=bearer(token), files={
        "file": ("\u202e\u2066.pdf", PDF_BYTES, "application/pdf")})
    assert blank.status_code == 201 and blank.json()["filename"] == "paper.pdf"

    # A name kept before names were cleaned is cleaned on its way out.
    old = Paper(item_id=item.id, filename="invoice\u202efdp.pdf", content_type="application/pdf",
                size_bytes=len(PDF_BYTES), sha256="0" * 64, content=PDF_BYTES)
    session.add(old)
    session.commit()
    download = client.get(f"/api/v1/papers/{old.id}", headers=bearer(token))
    disposition = download.headers["content-disposition"]
    assert 'filename="invoicefdp.pdf"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "invoicefdp.pdf"
