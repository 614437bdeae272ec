"""The office's Word template on /admin/settings: an administrator uploads it, downloads it
and goes back to the built-in one; a file that cannot be the template is refused with a
message on the page and the current one stays; no one else may change it."""

import io
import re

import docx
import pytest
from sqlmodel import col, select

from app.models import AuditEvent, Role
from app.services import word_template
from tests.export.word_templates import FONT, office_template
from tests.factories import make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def sign_in(client, session, role: Role) -> str:
    user, _ = make_user(session, role, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text)[1]


def upload(client, token: str, content: bytes, name: str = "Anyshire template.docx"):
    return client.post("/admin/settings/word-template", data={"csrf_token": token},
                       files={"word_template": (name, content, DOCX)}, follow_redirects=False)


def current(session) -> bytes | None:
    session.rollback()
    session.expire_all()
    return word_template.template_bytes(session)


def log_font(client) -> str:
    answer = client.get("/actions/log.docx")
    assert answer.status_code == 200
    return docx.Document(io.BytesIO(answer.content)).styles["Normal"].font.name


def test_an_administrator_uploads_downloads_and_goes_back(client, session):
    token = sign_in(client, session, Role.admin)
    page = client.get("/admin/settings").text
    assert "The office&#39;s Word template" in page or "The office's Word template" in page
    assert "built-in template" in page and "word-template.docx" not in page
    template = office_template()
    answer = upload(client, token, template)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/settings?saved=template"
    assert current(session) == template
    page = client.get("/admin/settings?saved=template").text
    assert "Anyshire template.docx" in page and "now starts from it" in page
    download = client.get("/admin/settings/word-template.docx")
    assert download.status_code == 200 and download.content == template
    assert log_font(client) == FONT  # the documents start from it
    back = client.post("/admin/settings/word-template/built-in", data={"csrf_token": token},
                       follow_redirects=False)
    assert back.status_code == 303
    assert current(session) is None
    assert log_font(client) == "Arial"
    assert client.get("/admin/settings/word-template.docx").status_code == 404
    verbs = [e.verb for e in session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "word_template").order_by(col(AuditEvent.id)))]
    assert verbs == ["update", "delete"]


@pytest.mark.parametrize(("content", "words"), [
    (b"%PDF-1.7 not a Word file", "is not a Word document"),
    (office_template(without=("Table Grid",)), "does not have the style \u201cTable Grid\u201d"),
    (b"PK" + b"\0" * (word_template.MAX_TEMPLATE_BYTES + 10), "smaller than 10 MB"),
])
def test_a_bad_template_is_refused_on_the_page(client, session, content, words):
    token = sign_in(client, session, Role.admin)
    good = office_template()
    assert upload(client, token, good).status_code == 303
    answer = upload(client, token, content, "bad.docx")
    assert answer.status_code == 422
    assert "<title>Error:" in answer.text
    assert 'href="#word_template"' in answer.text  # the summary links to the file input
    assert words in answer.text.replace("&#34;", '"')
    assert current(session) == good
    assert log_font(client) == FONT


def test_no_file_chosen(client, session):
    token = sign_in(client, session, Role.admin)
    answer = client.post("/admin/settings/word-template", data={"csrf_token": token},
                         files={"word_template": ("", b"", DOCX)}, follow_redirects=False)
    assert answer.status_code == 422 and "Choose the office" in answer.text


@pytest.mark.parametrize("role", [Role.secretariat, Role.chair, Role.force, Role.viewer])
def test_only_an_administrator_may_change_the_template(client, session, role):
    token = sign_in(client, session, role)
    assert upload(client, token, office_template()).status_code == 403
    assert client.post("/admin/settings/word-template/built-in",
                       data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/settings/word-template.docx").status_code == 403
    assert current(session) is None
