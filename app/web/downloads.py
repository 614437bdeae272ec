"""Sending generated documents to the browser."""

import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from typing import IO
from urllib.parse import quote

from fastapi import Response
from fastapi.responses import StreamingResponse

from app.services.text import clean_file_name, without_unseen

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
# A document up to this size is made in memory; a larger one (a long action log) in a
# temporary file, so a large export holds no copy of itself in memory at all.
SPOOL_MAX = 4 * 1024 * 1024


def safe_filename(title: str, suffix: str, extension: str) -> str:
    """An ASCII file name with no path, quotes or spaces: "Monthly-Assurance-…-public.docx"."""
    ascii_title = unicodedata.normalize("NFKD", without_unseen(title)).encode(
        "ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:120] or "document"
    return f"{slug}-{suffix}.{extension}" if suffix else f"{slug}.{extension}"


def file_response(content: bytes, filename: str, media_type: str) -> Response:
    """A stored file served as a download, under an ASCII name and its own (RFC 5987), neither
    with characters that would make it read otherwise (a name kept before they were removed)."""
    return Response(content=content, media_type=media_type, headers=_named(filename))


def written_file_response(write: Callable[[IO[bytes]], None], filename: str,
                          media_type: str) -> StreamingResponse:
    """A document that `write` writes into a file, served as a download (named as
    file_response names it) in chunks: made once, in memory while small and on disk when
    large, and never copied whole into a string on its way out."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX)
    try:
        write(spool)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def chunks() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(CHUNK):
                yield chunk

    return StreamingResponse(chunks(), media_type=media_type,
                             headers={**_named(filename), "Content-Length": str(size)})


def _named(filename: str) -> dict[str, str]:
    """A download's headers: its ASCII name and its own, and not to be kept by caches."""
    filename = clean_file_name(filename, default_stem="document")
    stem, _, extension = filename.rpartition(".")
    ascii_name = safe_filename(stem or filename, "", extension or "bin")
    return {
        "Content-Disposition": f'attachment; filename="{ascii_name}"; '
                               f"filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
    }


def docx_response(content: bytes, title: str, suffix: str) -> Response:
    """A .docx served as a download."""
    name = safe_filename(title, suffix, "docx")
    return Response(
        content=content,
        media_type=DOCX_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
