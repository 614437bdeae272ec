"""The office's own Word template: every document Assure makes (minutes, agenda, question
pack, action log, s55 response, Panel report) starts from it, with its styles, fonts, page
set-up and header logo. None uploaded: the built-in house style.

An upload is checked before it replaces the current one: a Word document (.docx) that is
safe to open (see uploads.check_zip) and that defines the styles the documents use.
"""

import hashlib
import io
import zipfile

import docx
from sqlmodel import Session, col, delete, select

from app.export.styles import missing_styles
from app.models import WordTemplate, utcnow
from app.services import audit
from app.services.errors import InvalidInput
from app.services.permissions import Actor, Perm, require
from app.services.uploads import MB, check_zip

MAX_TEMPLATE_BYTES = 10 * MB  # a template with a logo or two is well under 1 MB
ONLY_ADMINS = "Only an administrator can change the office's Word template."
NOT_WORD = ("The file is not a Word document (.docx). Open the template in Word and save it "
            "with \u201cSave as\u201d, choosing \u201cWord Document (.docx)\u201d.")


def current(session: Session) -> WordTemplate | None:
    """The office's uploaded template, or None when the built-in one is used."""
    return session.exec(select(WordTemplate).order_by(col(WordTemplate.id).desc())).first()


def template_bytes(session: Session) -> bytes | None:
    """What the documents start from: the office's template's bytes, or None (built-in)."""
    template = current(session)
    return template.content if template is not None else None


def _refuse(message: str) -> InvalidInput:
    return InvalidInput({"file": message}, message)


def check_template(content: bytes) -> None:
    """Refuse (InvalidInput on "file", in plain words) what cannot be the office's template."""
    if not content:
        raise _refuse("The file you chose is empty.")
    if len(content) > MAX_TEMPLATE_BYTES:
        raise _refuse(f"The template must be smaller than {MAX_TEMPLATE_BYTES // MB} MB.")
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _refuse(NOT_WORD)
    check_zip(content, what="Word template")
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises many kinds for a file it cannot read
        raise _refuse(NOT_WORD) from exc
    missing = missing_styles(document)
    if missing:
        names = ", ".join(f"\u201c{name}\u201d" for name in missing)
        raise _refuse(
            f"The template does not have the styles {names}, which the documents use. In "
            "Word, use each of them once in the template (or add them in the Styles pane), "
            "save it, and upload it again." if len(missing) > 1 else
            f"The template does not have the style {names}, which the documents use. In "
            "Word, use it once in the template (or add it in the Styles pane), save it, and "
            "upload it again.")


def upload(session: Session, *, filename: str, content: bytes, by: Actor) -> WordTemplate:
    """Make `content` the office's template, after checking it; the current one is kept
    unless it passes."""
    require(by, Perm.manage_users, ONLY_ADMINS)
    check_template(content)
    session.exec(delete(WordTemplate))
    name = (filename or "template.docx").replace("\\", "/").rsplit("/", 1)[-1][:255]
    template = WordTemplate(filename=name, size_bytes=len(content),
                            sha256=hashlib.sha256(content).hexdigest(), content=content,
                            uploaded_at=utcnow(), uploaded_by_id=by.user_id)
    session.add(template)
    session.flush()
    audit.record(session, by=by, verb="update", object_type="word_template",
                 object_id=template.id,
                 summary=f"Uploaded the office's Word template {name} (SHA-256 {template.sha256})")
    return template


def use_built_in(session: Session, *, by: Actor) -> None:
    """Go back to the built-in template."""
    require(by, Perm.manage_users, ONLY_ADMINS)
    if current(session) is None:
        return
    session.exec(delete(WordTemplate))
    session.flush()
    audit.record(session, by=by, verb="delete", object_type="word_template", object_id=None,
                 summary="Went back to the built-in Word template")
