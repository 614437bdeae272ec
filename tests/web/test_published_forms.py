"""Published minutes in three forms (issue 19): the Word file, a web page and a tagged PDF,
made once at publication from the same public edition, each kept with its checksum.

Judged by reading each form back: the page and the PDF hold the paragraphs of the Word file,
in its order, and none of its exempt text; the PDF is tagged; an amendment publishes a new
version of each form and the old ones stay as they were; a damaged form is not served.
"""

import io
import re

import docx
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html
from sqlmodel import select

from app.export import tagged_pdf
from app.models import PublishedDocument
from app.services import approval, publication
from app.services.publication import Form
from tests.factories import SYSTEM, make_entry, make_item
from tests.web import test_record_pages
from tests.web.test_record_pages import SECRETS, approve_and_publish, csrf

minuted = test_record_pages.minuted  # the record's fixture: exempt item, entry and action

needs_libreoffice = pytest.mark.skipif(
    tagged_pdf.soffice() is None,
    reason="the PDF is printed by LibreOffice (apt-get install libreoffice-writer-nogui)")


def normal(text: str) -> str:
    return " ".join(text.split())


def docx_paragraphs(content: bytes) -> list[str]:
    """The Word file's paragraphs in reading order: the body's, and each table's row by row,
    cell by cell; not the column headings of a header row, nor empty paragraphs."""
    document = docx.Document(io.BytesIO(content))
    out: list[str] = []

    def walk(parent, element) -> None:
        for child in element.iterchildren():
            if child.tag == qn("w:p"):
                text = normal(Paragraph(child, parent).text)
                if text:
                    out.append(text)
            elif child.tag == qn("w:tbl"):
                table = Table(child, parent)
                for tr in child.tr_lst:
                    props = tr.trPr
                    if props is not None and props.find(qn("w:tblHeader")) is not None:
                        continue
                    for tc in tr.tc_lst:
                        walk(_Cell(tc, table), tc)

    walk(document, document.element.body)
    return out


BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "dd", "dt"}


def page_paragraphs(page: str) -> list[str]:
    """The paragraphs of the published minutes on their web page: the innermost blocks of
    the article, in order, header rows of tables left out."""
    article = lxml_html.fromstring(page).xpath("//article[@class='assure-published']")[0]
    out = []
    for element in article.iter(*BLOCKS):
        if any(inner.tag in BLOCKS for inner in element.iterdescendants()):
            continue  # a cell holding paragraphs: its paragraphs speak for it
        row = element.xpath("ancestor::tr[1]")
        if row and row[0].xpath("th") and not row[0].xpath("td"):
            continue  # a table's header row
        text = normal(element.text_content())
        if text:
            out.append(text)
    return out


def pdf_text(content: bytes) -> str:
    return normal(" ".join(page.extract_text() for page in pypdf.PdfReader(
        io.BytesIO(content)).pages))


@pytest.fixture
def rich(session, minuted):
    """The minuted meeting with a question, its answer, bulleted lines and a decision."""
    roads = minuted["roads"]
    make_entry(session, roads, kind="question", text="The PCC asked how many cameras work.")
    make_entry(session, roads, kind="answer",
               text="The CC said:\n- most of them do\n- the rest are being mended")
    make_entry(session, roads, kind="decision", text="The PCC agreed the camera plan.")
    theme = make_item(session, minuted["meeting"], title="Workforce")
    make_item(session, minuted["meeting"], title="Recruitment", parent=theme)
    return minuted


def forms_of(session, document) -> dict[str, PublishedDocument]:
    session.expire_all()
    return publication.forms_of(session, document)


