"""Who may do what: one table of role × permission, used by the API, the pages and the CLI."""

from dataclasses import dataclass
from enum import StrEnum

from app.models import Role
from app.services.errors import Forbidden


class Perm(StrEnum):
    see_exempt = "see_exempt"  # read exempt items, entries, actions; draft questions
    edit_record = "edit_record"  # people, meetings, agenda, minutes, attendance, actions
    write_questions = "write_questions"  # questions and their answers
    approve_minutes = "approve_minutes"
    publish_minutes = "publish_minutes"  # put approved minutes' public edition on /public
    close_actions = "close_actions"  # close or reopen an action
    update_own_actions = "update_own_actions"  # post updates to actions one owns
    update_any_action = "update_any_action"
    export_internal = "export_internal"  # the internal edition of the minutes
    manage_users = "manage_users"


_ALL = frozenset(Perm)

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.admin: _ALL,
    Role.secretariat: _ALL - {Perm.manage_users},
    Role.chair: frozenset(
        {
            Perm.see_exempt,
            Perm.write_questions,
            Perm.approve_minutes,
            Perm.close_actions,
            Perm.update_any_action,
            Perm.export_internal,
        }
    ),
    Role.force: frozenset({Perm.update_own_actions}),
    Role.viewer: frozenset(),
}


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
        """Whether this actor's role carries the permission."""
        return perm in PERMISSIONS[self.role]

    @property
    def sees_exempt(self) -> bool:
        return self.can(Perm.see_exempt)


def require(actor: Actor, perm: Perm, message: str | None = None) -> None:
    """Raise Forbidden unless the actor's role carries the permission."""
    if not actor.can(perm):
        raise Forbidden(message or f"Your role ({actor.role}) cannot do this.")
