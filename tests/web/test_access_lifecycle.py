"""Access ends when it should: expired, revoked and deactivated users' API tokens get 401
saying why; deactivating a user or a person ends their sessions, tokens, owner links and
calendar link at once, also in another app process on the same database; a change of role
signs the user out."""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import get_session, make_engine, unit_of_work
from app.main import create_app
from app.models import ApiToken, AuditEvent, Person, RefusalTally, Role, Side, User, utcnow
from app.services import accounts, identity, owner_links, tokens
from app.services.calendar import feed_token
from app.services.errors import Conflict
from app.web.calendar import feed_secret
from tests.factories import SYSTEM, CommittingClient, bearer, make_person, make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "tangerine velvet submarine"


@contextmanager
def another_process(engine) -> Iterator[TestClient]:
    """Another app process on the same database: its own engine, its own app, its own
    cookies; nothing is shared with the test's client but the database."""
    other = make_engine(engine.url.render_as_string(hide_password=False), durable=False)
    application = create_app()

    async def session_override(request: Request) -> AsyncIterator[Session]:
        async with unit_of_work(request, other) as session:
            yield session

    application.dependency_overrides[get_session] = session_override
    try:
        with CommittingClient(application, base_url="https://testserver",
                              raise_server_exceptions=False) as client:
            yield client
    finally:
        other.dispose()


def signed_in(client) -> bool:
    return client.get("/meetings", follow_redirects=False).status_code == 200


def detail(response) -> str:
    return response.json()["detail"]


def feed_path(person) -> str:
    token = feed_token("person", person.id, feed_secret(), person.calendar_secret)
    return f"/calendar/person/{person.id}.ics?token={token}"


@pytest.fixture
def officer(session):
    """A force officer with an account, a browser password, an API token and an owner link."""
    person = make_person(session, full_name="Rachel Jones", initials="RJ", side=Side.force,
                         role_abbreviation="ACC")
    user, token = make_user(session, Role.force, person=person, password=PASSWORD)
    link = owner_links.create_link(session, person_id=person.id, by=SYSTEM)
    return person, user, token, link


# --- API tokens ---------------------------------------------------------------------------


def test_expired_revoked_and_deactivated_users_tokens_get_401_saying_why(client, session):
    _, expired = make_user(session, Role.viewer)
    _, revoked = make_user(session, Role.viewer)
    gone, deactivated = make_user(session, Role.viewer)
    _, working = make_user(session, Role.viewer)
    stored = session.exec(select(ApiToken).where(
        ApiToken.token_hash == tokens._digest(expired))).one()
    stored.expires_at = utcnow() - timedelta(hours=1)
    session.commit()
    revoked_id = session.exec(select(ApiToken.id).where(
        ApiToken.token_hash == tokens._digest(revoked))).one()
    tokens.revoke_token(session, token_id=revoked_id, by=SYSTEM)
    accounts.deactivate_user(session, user_id=gone.id, by=SYSTEM)

    answers = {name: client.get("/api/v1/people", headers=bearer(raw)) for name, raw in (
        ("expired", expired), ("revoked", revoked), ("deactivated", deactivated),
        ("working", working))}
    assert answers["working"].status_code == 200
    for name in ("expired", "revoked", "deactivated"):
        assert answers[name].status_code == 401, name
        assert answers[name].headers["www-authenticate"] == "Bearer"
    assert detail(answers["expired"]).startswith("The API token has expired on ")
    assert detail(answers["expired"]).endswith("; ask for a new one.")
    assert detail(answers["revoked"]) == "The API token has been revoked; ask for a new one."
    assert "has been deactivated" in detail(answers["deactivated"])
    # A token that no longer works is nobody the app knows: counted per address and hour, with
    # the first of the hour in the audit log (app/services/refusals.py).
    session.rollback()
    refusals = session.exec(select(AuditEvent.summary).where(AuditEvent.verb == "refused")).all()
    assert any("401 GET /api/v1/people" in s for s in refusals)
    assert sum(session.exec(select(RefusalTally.count)).all()) == 3


# --- deactivating a user ------------------------------------------------------------------


@pytest.mark.separate_connections  # another process: an engine of its own
def test_deactivating_a_user_ends_everything_they_hold_in_every_process(
    client, session, engine, officer
):
    person, user, token, link = officer
    feed = feed_path(person)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303
    with another_process(engine) as laptop:
        assert sign_in_through_form(laptop, session, user.email, PASSWORD).status_code == 303
        for browser in (client, laptop):
            assert signed_in(browser)
            assert browser.get("/api/v1/people", headers=bearer(token)).status_code == 200
            assert browser.get(link.path()).status_code == 200
            assert browser.get(feed).status_code == 200

        ended = accounts.deactivate_user(session, user_id=user.id, by=SYSTEM)  # the CLI
        assert (ended.sessions, ended.tokens, ended.owner_links) == (2, 1, 1)

        for browser in (client, laptop):
            assert not signed_in(browser)
            assert browser.get("/api/v1/people", headers=bearer(token)).status_code == 401
            assert browser.get(link.path()).status_code == 404
            assert browser.get(feed).status_code == 404
        assert laptop.post("/sign-in", data={"email": user.email, "password": PASSWORD}
                           ).status_code == 401
    assert "deactivate" in session.exec(select(AuditEvent.verb)).all()


