"""A Word document printed to a tagged PDF by LibreOffice, for those who want to print the
published minutes.

LibreOffice's PDF export keeps what the .docx says about itself: its headings (Heading 1 to 4
become H1 to H4), paragraphs, lists and tables (with their header rows) go into the PDF's
structure tree, with the document's title and language (en-GB), and /MarkInfo says the PDF is
tagged. Made from the very bytes published as the Word file, it says what that file says.

LibreOffice is a program, not a library: where it is not installed (a plain `make run`
machine may not have it), or it fails or takes too long, there is no PDF, and the caller
publishes without one.
"""

from __future__ import annotations

import logging
import shutil
import subprocess  # LibreOffice is run with a fixed list of arguments, never a shell
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# LibreOffice's PDF filter with tagging on (its options as JSON, LibreOffice 7.4 and later).
TAGGED_PDF_FILTER = 'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
TIMEOUT_SECONDS = 120  # a first start of LibreOffice on a slow machine takes a while
PDF_TYPE = "application/pdf"


def soffice() -> str | None:
    """The path of LibreOffice's command, if it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def tagged_pdf(docx: bytes) -> bytes | None:
    """The .docx printed to a tagged PDF, or None when LibreOffice is missing or fails."""
    program = soffice()
    if program is None:
        log.warning("LibreOffice (soffice) is not installed: the minutes are published "
                    "without a PDF")
        return None
    with tempfile.TemporaryDirectory(prefix="assure-pdf-") as work:
        folder = Path(work)
        source = folder / "minutes.docx"
        source.write_bytes(docx)
        # A profile of its own, so two conversions at once (or a LibreOffice the office has
        # open) do not wait on each other's lock.
        command = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--convert-to", TAGGED_PDF_FILTER,
                   "--outdir", str(folder), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS,  # noqa: S603
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error("LibreOffice could not print the minutes to PDF: %s", exc)
            return None
        pdf = folder / "minutes.pdf"
        if done.returncode != 0 or not pdf.exists():
            log.error("LibreOffice made no PDF of the minutes (exit %s): %s", done.returncode,
                      done.stderr.decode("utf-8", "replace")[-500:])
            return None
        return pdf.read_bytes()
