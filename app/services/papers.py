"""Papers for agenda items: PDF or Word only, judged by their content as well as their name.

Papers are kept in the database (with a SHA-256 checksum) so that every app process on every
machine serves the same files.
"""

import hashlib
import io
import zipfile
from collections.abc import Sequence
from datetime import date

from sqlmodel import Session, col, select

from app.models import AgendaItem, Meeting, MeetingStatus, Paper
from app.services import audit, uploads
from app.services.agenda import get_item
from app.services.common import get_or_404
from app.services.dates import today
from app.services.errors import Conflict, DomainError, InvalidInput, NotFound
from app.services.inspection_import import extract_text
from app.services.permissions import Actor, Perm, Scope, require, scope_of
from app.services.text import clean_file_name

MAX_PAPER_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 1_000_000  # a paper's words kept for the search
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
_EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".doc": DOC}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def sniff(content: bytes) -> str | None:
    """What a file really is, from its bytes: PDF, Word (.docx or .doc), or None."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
        return None
    if content.startswith(_OLE) and _WORD_STREAM in content:
        return DOC
    return None


def _in_private(session: Session, item: AgendaItem) -> bool:
    """The item is exempt, itself or under an exempt item."""
    from app.services.visibility import exempt_item_ids  # visibility reads papers_of

    return item.id in exempt_item_ids(session, [item.meeting_id])


def presents(by: Actor, item: AgendaItem) -> bool:
    """The actor is the person who presents the item."""
    return by.person_id is not None and item.presenter_id == by.person_id


def may_upload(session: Session, by: Actor, item: AgendaItem) -> bool:
    """Whether the actor may upload a paper for this item: the office for any item; a force
    officer for the items they present that they may see (not Part 2), of a meeting that is
    not cancelled."""
    if not by.can(Perm.edit_record) and not presents(by, item):
        return False  # (the quick answer for most items of a force officer's agenda)
    try:
        check_uploader(session, by, item)
    except DomainError:
        return False
    return True


def check_uploader(session: Session, by: Actor, item: AgendaItem) -> None:
    """Refuse an upload the actor may not make: NotFound for a Part 2 item they may not see,
    Forbidden for another's item, Conflict for a cancelled meeting's."""
    if by.can(Perm.edit_record):
        return
    if not by.sees_exempt and _in_private(session, item):
        raise NotFound(f"There is no agenda item with id {item.id}.")
    own_only = scope_of(by.role, Perm.upload_papers) == Scope.own
    require(by, Perm.upload_papers,
            "You can upload papers only for the items you present." if own_only else None,
            owned=presents(by, item))
    meeting = session.get(Meeting, item.meeting_id)
    if meeting is not None and meeting.status == MeetingStatus.cancelled:
        raise Conflict("This meeting was cancelled, so it needs no papers.")


def lateness(due_on: date | None, arrived: date) -> int | None:
    """How many days after its due date a paper arrived (0: on time); None without a due
    date."""
    return None if due_on is None else max(0, (arrived - due_on).days)


def late_words(paper: Paper) -> str:
    """"Arrived 2 days late", "Arrived 1 day late", or "" for a paper on time or not due."""
    days = paper.days_late or 0
    return f"Arrived {days} day{'' if days == 1 else 's'} late" if days > 0 else ""


def read_text(filename: str, content: bytes) -> str:
    """A paper's words, for the search: those of a PDF or Word (.docx) document, or "" when
    none can be read (an old .doc, a scan without text, a damaged file)."""
    if not filename.lower().endswith((".pdf", ".docx")):
        return ""
    try:
        words = extract_text(filename, content)
    except Exception:  # noqa: BLE001 - a paper that cannot be read is still kept
        return ""
    return "".join(ch for ch in words if ch >= " " or ch in "\n\t")[:MAX_TEXT_CHARS]


def attach_paper(
    session: Session, *, item_id: int, filename: str, content: bytes, by: Actor,
    replace: bool = False,
) -> Paper:
    """Keep a paper for an item, if it is what its name says and no bigger than allowed, with
    how late it arrived. `replace` removes the papers the same user uploaded for it before."""
    item = get_item(session, item_id)
    check_uploader(session, by, item)
    name = clean_file_name(filename, default_stem="paper")
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or extension not in _EXTENSIONS:
        raise InvalidInput({"file": "choose a PDF or Word document (.pdf, .docx or .doc)"})
    if not content:
        raise InvalidInput({"file": "the file is empty"})
    if len(content) > MAX_PAPER_BYTES:
        limit = MAX_PAPER_BYTES // 1024 // 1024
        raise InvalidInput({"file": f"the file is larger than {limit} MB"})
    actual = sniff(content)
    if actual is None:
        raise InvalidInput({"file": f"{name} is not a PDF or Word document, whatever its name"})
    if actual != _EXTENSIONS[extension]:
        raise InvalidInput({"file": f"{name} is named as one kind of document but is another"})
    if actual == DOCX:
        uploads.check_zip(content)
    assert item.id is not None  # loaded from the database
    if replace and by.user_id is not None:
        earlier = session.exec(select(Paper).where(Paper.item_id == item.id,
                                                   Paper.uploaded_by_id == by.user_id)).all()
        for old in earlier:
            audit.record(session, by=by, verb="delete", object_type="paper", object_id=old.id,
                         summary=f"item {item.id}: {old.filename} replaced by {name}")
            session.delete(old)
        session.flush()
    paper = Paper(item_id=item.id, filename=name, content_type=actual, size_bytes=len(content),
                  sha256=hashlib.sha256(content).hexdigest(), content=content,
                  uploaded_by_id=by.user_id, due_on=item.paper_due_on,
                  days_late=lateness(item.paper_due_on, today()),
                  text=read_text(name, content))
    session.add(paper)
    session.flush()
    audit.record(session, by=by, verb="create", object_type="paper", object_id=paper.id,
                 summary=f"item {item.id}: {name} ({len(content):,} bytes, {paper.sha256[:12]})")
    session.flush()
    return paper


def papers_of(session: Session, item_ids: Sequence[int | None]
              ) -> dict[int | None, list[Paper]]:
    """Each item's papers, oldest first (without loading their content twice)."""
    result: dict[int | None, list[Paper]] = {i: [] for i in item_ids}
    if item_ids:
        query = (select(Paper).where(col(Paper.item_id).in_(item_ids))
                 .order_by(col(Paper.uploaded_at)))
        for paper in session.exec(query):
            result[paper.item_id].append(paper)
    return result


def get_paper(session: Session, paper_id: int) -> Paper:
    """One paper, or NotFound."""
    return get_or_404(session, Paper, paper_id, "paper")


def delete_paper(session: Session, *, paper_id: int, by: Actor) -> None:
    """Remove a paper that was attached by mistake."""
    require(by, Perm.edit_record)
    paper = get_paper(session, paper_id)
    audit.record(session, by=by, verb="delete", object_type="paper", object_id=paper.id,
                 summary=f"item {paper.item_id}: {paper.filename} ({paper.sha256[:12]})")
    session.delete(paper)
    session.flush()


def is_late(item: AgendaItem, papers: list[Paper], on: date | None = None) -> bool:
    """A paper was due from the force by a date that has passed, and none has arrived."""
    return item.paper_due_on is not None and not papers and item.paper_due_on < (on or today())