def test_the_web_page_holds_the_paragraphs_of_the_word_file_and_no_exempt_text(
        client, session, rich):
    word = approve_and_publish(client, session, rich)
    forms = forms_of(session, word)
    anonymous = client.__class__(client.app)
    response = anonymous.get(f"/public/minutes/{forms[Form.html].id}")
    assert response.status_code == 200
    assert response.headers["x-checksum-sha256"] == forms[Form.html].sha256
    assert bytes(forms[Form.html].content) in response.content  # the stored bytes, as stored
    paragraphs = docx_paragraphs(bytes(word.content))
    assert "The PCC asked how many cameras work." in paragraphs
    assert "the rest are being mended" in paragraphs
    on_page = page_paragraphs(response.text)
    # The same words in the same order; an item's number joins its heading on the page.
    assert " ".join(on_page) == " ".join(paragraphs)
    # Each paragraph is one on the page, a heading with its item's number before it.
    alone = [p for p in paragraphs if p not in on_page
             and not any(q.endswith(f" {p}") for q in on_page)
             and not re.fullmatch(r"[\d.]+", p)]
    assert alone == []
    for secret in SECRETS:
        assert secret not in response.text
    tree = lxml_html.fromstring(response.text)
    assert [normal(h.text_content()) for h in tree.xpath("//article//h1")] == [word.title]
    # The agenda's levels: an item an h2 with its number, the theme under it an h3.
    h2 = [normal(h.text_content()) for h in tree.xpath("//article//h2")]
    assert "1 ROADS POLICING" in h2 and "3 WORKFORCE" in h2
    assert [normal(h.text_content()) for h in tree.xpath("//article//h3")] == [
        "3.1 RECRUITMENT:"]
    assert tree.xpath("//article//ul/li[normalize-space()='most of them do']")
    # The page offers the other forms of the same version.
    assert f'href="/public/documents/{word.id}"' in response.text


@needs_libreoffice
def test_the_pdf_holds_the_paragraphs_of_the_word_file_and_is_tagged(client, session, rich):
    word = approve_and_publish(client, session, rich)
    forms = forms_of(session, word)
    assert set(forms) == {"docx", "html", "pdf"}
    response = client.__class__(client.app).get(f"/public/documents/{forms[Form.pdf].id}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["x-checksum-sha256"] == forms[Form.pdf].sha256
    text = pdf_text(response.content)
    missing = [p for p in docx_paragraphs(bytes(word.content)) if p not in text]
    assert missing == []
    for secret in SECRETS:
        assert secret not in text

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) is True
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == word.title
    kinds: set[str] = set()

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                kinds.add(str(node["/S"]))
            children = node.get("/K")
            for child in children if isinstance(children, list) else [children]:
                if child is not None and not isinstance(child, int):
                    walk(child)

    walk(catalog["/StructTreeRoot"])
    assert {"/Document", "/H1", "/H2", "/H3", "/Table", "/L"} <= kinds


def test_an_amendment_publishes_each_form_again_and_keeps_the_old_ones(client, session,
                                                                       minuted):
    first = approve_and_publish(client, session, minuted)
    old = {form: (d.id, bytes(d.content), d.sha256) for form, d in
           forms_of(session, first).items()}
    approval.amend_entry(session, entry_id=minuted["entry"].id, by=SYSTEM, reason="Misheard",
                         text="The PCC asked the CC about collisions.")
    token = csrf(client.get("/meetings").text)
    client.post(f"/meetings/{minuted['meeting'].id}/publish", data={"csrf_token": token})
    session.expire_all()
    second = publication.latest_published(session, minuted["meeting"].id)
    new = forms_of(session, second)
    assert second.version == 2 and set(new) == set(old)
    anonymous = client.__class__(client.app)
    page = anonymous.get(f"/public/minutes/{new[Form.html].id}").text
    assert "collisions" in page and "casualties" not in page
    for form, (document_id, content, checksum) in old.items():
        response = anonymous.get(f"/public/{'minutes' if form == 'html' else 'documents'}/"
                                 f"{document_id}")
        assert response.status_code == 200 and content in response.content
        assert response.headers["x-checksum-sha256"] == checksum
        assert publication.sha256_of(content) == checksum
    earlier = anonymous.get(f"/public/minutes/{old['html'][0]}").text
    assert "casualties" in earlier and "amended after this version was published" in earlier
    assert f'href="/public/minutes/{new[Form.html].id}"' in earlier
    listing = anonymous.get("/public").text
    for form, document in new.items():
        assert f"/public/{'minutes' if form == 'html' else 'documents'}/{document.id}" in listing
    for form, (document_id, _, _) in old.items():
        assert f"/public/{'minutes' if form == 'html' else 'documents'}/{document_id}" in listing


@pytest.mark.parametrize("form", ["html", "pdf"])
def test_a_damaged_page_or_pdf_is_not_served(client, session, minuted, form):
    word = approve_and_publish(client, session, minuted)
    document = forms_of(session, word).get(form)
    if document is None:
        pytest.skip("no PDF was made: LibreOffice is not installed")
    document.content = bytes(document.content)[:-8] + b"tampered"
    session.add(document)
    session.commit()
    path = f"/public/{'minutes' if form == 'html' else 'documents'}/{document.id}"
    response = client.__class__(client.app).get(path)
    assert response.status_code == 410
    assert "failed its integrity check" in response.text and b"tampered" not in response.content


