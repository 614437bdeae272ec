"""The permission table: every role × permission × own/other object, as DESIGN.md §5 says."""

import pytest

from app.models import Role
from app.services.errors import Forbidden
from app.services.permissions import TABLE, Actor, Perm, Scope, allowed, may_see, require

EVERYTHING = set(Perm)
# What each role may do to any object, and what only to its own (DESIGN.md §5).
EXPECTED_ANY = {
    Role.admin: EVERYTHING,
    Role.secretariat: EVERYTHING - {Perm.manage_users, Perm.read_audit},
    Role.chair: {Perm.see_exempt, Perm.write_questions, Perm.approve_minutes,
                 Perm.close_actions, Perm.update_actions, Perm.export_internal},
    Role.force: set(),
    Role.viewer: set(),
}
# A force user updates their own actions and uploads the papers for the items they present.
EXPECTED_OWN = {Role.force: {Perm.update_actions, Perm.upload_papers}}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("perm", list(Perm))
@pytest.mark.parametrize("owned", [True, False], ids=["own", "other"])
def test_the_table_says_who_may_do_what(role, perm, owned):
    actor = Actor(role=role, person_id=7)
    expected = perm in EXPECTED_ANY[role] or (owned and perm in EXPECTED_OWN.get(role, set()))
    assert allowed(actor, perm, owned=owned) is expected
    if expected:
        require(actor, perm, owned=owned)
    else:
        with pytest.raises(Forbidden):
            require(actor, perm, owned=owned)


def test_every_permission_has_a_scope_for_every_role():
    assert set(TABLE) == set(Perm)
    for scopes in TABLE.values():
        assert set(scopes) == set(Role)
        assert all(isinstance(s, Scope) for s in scopes.values())


def test_exempt_records_only_for_those_who_may_see_them():
    assert may_see(Actor(role=Role.viewer), exempt=False)
    assert not may_see(Actor(role=Role.viewer), exempt=True)
    assert not may_see(Actor(role=Role.force, person_id=1), exempt=True)
    assert may_see(Actor(role=Role.chair), exempt=True)


def test_the_command_line_acts_as_an_administrator():
    system = Actor.system()
    assert system.role == Role.admin
    assert all(allowed(system, perm) for perm in Perm)


def test_an_owners_refusal_says_it_is_not_theirs():
    with pytest.raises(Forbidden, match="your own"):
        require(Actor(role=Role.force, person_id=3), Perm.update_actions, owned=False)
