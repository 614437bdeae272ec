"""A member of the public reads published minutes as a web page, without signing in and
without JavaScript, and downloads them as a PDF and as a Word file (issue 19)."""

import io

import docx
import pypdf
from playwright.sync_api import expect

from app.export import tagged_pdf


def test_a_member_of_the_public_reads_the_minutes_and_downloads_the_pdf_and_word(
        published_demo, browser, tmp_path):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{published_demo.url}/public")
        page.get_by_role("link", name="Read the minutes of the Accountability Board March 2019 "
                                       "as a web page").click()
        # The minutes in reading order, under headings a screen reader can move between.
        title = "Accountability Board – Minutes"  # as the series' minutes format names them
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page).to_have_title(f"{title} – Office of the Police and Crime Commissioner "
                                   "for West Mercia")
        assert page.get_by_role("heading", level=2).count() >= 3
        words = page.locator("article").inner_text()
        assert "Apologies:" in words

        if tagged_pdf.soffice() is not None:
            with page.expect_download() as pdf_info:
                page.get_by_role("link", name="Download as a PDF").click()
            pdf = pdf_info.value
            assert pdf.suggested_filename.endswith(".pdf")
            reader = pypdf.PdfReader(io.BytesIO(open(pdf.path(), "rb").read()))  # noqa: SIM115
            assert "/StructTreeRoot" in reader.trailer["/Root"]
            printed = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
            assert title in printed
        else:
            expect(page.get_by_text("No PDF of this version is available.")).to_be_visible()

        with page.expect_download() as word_info:
            page.get_by_role("link", name="Download as a Word file").click()
        word = word_info.value
        assert word.suggested_filename.endswith(".docx")
        document = docx.Document(word.path())
        assert document.paragraphs[0].text == title
        # The page says what the Word file says: each of its body paragraphs is on the page.
        for paragraph in document.paragraphs:
            if paragraph.text.strip():
                assert " ".join(paragraph.text.split()) in " ".join(words.split())
    finally:
        context.close()
