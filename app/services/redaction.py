"""Exemptions: why an item, an entry or an action is left out of the public edition.

The reason is chosen from the Freedom of Information Act 2000 sections an OPCC relies on, or
written out ("other"). It is stored as words, so that the public edition can say which
exemption applies ("This item was considered in private (exempt under section 31 …)").
"""

from dataclasses import dataclass

from sqlmodel import Session

from app.schemas import ActionEdit, EntryUpdate, ItemUpdate
from app.services.actions import update_action
from app.services.agenda import update_item
from app.services.entries import get_entry, update_entry
from app.services.errors import InvalidInput
from app.services.text import clean_line

FOI_ACT = "of the Freedom of Information Act 2000"
MAX_REASON = 500


@dataclass(frozen=True)
class Exemption:
    code: str  # "s31"
    label: str  # what the page offers: "Section 31: law enforcement"
    reason: str  # what is stored and printed


def _section(number: int, subject: str) -> Exemption:
    return Exemption(code=f"s{number}", label=f"Section {number}: {subject}",
                     reason=f"section {number} {FOI_ACT} ({subject})")


EXEMPTIONS: list[Exemption] = [
    _section(24, "national security"),
    _section(30, "investigations and proceedings"),
    _section(31, "law enforcement"),
    _section(36, "prejudice to the effective conduct of public affairs"),
    _section(38, "health and safety"),
    _section(40, "personal information"),
    _section(41, "information provided in confidence"),
    _section(42, "legal professional privilege"),
    _section(43, "commercial interests"),
]
OTHER = "other"
_BY_CODE = {e.code: e for e in EXEMPTIONS}


def reason_for(choice: str, other: str = "", field: str = "exempt_reason") -> str:
    """The stored reason for a choice from the list, or the words typed for "other"."""
    choice = (choice or "").strip()
    if choice in _BY_CODE:
        return _BY_CODE[choice].reason
    if choice == OTHER:
        try:
            text = clean_line(other or "")
        except ValueError as exc:
            raise InvalidInput({f"{field}_other": str(exc)}) from None
        if not text:
            raise InvalidInput({f"{field}_other": "say why it is exempt"})
        if len(text) > MAX_REASON:
            raise InvalidInput({f"{field}_other":
                                f"the reason must be {MAX_REASON} characters or fewer"})
        return text
    raise InvalidInput({field: "choose the exemption that applies"})


def choice_of(reason: str) -> tuple[str, str]:
    """The (choice, other text) a form shows for a stored reason."""
    for exemption in EXEMPTIONS:
        if reason == exemption.reason:
            return exemption.code, ""
    return (OTHER, reason) if reason else ("", "")


def check_reason(exempt: bool, reason: str, field: str = "exempt_reason") -> None:
    """An exempt thing needs a reason."""
    if exempt and not (reason or "").strip():
        raise InvalidInput({field: "give the reason it is exempt, for example \"section 40 "
                                   f"{FOI_ACT} (personal information)\""})


# --- marking things exempt ----------------------------------------------------------------


def set_item_exemption(session: Session, *, item_id: int, exempt: bool, reason: str, by):
    """Make an agenda item exempt (with the reason) or public again."""
    check_reason(exempt, reason)
    return update_item(session, item_id=item_id, by=by,
                       data=ItemUpdate(exempt=exempt, exempt_reason=reason if exempt else ""))


def set_entry_exemption(session: Session, *, entry_id: int, exempt: bool, reason: str, by):
    """Make an entry exempt (with the reason) or public again; locked minutes refuse (409)."""
    check_reason(exempt, reason)
    entry = get_entry(session, entry_id=entry_id, by=by)
    return update_entry(session, entry_id=entry_id, by=by, data=EntryUpdate(
        version=entry.version, exempt=exempt, exempt_reason=reason if exempt else ""))


def set_action_exemption(session: Session, *, action_id: int, exempt: bool, reason: str, by):
    """Make an action exempt (with the reason) or public again."""
    check_reason(exempt, reason)
    return update_action(session, action_id=action_id, by=by,
                         data=ActionEdit(exempt=exempt, exempt_reason=reason if exempt else ""))
