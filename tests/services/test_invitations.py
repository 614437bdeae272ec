"""Users from the browser, as the services see them: an invitation is an emailed link that
works once and runs out; a deactivation ends the user's sessions, tokens and invitations; the
last administrator keeps their access; a two-step reset signs the user out."""

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Invitation, Person, Role, User, utcnow
from app.services import accounts, identity, invitations, tokens, two_factor
from app.services.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unauthorized
from app.services.mail import OutboxMailer, TemporaryMailError
from tests.factories import SYSTEM, committed, make_user

PASSWORD = "marmalade lighthouse orbit"
BASE = "https://assure.opcc.example"


@pytest.fixture
def outbox(tmp_path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def mailer(outbox) -> OutboxMailer:
    return OutboxMailer(outbox, sender="assure@opcc.example")


@pytest.fixture
def admin(session):
    user, _ = make_user(session, Role.admin, password="admin password for tests")
    return user


def mails(outbox: Path) -> list[EmailMessage]:
    if not outbox.exists():
        return []
    return [message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(outbox.glob("*.eml"))]


def link_in(message: EmailMessage) -> str:
    return re.search(r"https://\S+/invitation/(\S+)", message.get_content())[1]


def invite(session, admin, mailer, email="sam.clerk@opcc.example", role="secretariat",
           name="Sam Clerk"):
    return committed(session, invitations.invite_user(
        session, email=email, role=role, name=name, by=identity.actor_for(session, admin),
        mailer=mailer, base_url=BASE))


def test_an_invitation_is_emailed_with_a_link_that_works_once(session, admin, mailer, outbox):
    invited = invite(session, admin, mailer)
    [message] = mails(outbox)
    assert message["To"] == "sam.clerk@opcc.example"
    raw = link_in(message)
    assert raw == invited.token
    # Only a digest is kept: the secret is in the email and nowhere in the database.
    stored = session.exec(select(Invitation)).one()
    assert stored.token_hash != raw and raw not in stored.token_hash
    assert abs(stored.expires_at - (utcnow() + timedelta(days=invitations.DAYS))) \
        < timedelta(minutes=1)
    user = invited.user
    assert user.role == Role.secretariat and user.password_hash is None
    assert session.get(Person, user.person_id).full_name == "Sam Clerk"

    committed(session, invitations.accept_invitation(session, raw=raw, password=PASSWORD,
                                                     confirm=PASSWORD))
    assert identity.authenticate(session, email=user.email, password=PASSWORD).id == user.id
    with pytest.raises(Gone, match="used already"):
        invitations.open_invitation(session, raw)
    with pytest.raises(Gone, match="used already"):
        invitations.accept_invitation(session, raw=raw, password="another long password",
                                      confirm="another long password")


def test_an_expired_or_altered_link_does_not_work(session, admin, mailer):
    invited = invite(session, admin, mailer)
    invited.invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    with pytest.raises(Gone, match="ran out"):
        invitations.accept_invitation(session, raw=invited.token, password=PASSWORD,
                                      confirm=PASSWORD)
    assert session.get(User, invited.user.id).password_hash is None
    with pytest.raises(NotFound, match="not right"):
        invitations.open_invitation(session, invited.token[:-2] + "xx")


def test_a_new_invitation_ends_the_earlier_link(session, admin, mailer):
    first = invite(session, admin, mailer)
    again = committed(session, invitations.invite_again(
        session, user_id=first.user.id, by=identity.actor_for(session, admin), mailer=mailer,
        base_url=BASE))
    with pytest.raises(Gone, match="newer invitation"):
        invitations.open_invitation(session, first.token)
    assert invitations.open_invitation(session, again.token)[1].id == first.user.id


def test_the_password_must_meet_the_rule_and_be_typed_twice_the_same(session, admin, mailer):
    invited = invite(session, admin, mailer)
    with pytest.raises(InvalidInput) as short:
        invitations.accept_invitation(session, raw=invited.token, password="short",
                                      confirm="short")
    assert "password" in short.value.errors
    with pytest.raises(InvalidInput) as different:
        invitations.accept_invitation(session, raw=invited.token, password=PASSWORD,
                                      confirm=PASSWORD + "s")
    assert "confirm" in different.value.errors
    session.rollback()
    assert invitations.open_invitation(session, invited.token)  # still works


def test_bad_invitations_are_refused_and_nothing_is_saved(session, admin, mailer, outbox):
    by = identity.actor_for(session, admin)
    with pytest.raises(InvalidInput) as refused:
        invitations.invite_user(session, email="", role="boss", by=by, mailer=mailer,
                                base_url=BASE)
    assert set(refused.value.errors) == {"email", "role"}
    with pytest.raises(InvalidInput) as taken:
        invitations.invite_user(session, email=admin.email.upper(), role="viewer", by=by,
                                mailer=mailer, base_url=BASE)
    assert "already exists" in taken.value.errors["email"]
    viewer, _ = make_user(session, Role.secretariat)
    with pytest.raises(Forbidden):
        invitations.invite_user(session, email="x@opcc.example", role="viewer",
                                by=identity.actor_for(session, viewer), mailer=mailer,
                                base_url=BASE)
    assert mails(outbox) == []


def test_a_mail_that_cannot_be_sent_is_a_clear_refusal(session, admin):
    class Down:
        sender = "assure@opcc.example"

        def send(self, message):
            raise TemporaryMailError("could not reach smtp://mail.opcc.example:25")

        def describe(self):
            return "down"

    with pytest.raises(Conflict, match="could not be sent"):
        invitations.invite_user(session, email="sam@opcc.example", role="viewer",
                                by=identity.actor_for(session, admin), mailer=Down(),
                                base_url=BASE)


def test_deactivating_ends_sessions_tokens_and_invitations(session, admin, mailer):
    invited = invite(session, admin, mailer, role="viewer", name="")
    officer, token = make_user(session, Role.force, password=PASSWORD)
    web = committed(session, identity.start_web_session(session, user=officer,
                                                        idle_minutes=30, max_hours=8))
    by = identity.actor_for(session, admin)
    for user in (invited.user, officer):
        committed(session, accounts.deactivate_user(session, user_id=user.id, by=by))
    assert identity.resume_web_session(session, web.raw_token, idle_minutes=30) is None
    with pytest.raises(Unauthorized):
        tokens.user_for_token(session, token)
    with pytest.raises(Gone, match="closed"):
        invitations.open_invitation(session, invited.token)
    # Reactivated, the old invitation stays ended: a new one is sent deliberately.
    committed(session, accounts.activate_user(session, user_id=invited.user.id, by=by))
    with pytest.raises(Gone):
        invitations.open_invitation(session, invited.token)
    assert identity.resume_web_session(session, web.raw_token, idle_minutes=30) is None


def test_the_last_administrator_keeps_their_access(session, admin):
    by = identity.actor_for(session, admin)
    with pytest.raises(Conflict, match="your own account"):
        accounts.deactivate_user(session, user_id=admin.id, by=by)
    with pytest.raises(Conflict, match="your own account"):
        accounts.set_role(session, user_id=admin.id, role="viewer", by=by)
    # From the server's command line, the only administrator cannot go either.
    with pytest.raises(Conflict, match="last active administrator"):
        accounts.deactivate_user(session, user_id=admin.id, by=SYSTEM)
    with pytest.raises(Conflict, match="last active administrator"):
        accounts.set_role(session, user_id=admin.id, role="secretariat", by=SYSTEM)
    session.rollback()
    assert session.get(User, admin.id).active and session.get(User, admin.id).role == Role.admin
    # With a second administrator, one may demote the other.
    other, _ = make_user(session, Role.admin)
    committed(session, accounts.set_role(session, user_id=other.id, role="secretariat", by=by))
    assert session.get(User, other.id).role == Role.secretariat


def test_resetting_two_step_signs_the_user_out_and_they_set_it_up_again(session, admin):
    chair, _ = make_user(session, Role.chair, password=PASSWORD)
    assert two_factor.enabled(chair)
    web = committed(session, identity.start_web_session(session, user=chair, idle_minutes=30,
                                                        max_hours=8))
    by = identity.actor_for(session, admin)
    committed(session, accounts.reset_two_factor(session, user_id=chair.id, by=by))
    chair = session.get(User, chair.id)
    assert not two_factor.enabled(chair) and two_factor.required(chair)
    assert identity.resume_web_session(session, web.raw_token, idle_minutes=30) is None
    with pytest.raises(Conflict, match="nothing to reset"):
        accounts.reset_two_factor(session, user_id=chair.id, by=by)
    with pytest.raises(Conflict, match="your own"):
        accounts.reset_two_factor(session, user_id=admin.id, by=by)


def test_an_invitation_by_name_links_the_person_already_in_the_directory(session, admin,
                                                                        mailer):
    from tests.factories import make_person

    known = make_person(session, full_name="Rachel Jones", initials="RJ")
    session.commit()
    linked = invite(session, admin, mailer, email="rachel.jones@police.example", role="force",
                    name="rachel  jones")
    assert linked.user.person_id == known.id
    made = invite(session, admin, mailer, email="new.face@opcc.example", role="viewer",
                  name="New Face")
    assert session.get(Person, made.user.person_id).full_name == "New Face"
