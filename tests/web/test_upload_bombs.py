"""A Word file that unpacks to an absurd size (a "zip bomb": here 100 MB of XML in a few
hundred KB) is refused with 422 at once, wherever a .docx is accepted: the inspection import,
and papers through the agenda page and the API. Real Word files still go through."""

import io
import time
import zipfile

import docx
import pytest

from app.models import Role
from app.services import uploads
from app.services.errors import InvalidInput
from tests.factories import bearer, make_item, make_meeting, make_user
from tests.web.test_inspection_pages import fields_of
from tests.web.test_live import sign_in

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PARAGRAPH = (b"<w:p><w:r><w:t>Recommendation 1: by 31 March the force should make sure that "
             b"its officers record every stop.</w:t></w:r></w:p>")


def real_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Recommendation 1: the force should record every stop.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def repacked(source: bytes, replace: dict[str, object]) -> bytes:
    """A copy of a zip with some parts replaced: bytes, or a generator of chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy:
        for name in original.namelist():
            content = replace.pop(name, None) or original.read(name)
            with copy.open(name, "w") as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
        for name, content in replace.items():
            copy.writestr(name, content)
    return buffer.getvalue()


def _huge_body(megabytes: int):
    yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
           b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    block = PARAGRAPH * (1024 * 1024 // len(PARAGRAPH))
    for _ in range(megabytes):
        yield block
    yield b"</w:body></w:document>"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A Word file whose document.xml is 100 MB of a report's XML, as Word would pack it."""
    return repacked(real_docx(), {"word/document.xml": _huge_body(100)})


def _quick(post):
    started = time.monotonic()
    response = post()
    return response, time.monotonic() - started


def test_the_bomb_is_a_small_word_file_that_unpacks_to_100_mb(bomb):
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("word/document.xml").file_size > 100 * 1024 * 1024 * 0.99
    assert len(bomb) < 1024 * 1024


def test_the_inspection_import_refuses_a_word_bomb_at_once(client, session, bomb):
    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    response, seconds = _quick(lambda: client.post(
        "/inspections/import", data={"csrf_token": token},
        files={"file": ("report.docx", bomb, DOCX)}))
    assert response.status_code == 422
    assert "This Word file unpacks to" in response.text and "may be damaged" in response.text
    assert seconds < 1, f"{seconds:.2f} s"


def test_a_word_bomb_is_not_taken_as_a_paper(client, session, bomb):
    meeting = make_meeting(session)
    item = make_item(session, meeting)
    _, token = make_user(session, Role.secretariat)
    response, seconds = _quick(lambda: client.post(
        f"/api/v1/items/{item.id}/papers", headers=bearer(token),
        files={"file": ("paper.docx", bomb, DOCX)}))
    assert response.status_code == 422, response.text
    assert "This Word file unpacks to" in response.json()["errors"]["file"]
    assert seconds < 1, f"{seconds:.2f} s"

    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{meeting.id}/agenda")
    csrf = fields_of(page.text)["csrf_token"]
    response, seconds = _quick(lambda: client.post(
        f"/meetings/{meeting.id}/agenda/items/{item.id}/papers", data={"csrf_token": csrf},
        files={"file": ("paper.docx", bomb, DOCX)}))
    assert response.status_code == 422
    assert "This Word file unpacks to" in response.text
    assert seconds < 1, f"{seconds:.2f} s"

    good = client.post(f"/meetings/{meeting.id}/agenda/items/{item.id}/papers",
                       data={"csrf_token": csrf},
                       files={"file": ("paper.docx", real_docx(), DOCX)},
                       follow_redirects=False)
    assert good.status_code == 303


def test_real_word_files_pass():
    uploads.check_zip(real_docx())
    # A small part may pack as well as it likes.
    uploads.check_zip(repacked(real_docx(), {"word/blank.xml": b" " * 500_000}))


@pytest.mark.parametrize(("setting", "value", "extra", "said"), [
    ("MAX_PARTS", 5, {}, "holds more than 5 parts"),
    ("MAX_UNPACKED_BYTES", 1024 * 1024, {"word/media/image1.bin": bytes(range(256)) * 8192},
     "unpacks to more than 1 MB"),
    ("MAX_RATIO", 100, {"word/document.xml": _huge_body(2)}, "times its size"),
    # Text that packs no better than real text, but more of it than any report holds.
    ("MAX_XML_BYTES", 1024 * 1024, {"word/document.xml": bytes(range(256)) * 8192},
     "more than 1 MB of text"),
])
def test_each_limit_is_said(monkeypatch, setting, value, extra, said):
    monkeypatch.setattr(uploads, setting, value)
    with pytest.raises(InvalidInput, match=said) as refused:
        uploads.check_zip(repacked(real_docx(), extra))
    assert refused.value.errors["file"].startswith("This Word file ")


def test_reading_a_report_keeps_the_server_answering(client, session, monkeypatch):
    """A long report takes seconds to read: meanwhile the server answers everyone else (it
    froze for the whole import, 13.5 s for /healthz behind a 1.7 MB Word file)."""
    import threading

    from app.web import inspection_pages

    sign_in(client, session, Role.secretariat)
    token = fields_of(client.get("/inspections/import").text)["csrf_token"]
    reading = threading.Event()

    def slow_extract(filename, content):
        reading.set()
        time.sleep(1.5)
        return "Recommendation 1\nThe force should do better."

    monkeypatch.setattr(inspection_pages, "extract_text", slow_extract)
    upload = threading.Thread(target=lambda: client.post(
        "/inspections/import", data={"csrf_token": token},
        files={"file": ("report.docx", real_docx(), "application/octet-stream")}))
    upload.start()
    assert reading.wait(5)
    started = time.monotonic()
    assert client.get("/healthz").status_code == 200
    waited = time.monotonic() - started
    upload.join(10)
    assert waited < 1.0, f"/healthz waited {waited:.1f} s for the import"
