"""Users from the browser: the administrator's users list and user page (invite, role,
deactivate, reactivate, two-step reset, tokens), everyone's own API tokens on the account
page, and the invitation link's page, each with bad input and a caller who may not."""

import re
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.config import get_settings
from app.models import ApiToken, Invitation, Role, User, utcnow
from app.services import two_factor
from tests.factories import TOTP_SECRET, make_user
from tests.web.signing import code_for, csrf_of, sign_in_through_form

PASSWORD = "tangerine velvet submarine"
NEW_PASSWORD = "harbour lantern meadow"


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setenv("ASSURE_OUTBOX_DIR", str(folder))
    monkeypatch.setenv("ASSURE_BASE_URL", "https://assure.opcc.example")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def mails(outbox: Path):
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


@pytest.fixture
def admin(client, session):
    user, _ = make_user(session, Role.admin, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303
    return user


def csrf(client, path="/account") -> str:
    return csrf_of(client.get(path).text)


def post(client, path, data=None, page="/account"):
    return client.post(path, data={**(data or {}), "csrf_token": csrf(client, page)},
                       follow_redirects=False)


def fresh(session, model, id_):
    with Session(session.get_bind()) as other:
        return other.get(model, id_)


# --- the list and inviting ------------------------------------------------------------------


def test_the_admin_lists_users_a_page_at_a_time(client, session, admin):
    viewer, _ = make_user(session, Role.viewer, email="aaa.viewer@opcc.example")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "aaa.viewer@opcc.example" in page.text and f"/admin/users/{viewer.id}" in page.text
    assert "Two-step verification" in page.text and "Never" in page.text
    for n in range(50):
        make_user(session, Role.viewer, email=f"zz{n:02}@opcc.example")
    first, second = client.get("/admin/users"), client.get("/admin/users?page=2")
    assert "aaa.viewer@opcc.example" in first.text and "zz49@" not in first.text
    assert "zz49@opcc.example" in second.text and "page 2 of 2" in second.text
    assert client.get("/admin/users?page=x").status_code == 200  # not a 500


def test_inviting_sends_the_email_and_bad_input_is_refused(client, session, admin, outbox):
    page = client.get("/admin/users/invite")
    assert page.status_code == 200 and "Send the invitation" in page.text
    refused = post(client, "/admin/users/invite", {"email": "", "role": "boss"},
                   page="/admin/users/invite")
    assert refused.status_code == 422
    assert "<title>Error:" in refused.text
    assert 'href="#email"' in refused.text and 'href="#role"' in refused.text
    taken = post(client, "/admin/users/invite", {"email": admin.email, "role": "viewer"},
                 page="/admin/users/invite")
    assert taken.status_code == 422 and "already exists" in taken.text
    assert mails(outbox) == []

    done = post(client, "/admin/users/invite", {"email": "Sam.Clerk@opcc.example",
                                                 "name": "Sam Clerk", "role": "secretariat"},
                page="/admin/users/invite")
    assert done.status_code == 303
    user = session.exec(select(User).where(User.email == "sam.clerk@opcc.example")).one()
    assert done.headers["location"] == f"/admin/users/{user.id}?done=invited"
    shown = client.get(done.headers["location"])
    assert "The invitation has been sent." in shown.text and "Invited" in shown.text
    [message] = mails(outbox)
    assert message["To"] == "sam.clerk@opcc.example"
    assert "https://assure.opcc.example/invitation/" in message.get_content()


def test_non_admins_cannot_reach_the_users_pages(client, session):
    user, _ = make_user(session, Role.secretariat, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    viewer, _ = make_user(session, Role.viewer)
    for path in ("/admin/users", "/admin/users/invite", f"/admin/users/{viewer.id}",
                 "/admin/tokens"):
        assert client.get(path).status_code == 403, path
    for path in ("/admin/users/invite", f"/admin/users/{viewer.id}/deactivate",
                 f"/admin/users/{viewer.id}/role", f"/admin/users/{viewer.id}/activate",
                 f"/admin/users/{viewer.id}/two-factor/reset"):
        assert post(client, path, {"email": "x@opcc.example", "role": "admin"}
                    ).status_code == 403, path
    assert fresh(session, User, viewer.id).active
    assert fresh(session, User, user.id).role == Role.secretariat


# --- one user -------------------------------------------------------------------------------


def test_changing_a_role_signs_them_out_and_bad_roles_are_refused(client, session, admin):
    viewer, token = make_user(session, Role.viewer)
    page = f"/admin/users/{viewer.id}"
    bad = post(client, f"{page}/role", {"role": "boss"}, page=page)
    assert bad.status_code == 422 and 'href="#role"' in bad.text
    done = post(client, f"{page}/role", {"role": "force"}, page=page)
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=role"
    assert fresh(session, User, viewer.id).role == Role.force
    assert client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    assert post(client, "/admin/users/999999/role", {"role": "viewer"}).status_code == 404


def test_an_admin_cannot_demote_or_deactivate_themselves(client, session, admin):
    page = f"/admin/users/{admin.id}"
    assert "This is your own account" in client.get(page).text
    for path, data in ((f"{page}/role", {"role": "viewer"}), (f"{page}/deactivate", {})):
        refused = post(client, path, data)
        assert refused.status_code == 409
        assert "cannot deactivate your own account or change its role" in refused.text
    assert fresh(session, User, admin.id).role == Role.admin
    assert fresh(session, User, admin.id).active


def test_deactivating_and_reactivating_from_the_user_page(client, session, admin):
    officer, token = make_user(session, Role.force, password=PASSWORD)
    page = f"/admin/users/{officer.id}"
    done = post(client, f"{page}/deactivate", page=page)
    assert done.status_code == 303
    assert "have ended" in client.get(done.headers["location"]).text
    assert not fresh(session, User, officer.id).active
    assert client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401
    listed = client.get("/admin/users").text
    assert "Deactivated" in listed
    again = post(client, f"{page}/activate", page=page)
    assert again.status_code == 303 and fresh(session, User, officer.id).active
    # The token ended with the deactivation stays ended.
    assert client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {token}"}
                      ).status_code == 401


def test_resetting_two_step_verification(client, session, admin):
    chair, _ = make_user(session, Role.chair, password=PASSWORD)
    page = f"/admin/users/{chair.id}"
    assert "Reset two-step verification" in client.get(page).text
    done = post(client, f"{page}/two-factor/reset", page=page)
    assert done.status_code == 303
    assert not two_factor.enabled(fresh(session, User, chair.id))
    # Nothing left to reset: a clear refusal, not a 500.
    refused = post(client, f"{page}/two-factor/reset", page=page)
    assert refused.status_code == 409 and "nothing to reset" in refused.text


def test_a_new_invitation_from_the_user_page(client, session, admin, outbox):
    post(client, "/admin/users/invite", {"email": "new@opcc.example", "role": "viewer"},
         page="/admin/users/invite")
    user = session.exec(select(User).where(User.email == "new@opcc.example")).one()
    page = f"/admin/users/{user.id}"
    assert post(client, f"{page}/invite-again", page=page).status_code == 303
    assert len(mails(outbox)) == 2
    # Someone with a password needs no invitation.
    assert post(client, f"/admin/users/{admin.id}/invite-again", page=page).status_code == 409


# --- API tokens -----------------------------------------------------------------------------


def test_everyone_makes_and_revokes_their_own_tokens(client, session):
    viewer, _ = make_user(session, Role.viewer, password=PASSWORD)
    sign_in_through_form(client, session, viewer.email, PASSWORD)
    for data, field in (({"name": "", "days": "30"}, "token_name"),
                        ({"name": "Report", "days": "0"}, "token_days"),
                        ({"name": "Report", "days": "soon"}, "token_days"),
                        ({"name": "x" * 101, "days": "30"}, "token_name")):
        refused = post(client, "/account/tokens", data)
        assert refused.status_code == 422, data
        assert f'href="#{field}"' in refused.text and "<title>Error:" in refused.text
    made = post(client, "/account/tokens", {"name": "Power BI report", "days": "30"})
    assert made.status_code == 200
    raw = re.search(r'id="new-api-token"[^>]*>([^<]+)<', made.text)[1]
    assert client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {raw}"}
                      ).status_code == 200
    page = client.get("/account").text
    assert "Power BI report" in page and raw not in page  # shown once
    stored = session.exec(select(ApiToken).where(ApiToken.name == "Power BI report")).one()
    assert fresh(session, ApiToken, stored.id).last_used_at is not None
    assert post(client, f"/account/tokens/{stored.id}/revoke").status_code == 303
    assert client.get("/api/v1/meetings", headers={"Authorization": f"Bearer {raw}"}
                      ).status_code == 401
    # Someone else's token is not theirs to revoke.
    other, other_raw = make_user(session, Role.viewer)
    theirs = session.exec(select(ApiToken).where(ApiToken.user_id == other.id)).one()
    assert post(client, f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert fresh(session, ApiToken, theirs.id).revoked_at is None


def test_a_token_for_an_office_role_needs_the_code(client, session):
    clerk, _ = make_user(session, Role.secretariat, password=PASSWORD)
    sign_in_through_form(client, session, clerk.email, PASSWORD)
    refused = post(client, "/account/tokens", {"name": "Report", "days": "7", "code": ""})
    assert refused.status_code == 422 and 'href="#token_code"' in refused.text
    made = post(client, "/account/tokens", {"name": "Report", "days": "7",
                                            "code": code_for(session, clerk.id, TOTP_SECRET)})
    assert made.status_code == 200 and 'id="new-api-token"' in made.text


def test_the_admin_sees_everyones_tokens_and_revokes_any(client, session, admin):
    viewer, raw = make_user(session, Role.viewer)
    token = session.exec(select(ApiToken).where(ApiToken.user_id == viewer.id)).one()
    page = client.get("/admin/tokens")
    assert page.status_code == 200 and viewer.email in page.text
    assert post(client, f"/admin/tokens/{token.id}/revoke", page="/admin/tokens"
                ).status_code == 303
    assert fresh(session, ApiToken, token.id).revoked_at is not None
    assert post(client, "/admin/tokens/999999/revoke").status_code == 404
    # On the user's page too, but only that user's token.
    _, second = make_user(session, Role.viewer)
    other = session.exec(select(ApiToken).where(ApiToken.user_id != viewer.id,
                                                ApiToken.user_id != admin.id)).first()
    assert post(client, f"/admin/users/{viewer.id}/tokens/{other.id}/revoke"
                ).status_code == 404


# --- the invitation link --------------------------------------------------------------------


def _invited(client, session, outbox, role="viewer") -> tuple[User, str]:
    post(client, "/admin/users/invite", {"email": f"{role}.new@opcc.example", "role": role},
         page="/admin/users/invite")
    path = re.search(r"https://assure\.opcc\.example(/invitation/\S+)",
                     mails(outbox)[-1].get_content())[1]
    user = session.exec(select(User).where(User.email == f"{role}.new@opcc.example")).one()
    return user, path


def _form_token(html: str) -> str:
    return csrf_of(html)


def test_the_invited_user_sets_a_password_once(client, session, admin, outbox, app):
    from fastapi.testclient import TestClient

    user, path = _invited(client, session, outbox)
    with TestClient(app, base_url="https://testserver") as stranger:
        page = stranger.get(path)
        assert page.status_code == 200 and "Choose your password" in page.text
        token = _form_token(page.text)
        assert stranger.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                             follow_redirects=False).status_code == 403  # no form token
        short = stranger.post(path, data={"password": "short", "confirm": "short",
                                          "csrf_token": token}, follow_redirects=False)
        assert short.status_code == 422 and 'href="#password"' in short.text
        differs = stranger.post(path, data={"password": NEW_PASSWORD, "confirm": "other",
                                            "csrf_token": token}, follow_redirects=False)
        assert differs.status_code == 422 and 'href="#confirm"' in differs.text
        done = stranger.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                         "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/sign-in?welcome=1"
        assert "Your password has been set" in stranger.get("/sign-in?welcome=1").text
        used = stranger.get(path)
        assert used.status_code == 410 and "used already" in used.text
        again = stranger.post(path, data={"password": "a different long password",
                                          "confirm": "a different long password",
                                          "csrf_token": token}, follow_redirects=False)
        assert again.status_code == 410
        assert stranger.post("/sign-in", data={"email": user.email, "password": NEW_PASSWORD},
                             follow_redirects=False).status_code == 303
        wrong = stranger.get(path[:-3] + "abc")
        assert wrong.status_code == 404 and "not right" in wrong.text


def test_an_expired_invitation_gives_a_clear_page(client, session, admin, outbox, app):
    from fastapi.testclient import TestClient

    user, path = _invited(client, session, outbox)
    with Session(session.get_bind()) as other:
        invitation = other.exec(select(Invitation).where(Invitation.user_id == user.id)).one()
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        other.commit()
    with TestClient(app, base_url="https://testserver") as stranger:
        page = stranger.get(path)
        assert page.status_code == 410 and "ran out" in page.text
        assert "Ask an administrator" in page.text
    assert fresh(session, User, user.id).password_hash is None