def test_without_libreoffice_the_minutes_are_published_without_a_pdf(client, session, minuted,
                                                                     monkeypatch):
    monkeypatch.setattr(tagged_pdf, "soffice", lambda: None)
    word = approve_and_publish(client, session, minuted)
    assert set(forms_of(session, word)) == {"docx", "html"}
    anonymous = client.__class__(client.app)
    assert "No PDF" in anonymous.get("/public").text
    page = anonymous.get(f"/public/minutes/{forms_of(session, word)[Form.html].id}")
    assert page.status_code == 200 and "No PDF of this version is available." in page.text


def test_a_page_address_names_a_web_page(client, session, minuted):
    word = approve_and_publish(client, session, minuted)
    forms = forms_of(session, word)
    anonymous = client.__class__(client.app)
    assert anonymous.get(f"/public/minutes/{word.id}").status_code == 404  # a Word file
    assert anonymous.get("/public/minutes/987654").status_code == 404
    assert anonymous.get("/public/minutes/abc").status_code in (404, 422)
    moved = anonymous.get(f"/public/documents/{forms[Form.html].id}", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/public/minutes/{forms[Form.html].id}"


def test_word_files_published_before_the_other_forms_still_list_and_download(client, session,
                                                                            minuted):
    word = approve_and_publish(client, session, minuted)
    for document in session.exec(select(PublishedDocument).where(
            PublishedDocument.form != Form.docx)):
        session.delete(document)  # as a version published before this change stands
    session.commit()
    anonymous = client.__class__(client.app)
    listing = anonymous.get("/public")
    assert listing.status_code == 200 and f"/public/documents/{word.id}" in listing.text
    assert "/public/minutes/" not in listing.text
    assert anonymous.get(f"/public/documents/{word.id}").status_code == 200


def _while_printing(monkeypatch, during):
    """Publication's PDF printer replaced by one that runs `during` while it prints."""
    def printing(docx_bytes: bytes) -> bytes | None:
        during()
        return None
    monkeypatch.setattr(publication, "tagged_pdf", printing)


def test_saves_are_not_held_up_while_the_pdf_is_printed(client, session, minuted, monkeypatch):
    """Printing the PDF takes LibreOffice seconds: a minute-taker saving in another meeting
    meanwhile must not wait for it (on SQLite, for its write lock). PostgreSQL locks rows, not
    the database, and its test database is one connection: SQLite only."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL writes row by row")
    import sqlite3

    path = session.get_bind().url.database
    outcome: list[str] = []

    def another_save() -> None:
        other = sqlite3.connect(path, timeout=0.3, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            outcome.append("saved")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        finally:
            other.close()

    _while_printing(monkeypatch, another_save)
    word = approve_and_publish(client, session, minuted)
    assert outcome == ["saved"]
    assert set(forms_of(session, word)) == {"docx", "html"}


def test_an_amendment_made_while_the_pdf_is_printed_is_not_left_out(client, session, minuted,
                                                                    monkeypatch):
    """An amendment saved in the seconds the PDF takes is refused publication with the
    version printed without it (and said so), not published as if it were in it."""
    from app.db import open_session

    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("needs a second connection; the PostgreSQL test database is one")
    first = approve_and_publish(client, session, minuted)
    approval.amend_entry(session, entry_id=minuted["entry"].id, by=SYSTEM, reason="Misheard",
                         text="The PCC asked the CC about collisions.")
    session.commit()

    def amend_meanwhile() -> None:
        with open_session(engine, write=True) as other:
            approval.amend_entry(other, entry_id=minuted["entry"].id, by=SYSTEM,
                                 reason="Misheard again", text="The PCC asked about lorries.")
            other.commit()

    _while_printing(monkeypatch, amend_meanwhile)
    token = csrf(client.get("/meetings").text)
    refused = client.post(f"/meetings/{minuted['meeting'].id}/publish",
                          data={"csrf_token": token})
    assert refused.status_code == 409
    assert "amended while they were being published" in refused.text
    session.expire_all()
    assert publication.latest_published(session, minuted["meeting"].id).id == first.id
