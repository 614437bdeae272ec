"""API tokens' life: a name and an expiry chosen at creation, the second factor for office
roles, last use recorded without writing on every read, listing and revoking."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.models import ApiToken, AuditEvent, Role, utcnow
from app.services import identity, tokens
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tests.factories import SYSTEM, TOTP_SECRET, make_user
from tests.web.signing import code_for


def _actor(session, user):
    return identity.actor_for(session, user)


def _stored(session, raw: str) -> ApiToken:
    return session.exec(select(ApiToken).where(
        ApiToken.token_hash == tokens._digest(raw))).one()


def test_a_token_works_for_90_days_by_default_or_the_days_chosen(session):
    user, _ = make_user(session, Role.viewer)
    raw = tokens.create_token(session, user=user, by=SYSTEM, name="Power BI report")
    stored = _stored(session, raw)
    assert stored.name == "Power BI report"
    assert abs(stored.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
    short = _stored(session, tokens.create_token(session, user=user, by=SYSTEM, days=7))
    assert abs(short.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    for days in (0, -1, tokens.MAX_DAYS + 1):
        with pytest.raises(InvalidInput) as refused:
            tokens.create_token(session, user=user, by=SYSTEM, days=days)
        assert "days" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        tokens.create_token(session, user=user, by=SYSTEM, name="x" * 101)
    assert "name" in refused.value.errors


def test_an_expired_or_revoked_token_is_refused_saying_why(session):
    user, raw = make_user(session, Role.viewer)
    assert tokens.user_for_token(session, raw).id == user.id
    stored = _stored(session, raw)
    stored.expires_at = utcnow() - timedelta(days=1)
    session.commit()
    with pytest.raises(Unauthorized) as expired:
        tokens.user_for_token(session, raw)
    assert "has expired on" in expired.value.message
    assert "ask for a new one" in expired.value.message

    other = tokens.create_token(session, user=user, by=SYSTEM)
    tokens.revoke_token(session, token_id=_stored(session, other).id, by=_actor(session, user))
    with pytest.raises(Unauthorized) as revoked:
        tokens.user_for_token(session, other)
    assert revoked.value.message == "The API token has been revoked; ask for a new one."
    with pytest.raises(Unauthorized) as unknown:
        tokens.user_for_token(session, "asr_made-up")
    assert "not valid" in unknown.value.message


def test_last_use_is_written_at_most_once_a_minute(session):
    _, raw = make_user(session, Role.viewer)
    stored = _stored(session, raw)
    assert stored.last_used_at is None
    tokens.user_for_token(session, raw)
    first = stored.last_used_at
    assert first is not None
    tokens.user_for_token(session, raw)
    assert stored.last_used_at == first  # a second read a moment later writes nothing
    stored.last_used_at = utcnow() - timedelta(minutes=2)
    session.commit()
    tokens.user_for_token(session, raw)
    assert stored.last_used_at > first


@pytest.mark.parametrize("role", [Role.admin, Role.chair, Role.secretariat])
def test_an_office_role_s_token_needs_that_user_s_second_factor(session, role):
    user, _ = make_user(session, role, password="a long enough passphrase")
    me = _actor(session, user)
    with pytest.raises(InvalidInput) as missing:
        tokens.create_token(session, user=user, by=me)
    assert "code" in missing.value.errors
    with pytest.raises(InvalidInput) as wrong:
        tokens.create_token(session, user=user, by=me, code="000000")
    assert "not right" in wrong.value.errors["code"]
    assert "create_refused" in session.exec(select(AuditEvent.verb)).all()
    raw = tokens.create_token(session, user=user, by=me,
                              code=code_for(session, user.id, TOTP_SECRET))
    assert tokens.user_for_token(session, raw).id == user.id
    # The server's command line (Actor.system()) needs no code.
    assert tokens.create_token(session, user=user, by=SYSTEM).startswith("asr_")


def test_an_office_role_without_a_second_factor_yet_gets_no_token_from_a_page(session):
    user, _ = make_user(session, Role.secretariat, totp=False)
    with pytest.raises(Conflict):
        tokens.create_token(session, user=user, by=_actor(session, user), code="123456")


def test_force_users_and_viewers_make_their_own_tokens_without_a_code(session):
    for role in (Role.force, Role.viewer):
        user, _ = make_user(session, role)
        assert tokens.create_token(session, user=user, by=_actor(session, user))


def test_nobody_but_an_administrator_makes_lists_or_revokes_another_s_tokens(session):
    alice, alice_token = make_user(session, Role.viewer)
    bob, bob_token = make_user(session, Role.force)
    admin, _ = make_user(session, Role.admin)
    as_alice = _actor(session, alice)
    with pytest.raises(Forbidden):
        tokens.create_token(session, user=bob, by=as_alice)
    with pytest.raises(Forbidden):
        tokens.list_tokens(session, by=as_alice, user_id=bob.id)
    assert [row.email for row in tokens.list_tokens(session, by=as_alice)] == [alice.email]
    everyone = tokens.list_tokens(session, by=_actor(session, admin))
    assert {row.email for row in everyone} == {alice.email, bob.email, admin.email}
    assert {row.state for row in everyone} == {"live"}

    bobs = _stored(session, bob_token)
    with pytest.raises(NotFound):
        tokens.revoke_token(session, token_id=bobs.id, by=as_alice)
    tokens.revoke_token(session, token_id=bobs.id, by=_actor(session, admin))
    assert [row.state for row in tokens.list_tokens(session, by=SYSTEM, user_id=bob.id)] == [
        "revoked"]
    assert tokens.user_for_token(session, alice_token).id == alice.id


def test_a_deactivated_user_gets_no_new_token(session):
    user, _ = make_user(session, Role.viewer)
    user.active = False
    session.commit()
    with pytest.raises(Conflict):
        tokens.create_token(session, user=user, by=SYSTEM)
