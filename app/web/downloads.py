"""Sending generated documents to the browser."""

import re
import unicodedata
from urllib.parse import quote

from fastapi import Response

from app.services.text import clean_file_name, without_unseen

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def safe_filename(title: str, suffix: str, extension: str) -> str:
    """An ASCII file name with no path, quotes or spaces: "Monthly-Assurance-…-public.docx"."""
    ascii_title = unicodedata.normalize("NFKD", without_unseen(title)).encode(
        "ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:120] or "document"
    return f"{slug}-{suffix}.{extension}" if suffix else f"{slug}.{extension}"


def file_response(content: bytes, filename: str, media_type: str) -> Response:
    """A stored file served as a download, under an ASCII name and its own (RFC 5987), neither
    with characters that would make it read otherwise (a name kept before they were removed)."""
    filename = clean_file_name(filename, default_stem="document")
    stem, _, extension = filename.rpartition(".")
    ascii_name = safe_filename(stem or filename, "", extension or "bin")
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
                                   f"filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


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
