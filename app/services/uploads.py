"""Checks on the files people upload, made before anything reads them.

A Word file (.docx, like .xlsx) is a zip. A few hundred kilobytes of zip can unpack to
gigabytes ("a zip bomb"), and python-docx would spend minutes and all the memory unpacking it,
so a zip's directory is read first, which costs nothing whatever the file holds.
"""

import io
import zipfile

from app.services.errors import InvalidInput

MB = 1024 * 1024
# A long report with pictures unpacks to a few tens of MB at most.
MAX_UNPACKED_BYTES = 100 * MB
# The XML of real documents packs 5 to 30 times smaller; a bomb's, hundreds of times.
MAX_RATIO = 100
# Parts smaller than this are too small to hurt, however well they pack.
RATIO_FROM_BYTES = MB
MAX_PARTS = 10_000
# The text of a document (its XML parts): a 300-page report holds a few MB. Tens of MB of
# short paragraphs pack within the ratio above yet keep python-docx busy for a minute.
MAX_XML_BYTES = 20 * MB


def _refused(what: str, problem: str) -> InvalidInput:
    message = (f"This {what} {problem}; it may be damaged, or made to overload the server. "
               "Save it again, or save it as a PDF, and upload that.")
    return InvalidInput({"file": message}, message)


def check_zip(content: bytes, *, what: str = "Word file") -> None:
    """Refuse (InvalidInput) a zip that unpacks to too much, or too much for its size, from its
    directory alone; a zip that cannot be read at all is left to the reader to report."""
    # zipfile never unpacks more of a part than the directory says it holds (a part that
    # unpacks to more fails its check), so the directory's sizes bound the work.
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        return
    if len(parts) > MAX_PARTS:
        raise _refused(what, f"holds more than {MAX_PARTS:,} parts")
    if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
        raise _refused(what, f"unpacks to more than {MAX_UNPACKED_BYTES // MB} MB")
    for part in parts:
        if part.filename.lower().endswith(".xml") and part.file_size > MAX_XML_BYTES:
            raise _refused(what, f"holds more than {MAX_XML_BYTES // MB} MB of text")
        if part.file_size > RATIO_FROM_BYTES and \
                part.file_size > MAX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            raise _refused(what, f"unpacks to {ratio:,} times its size")
