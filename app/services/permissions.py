"""Who may do what: one table of permission × role → scope, used by the API, the pages and the
command line (which acts as an administrator, Actor.system()).

A scope says over which objects a role holds a permission: `any` object, only the objects the
actor `own`s (a force officer's own actions), or `none`. Services ask one question,
`allowed(actor, perm, owned=...)`, or `require(...)`, which raises Forbidden.
"""

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from app.models import Role
from app.services.errors import Forbidden


class Perm(StrEnum):
    see_exempt = "see_exempt"  # read exempt items, entries, actions; draft questions
    edit_record = "edit_record"  # people, meetings, agenda, minutes, attendance, actions
    write_questions = "write_questions"  # questions and their answers
    approve_minutes = "approve_minutes"
    publish_minutes = "publish_minutes"  # put approved minutes' public edition on /public
    close_actions = "close_actions"  # close or reopen an action; decide on closure requests
    update_actions = "update_actions"  # post updates to an action, hand it on to a colleague
    export_internal = "export_internal"  # the internal edition of the minutes
    manage_users = "manage_users"
    read_audit = "read_audit"  # the audit log
    upload_papers = "upload_papers"  # papers for agenda items (a presenter's: their own items)


class Scope(IntEnum):
    """Over which objects a role holds a permission (ordered: none < own < any)."""

    none = 0
    own = 1
    any = 2


_ = Scope.none
OWN = Scope.own
ANY = Scope.any

# Perm × (admin, secretariat, chair, force, viewer). DESIGN.md §5: admin and secretariat do
# everything (bar managing users); the chair reads everything and writes questions, answers,
# approvals and the closing of actions; force officers update only actions they own; viewers
# read non-exempt records. Reading non-exempt records needs no permission beyond signing in.
_COLUMNS = (Role.admin, Role.secretariat, Role.chair, Role.force, Role.viewer)
_ROWS: dict[Perm, tuple[Scope, Scope, Scope, Scope, Scope]] = {
    #                     admin secretariat chair force viewer
    Perm.see_exempt:      (ANY, ANY,        ANY,  _,    _),
    Perm.edit_record:     (ANY, ANY,        _,    _,    _),
    Perm.write_questions: (ANY, ANY,        ANY,  _,    _),
    Perm.approve_minutes: (ANY, ANY,        ANY,  _,    _),
    Perm.publish_minutes: (ANY, ANY,        _,    _,    _),
    Perm.close_actions:   (ANY, ANY,        ANY,  _,    _),
    Perm.update_actions:  (ANY, ANY,        ANY,  OWN,  _),
    Perm.export_internal: (ANY, ANY,        ANY,  _,    _),
    Perm.manage_users:    (ANY, _,          _,    _,    _),
    Perm.read_audit:      (ANY, _,          _,    _,    _),
    Perm.upload_papers:   (ANY, ANY,        _,    OWN,  _),
}

TABLE: dict[Perm, dict[Role, Scope]] = {
    perm: dict(zip(_COLUMNS, scopes, strict=True)) for perm, scopes in _ROWS.items()
}
assert set(TABLE) == set(Perm), "every permission needs a row in the table"


def scope_of(role: Role, perm: Perm) -> Scope:
    """The scope over which a role holds a permission."""
    return TABLE[perm][Role(role)]


@dataclass(frozen=True)
class Actor:
    """Whoever is acting: a signed-in user, a token's user, or the command line."""

    role: Role
    user_id: int | None = None
    person_id: int | None = None
    label: str = "system"

    @classmethod
    def system(cls, label: str = "command line") -> "Actor":
        """The command line and the demo loader act as an administrator."""
        return cls(role=Role.admin, label=label)

    def can(self, perm: Perm) -> bool:
        """Whether this actor holds the permission over any object."""
        return allowed(self, perm)

    @property
    def sees_exempt(self) -> bool:
        return allowed(self, Perm.see_exempt)


def allowed(actor: Actor, perm: Perm, *, owned: bool = False) -> bool:
    """Whether the actor may do this to an object: their role holds the permission over any
    object, or over their own and `owned` says the object is theirs."""
    scope = scope_of(actor.role, perm)
    return scope == Scope.any or (scope == Scope.own and owned)


def may_see(actor: Actor, exempt: bool) -> bool:
    """Whether the actor may read a record that is (or is not) exempt."""
    return not exempt or allowed(actor, Perm.see_exempt)


def require(actor: Actor, perm: Perm, message: str | None = None, *,
            owned: bool = False) -> None:
    """Raise Forbidden unless allowed(actor, perm, owned=owned)."""
    if not allowed(actor, perm, owned=owned):
        if scope_of(actor.role, perm) == Scope.own:
            raise Forbidden(message or "You can only do this to your own records.")
        raise Forbidden(message or f"Your role ({actor.role}) cannot do this.")