@pytest.mark.separate_connections  # another process: an engine of its own
def test_deactivating_a_person_deactivates_their_account_and_ends_their_links(
    client, session, engine, officer
):
    person, user, token, link = officer
    feed = feed_path(person)
    _, office = make_user(session, Role.secretariat)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303
    with another_process(engine) as other:
        assert other.get(link.path()).status_code == 200
        changed = other.patch(f"/api/v1/people/{person.id}", headers=bearer(office),
                              json={"active": False})
        assert changed.status_code == 200 and changed.json()["active"] is False
    assert not signed_in(client)
    assert client.get("/api/v1/people", headers=bearer(token)).status_code == 401
    assert client.get(link.path()).status_code == 404
    assert client.get(feed).status_code == 404
    session.expire_all()
    assert session.get(User, user.id).active is False
    # Made active again, the person's old links stay dead and the account stays off.
    assert client.patch(f"/api/v1/people/{person.id}", headers=bearer(office),
                        json={"active": True}).status_code == 200
    assert client.get(link.path()).status_code == 404
    assert client.get(feed).status_code == 404
    assert client.get(feed_path(session.get(Person, person.id))).status_code == 200  # a new one
    assert client.get("/api/v1/people", headers=bearer(token)).status_code == 401


def test_an_inactive_person_s_owner_link_does_not_work_and_is_audited(client, session, officer):
    person, _, _, link = officer
    person.active = False  # as an import or an older version might have left it
    session.commit()
    refused = client.get(link.path())
    assert refused.status_code == 404 and "This link does not work" in refused.text
    events = session.exec(select(AuditEvent.summary).where(
        AuditEvent.object_type == "owner_link", AuditEvent.verb == "refused")).all()
    assert any(summary.startswith("inactive person's link") for summary in events)


def test_nobody_locks_out_themselves_or_the_last_administrator(client, session):
    admin, _ = make_user(session, Role.admin)
    me = identity.actor_for(session, admin)
    with pytest.raises(Conflict):
        accounts.deactivate_user(session, user_id=admin.id, by=me)
    with pytest.raises(Conflict):
        accounts.deactivate_user(session, user_id=admin.id, by=SYSTEM)
    with pytest.raises(Conflict):
        accounts.set_role(session, user_id=admin.id, role="viewer", by=SYSTEM)
    second, _ = make_user(session, Role.admin)
    accounts.set_role(session, user_id=admin.id, role="viewer", by=SYSTEM)
    assert session.get(User, admin.id).role == "viewer"
    with pytest.raises(Conflict):
        accounts.deactivate_user(session, user_id=second.id, by=SYSTEM)


def test_a_secretariat_member_cannot_deactivate_their_own_person(client, session):
    person = make_person(session, full_name="Nina Ash", initials="NA")
    _, token = make_user(session, Role.secretariat, person=person)
    response = client.patch(f"/api/v1/people/{person.id}", headers=bearer(token),
                            json={"active": False})
    assert response.status_code == 409
    assert client.get(f"/api/v1/people/{person.id}", headers=bearer(token)).json()["active"]


def test_only_an_administrator_deactivates_an_administrator_s_person(client, session):
    """The secretariat keeps the people, but cannot take an administrator's access away by
    deactivating their person; an administrator can."""
    admin_person = make_person(session, full_name="Omar Birch", initials="OB")
    admin, _ = make_user(session, Role.admin, person=admin_person)
    _, secretariat = make_user(session, Role.secretariat)
    _, other_admin = make_user(session, Role.admin)
    path = f"/api/v1/people/{admin_person.id}"
    refused = client.patch(path, headers=bearer(secretariat), json={"active": False})
    assert refused.status_code == 403 and "administrator" in refused.json()["detail"]
    session.rollback()  # a fresh read of what the app committed
    session.expire_all()
    assert session.get(User, admin.id).active and session.get(Person, admin_person.id).active
    done = client.patch(path, headers=bearer(other_admin), json={"active": False})
    assert done.status_code == 200 and done.json()["active"] is False
    session.rollback()  # a fresh read of what the app committed
    session.expire_all()
    assert not session.get(User, admin.id).active


# --- changing a role ----------------------------------------------------------------------


@pytest.mark.separate_connections  # another process: an engine of its own
def test_a_change_of_role_signs_the_user_out_everywhere_and_revokes_their_tokens(
    client, session, engine, officer
):
    _, user, token, _ = officer
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303
    with another_process(engine) as laptop:
        sign_in_through_form(laptop, session, user.email, PASSWORD)
        assert signed_in(laptop)
        ended = accounts.set_role(session, user_id=user.id, role="viewer", by=SYSTEM)
        assert (ended.sessions, ended.tokens) == (2, 1)
        assert not signed_in(client) and not signed_in(laptop)
        assert laptop.get("/api/v1/people", headers=bearer(token)).status_code == 401
        assert sign_in_through_form(laptop, session, user.email, PASSWORD).status_code == 303
        assert signed_in(laptop)
    assert accounts.set_role(session, user_id=user.id, role="viewer", by=SYSTEM).sessions == 0


def test_the_list_of_users_counts_live_sessions_and_tokens(client, session, officer):
    _, user, _, _ = officer
    sign_in_through_form(client, session, user.email, PASSWORD)
    other, _ = make_user(session, Role.viewer)
    accounts.deactivate_user(session, user_id=other.id, by=SYSTEM)
    rows = {row.user.email: row for row in accounts.list_users(
        session, by=SYSTEM, idle_minutes=get_settings().session_idle_minutes)}
    assert (rows[user.email].name, rows[user.email].live_sessions,
            rows[user.email].live_tokens) == ("Rachel Jones", 1, 1)
    assert (rows[other.email].user.active, rows[other.email].live_tokens) == (False, 0)
    assert session.exec(select(User).where(col(User.active).is_(False))).one().id == other.id
