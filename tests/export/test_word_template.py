"""The office's own Word template: every document Assure makes starts from it (its font, its
margins, the logo in its header), with the protective marking added below the logo; a file
that cannot be the template is refused in plain words and the current one stays."""

import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from app.export.action_log_docx import render_action_log
from app.export.agenda_docx import render_agenda
from app.export.findings_docx import render_findings_docx
from app.export.minutes_docx import render_minutes
from app.export.questions_docx import render_question_pack
from app.export.s55_response_docx import render_s55_response
from app.models import Role
from app.services import word_template
from app.services.errors import Forbidden, InvalidInput
from app.services.findings_dashboard import DashboardFilters, panel_report
from app.services.permissions import Actor
from app.services.s55_response import response_of
from tests.export.test_action_log_docx import make_log
from tests.export.test_agenda_docx import make_agenda
from tests.export.test_minutes_docx import make_record
from tests.export.test_questions_docx import make_pack
from tests.export.word_templates import (
    FONT,
    LEFT_MARGIN,
    LOGO_TEXT,
    SIZE,
    TOP_MARGIN,
    office_template,
)
from tests.factories import SYSTEM
from tests.s55_seed import enter_seed
from tests.services.test_findings_dashboard import TODAY, make_register


def documents(session, template: bytes | None) -> dict[str, tuple[bytes, bool]]:
    """Every kind of document, made from `template`: its bytes and whether it is landscape."""
    inspection = enter_seed(session)
    make_register(session)
    report = panel_report(session, by=SYSTEM, filters=DashboardFilters(), today=TODAY)
    return {
        "minutes": (render_minutes(make_record(), template), False),
        "agenda": (render_agenda(make_agenda(), template), False),
        "question pack": (render_question_pack(make_pack(), template), False),
        "action log": (render_action_log(make_log(), template), True),
        "s55 response": (render_s55_response(response_of(session, inspection.id), template),
                         False),
        "Panel report": (render_findings_docx(report, template), True),
    }


def header_images(document) -> list[str]:
    part = document.sections[0].header.part
    return [rel.target_part.partname for rel in part.rels.values() if rel.reltype == RT.IMAGE]


def test_every_document_starts_from_the_office_template(session):
    for name, (content, landscape) in documents(session, office_template()).items():
        document = docx.Document(io.BytesIO(content))
        section = document.sections[0]
        normal = document.styles["Normal"]
        assert (normal.font.name, normal.font.size) == (FONT, SIZE), name
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            assert f'w:ascii="{FONT}"' in package.read("word/styles.xml").decode(), name
        assert (section.left_margin.twips, section.top_margin.twips) == (
            LEFT_MARGIN.twips, TOP_MARGIN.twips), name
        assert (section.page_width > section.page_height) == landscape, name
        assert header_images(document), f"the {name} lost the logo"
        header_text = [p.text for p in section.header.paragraphs]
        assert header_text[0] == LOGO_TEXT, name  # the logo's paragraph, untouched
        assert header_text[1].startswith("OFFICIAL"), name  # the marking below it
        assert "Sample text" not in "\n".join(p.text for p in document.paragraphs), name
        assert document.paragraphs[0].style.name == "Heading 1", name
        # the tables fit inside the template's wider margins
        text_width = section.page_width - section.left_margin - section.right_margin
        for table in document.tables:
            assert sum(c.w for c in table._tbl.tblGrid.gridCol_lst) <= text_width, name


def test_without_a_template_the_documents_are_in_the_house_style(session):
    for name, (content, _landscape) in documents(session, None).items():
        document = docx.Document(io.BytesIO(content))
        assert document.styles["Normal"].font.name == "Arial", name
        assert not header_images(document), name


@pytest.mark.parametrize(("content", "words"), [
    (b"This is a text file, not Word.", "not a Word document"),
    (b"", "empty"),
    (office_template(without=("Table Grid", "List Bullet")),
     "does not have the styles \u201cList Bullet\u201d, \u201cTable Grid\u201d"),
    (office_template(without=("Heading 4",)), "does not have the style \u201cHeading 4\u201d"),
    (office_template() + b"\0" * word_template.MAX_TEMPLATE_BYTES, "smaller than 10 MB"),
])
def test_a_bad_template_is_refused_and_the_current_one_stays(session, content, words):
    good = office_template()
    word_template.upload(session, filename="office.docx", content=good, by=SYSTEM)
    with pytest.raises(InvalidInput) as refused:
        word_template.upload(session, filename="bad.docx", content=content, by=SYSTEM)
    assert words in refused.value.errors["file"]
    assert word_template.template_bytes(session) == good


def test_a_workbook_is_not_a_word_template(session):
    from openpyxl import Workbook
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(InvalidInput) as refused:
        word_template.check_template(buffer.getvalue())
    assert "not a Word document" in refused.value.errors["file"]


def test_only_an_administrator_changes_the_template(session):
    for role in (Role.secretariat, Role.chair, Role.force, Role.viewer):
        with pytest.raises(Forbidden):
            word_template.upload(session, filename="t.docx", content=office_template(),
                                 by=Actor(role=role, label="someone"))
    assert word_template.current(session) is None


def test_going_back_to_the_built_in_template(session):
    word_template.upload(session, filename="office.docx", content=office_template(), by=SYSTEM)
    assert word_template.current(session).sha256
    word_template.use_built_in(session, by=SYSTEM)
    assert word_template.template_bytes(session) is None


def test_the_minutes_print_with_the_logo_in_the_header(tmp_path):
    """The minutes printed by LibreOffice: the header's logo (red) shows at the top of page 1."""
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        pytest.skip("needs LibreOffice (soffice) and poppler-utils (pdftoppm)")
    source = tmp_path / "minutes.docx"
    source.write_bytes(render_minutes(make_record(), office_template()))
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "minutes.pdf"), str(tmp_path / "page")], check=True)
    # a PPM (P6): a text header "P6 width height 255", then three bytes a pixel
    raw = (tmp_path / "page.ppm").read_bytes()
    magic, width, height, _max, pixels = raw.split(maxsplit=4)
    assert magic == b"P6"
    width, height = int(width), int(height)
    top = pixels[: width * 3 * (height // 6)]
    red = [i for i in range(0, len(top), 3) if top[i] > 200 and top[i + 1] < 60]
    assert red, "no logo at the top of the page"
