"""Signing in to ASVS level 2, through the pages as a browser does: TOTP enrolment and codes
(with pyotp, as an authenticator app makes them), recovery codes, sessions that end when an
administrator says so or when they idle or age out, the cookie, and the rate limits."""

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import get_session, unit_of_work
from app.main import create_app
from app.models import (
    AuditEvent,
    RecoveryCode,
    RefusalTally,
    Role,
    SignInAttempt,
    User,
    WebSession,
    utcnow,
)
from app.web.deps import PLAIN_SESSION_COOKIE, SESSION_COOKIE
from tests.factories import TOTP_SECRET, CommittingClient, make_user
from tests.web.signing import csrf_of, sign_in_through_form

PASSWORD = "tangerine velvet submarine"


def second_client(engine) -> TestClient:
    """Another app process on the same database (its own app, its own cookies)."""
    application = create_app()

    async def session_override(request: Request) -> AsyncIterator[Session]:
        async with unit_of_work(request, engine) as session:
            yield session

    application.dependency_overrides[get_session] = session_override
    return CommittingClient(application, base_url="https://testserver",
                            raise_server_exceptions=False)


def fresh(session: Session) -> None:
    session.rollback()
    session.expire_all()


def verbs(session: Session) -> list[str]:
    fresh(session)
    return list(session.exec(select(AuditEvent.verb).order_by(col(AuditEvent.id))))


def location(response) -> str:
    return response.headers.get("location", "")


def signed_in(client) -> bool:
    return client.get("/meetings", follow_redirects=False).status_code == 200


# --- TOTP enrolment ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.admin, Role.chair, Role.secretariat])
def test_an_office_user_without_totp_must_enrol_before_anything_else(client, session, role):
    user, _ = make_user(session, role, password=PASSWORD, totp=False)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 303 and location(response) == "/account/two-factor"
    for path in ("/meetings", "/actions", "/account", "/admin/sessions", "/questions"):
        blocked = client.get(path, follow_redirects=False)
        assert blocked.status_code == 303 and location(blocked) == "/account/two-factor", path
    assert client.get("/api/v1/people").status_code == 401


def test_enrolment_shows_a_qr_code_and_key_and_turns_on_with_a_pyotp_code(client, session):
    user, _ = make_user(session, Role.admin, password=PASSWORD, totp=False)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    enrol = client.get("/account/two-factor")
    assert enrol.status_code == 200
    assert re.search(r'<img src="data:image/svg\+xml[^"]+" alt="QR code', enrol.text)
    secret = re.search(r'data-secret="([A-Z2-7]+)"', enrol.text)[1]
    # The same key on a second visit, so a scan made a moment ago still works.
    assert re.search(r'data-secret="([A-Z2-7]+)"', client.get("/account/two-factor").text)[1] \
        == secret
    fresh(session)
    stored = session.get(User, user.id)
    assert stored.totp_secret and secret not in stored.totp_secret  # encrypted at rest
    assert stored.totp_enabled_at is None

    pending_cookie = client.cookies[SESSION_COOKIE]
    wrong = client.post("/account/two-factor",
                        data={"code": "000000", "csrf_token": csrf_of(enrol.text)})
    assert wrong.status_code == 422
    assert "Enter the 6-digit code your authenticator app shows now." in wrong.text
    fresh(session)
    assert session.get(User, user.id).totp_enabled_at is None

    done = client.post("/account/two-factor", data={
        "code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(enrol.text)})
    assert done.status_code == 200
    codes = re.findall(r'<code class="assure-code">([0-9a-f]{5}-[0-9a-f]{5})</code>', done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    # A new session id now the second factor is in place; the old one is over.
    assert client.cookies[SESSION_COOKIE] != pending_cookie
    assert signed_in(client)
    again = client.get("/meetings", headers={"Cookie": f"{SESSION_COOKIE}={pending_cookie}"},
                       follow_redirects=False)
    assert again.status_code == 303
    fresh(session)
    stored = session.get(User, user.id)
    assert stored.totp_enabled_at is not None
    hashes = session.exec(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # only digests are kept
    assert "totp_enrol" in verbs(session)
    # Shown once: the enrolment page now sends the user to their account.
    assert location(client.get("/account/two-factor", follow_redirects=False)) == "/account"


def test_enrolment_needs_the_csrf_token(client, session):
    user, _ = make_user(session, Role.secretariat, password=PASSWORD, totp=False)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    secret = re.search(r'data-secret="([A-Z2-7]+)"', client.get("/account/two-factor").text)[1]
    refused = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 403
    fresh(session)
    assert session.get(User, user.id).totp_enabled_at is None


def test_force_users_and_viewers_sign_in_with_a_password_alone(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                           follow_redirects=False)
    assert location(response) == "/"
    assert signed_in(client)


# --- signing in with a code ----------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(client, session):
    user, _ = make_user(session, Role.chair, password=PASSWORD)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                             "next": "/actions"}, follow_redirects=False)
    assert response.status_code == 303
    assert urlsplit(location(response)).path == "/sign-in/code"
    pending = client.cookies[SESSION_COOKIE]
    # The password alone opens nothing.
    blocked = client.get("/actions", follow_redirects=False)
    assert urlsplit(location(blocked)).path == "/sign-in/code"
    assert client.get("/api/v1/people").status_code == 401

    form = client.get(location(response))
    assert form.status_code == 200 and "Enter your code" in form.text
    wrong = client.post("/sign-in/code", data={"code": "123456", "next": "/actions",
                                               "csrf_token": csrf_of(form.text)})
    assert wrong.status_code == 401 and "The code is not right" in wrong.text

    right = client.post("/sign-in/code", data={
        "code": pyotp.TOTP(TOTP_SECRET).now(), "next": "/actions",
        "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert right.status_code == 303 and location(right) == "/actions"
    assert client.cookies[SESSION_COOKIE] != pending  # a new session id
    assert signed_in(client)
    assert client.get("/meetings", headers={"Cookie": f"{SESSION_COOKIE}={pending}"},
                      follow_redirects=False).status_code == 303
    events = verbs(session)
    assert events[-3:] == ["sign_in_password", "sign_in_failed", "sign_in"]


def test_a_code_is_refused_the_second_time(client, session, engine):
    user, _ = make_user(session, Role.admin, password=PASSWORD)
    assert sign_in_through_form(client, session, user.email, PASSWORD).status_code == 303
    fresh(session)
    used = pyotp.TOTP(TOTP_SECRET).at(session.get(User, user.id).totp_last_step * 30)

    eavesdropper = second_client(engine)  # even from another app process
    response = eavesdropper.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                                 follow_redirects=False)
    form = eavesdropper.get(location(response))
    refused = eavesdropper.post("/sign-in/code", data={"code": used,
                                                       "csrf_token": csrf_of(form.text)})
    assert refused.status_code == 401 and "used already" in refused.text
    assert not signed_in(eavesdropper)


def test_a_recovery_code_works_once_instead_of_the_app(client, session):
    user, _ = make_user(session, Role.admin, password=PASSWORD, totp=False)
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    enrol = client.get("/account/two-factor")
    secret = re.search(r'data-secret="([A-Z2-7]+)"', enrol.text)[1]
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now(),
                                                    "csrf_token": csrf_of(enrol.text)})
    codes = re.findall(r'([0-9a-f]{5}-[0-9a-f]{5})</code>', done.text)
    client.cookies.clear()

    def with_code(code):
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                               follow_redirects=False)
        form = client.get(location(response))
        return client.post("/sign-in/code", data={"code": code, "csrf_token": csrf_of(form.text)},
                           follow_redirects=False)

    assert with_code(codes[3].upper()).status_code == 303  # however it is typed
    assert signed_in(client)
    client.cookies.clear()
    assert with_code(codes[3]).status_code == 401
    assert not signed_in(client)
    fresh(session)
    assert len(session.exec(select(RecoveryCode).where(
        col(RecoveryCode.used_at).is_not(None))).all()) == 1


# --- sessions ------------------------------------------------------------------------------


def test_a_session_revoked_by_an_admin_stops_working_at_once_in_any_process(
    client, session, engine
):
    victim, _ = make_user(session, Role.viewer, password=PASSWORD)
    assert sign_in_through_form(client, session, victim.email, PASSWORD).status_code == 303
    assert signed_in(client)

    admin_browser = second_client(engine)  # another app process
    admin, _ = make_user(session, Role.admin, password=PASSWORD)
    assert sign_in_through_form(admin_browser, session, admin.email, PASSWORD
                                ).status_code == 303
    listing = admin_browser.get("/admin/sessions")
    assert listing.status_code == 200
    assert victim.email in listing.text and admin.email in listing.text
    fresh(session)
    web = session.exec(select(WebSession).where(WebSession.user_id == victim.id,
                                                col(WebSession.revoked_at).is_(None))).one()
    assert f"/admin/sessions/{web.id}/sign-out" in listing.text
    assert "testclient" in listing.text  # the address it signed in from

    refused = admin_browser.post(f"/admin/sessions/{web.id}/sign-out", data={})
    assert refused.status_code == 403 and signed_in(client)
    done = admin_browser.post(f"/admin/sessions/{web.id}/sign-out",
                              data={"csrf_token": csrf_of(listing.text)},
                              follow_redirects=False)
    assert done.status_code == 303

    response = client.get("/meetings", follow_redirects=False)
    assert response.status_code == 303 and urlsplit(location(response)).path == "/sign-in"
    assert client.get("/api/v1/people").status_code == 401
    assert victim.email not in admin_browser.get("/admin/sessions").text
    assert signed_in(admin_browser)
    assert "revoke_session" in verbs(session)


def test_an_admin_signs_a_user_out_everywhere(client, session, engine):
    victim, _ = make_user(session, Role.viewer, password=PASSWORD)
    sign_in_through_form(client, session, victim.email, PASSWORD)
    laptop = second_client(engine)
    sign_in_through_form(laptop, session, victim.email, PASSWORD)
    admin_browser = second_client(engine)
    admin, _ = make_user(session, Role.admin, password=PASSWORD)
    sign_in_through_form(admin_browser, session, admin.email, PASSWORD)
    listing = admin_browser.get("/admin/sessions")
    admin_browser.post(f"/admin/users/{victim.id}/sign-out",
                       data={"csrf_token": csrf_of(listing.text)})
    assert not signed_in(client) and not signed_in(laptop)
    assert signed_in(admin_browser)


@pytest.mark.parametrize("role", [Role.secretariat, Role.chair, Role.viewer, Role.force])
def test_only_an_admin_sees_and_ends_other_people_s_sessions(client, session, role):
    other, _ = make_user(session, Role.viewer, password=PASSWORD)
    user, _ = make_user(session, role, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    token = csrf_of(client.get("/account").text)
    assert client.get("/admin/sessions").status_code == 403
    assert client.post(f"/admin/users/{other.id}/sign-out",
                       data={"csrf_token": token}).status_code == 403
    mine = session.exec(select(WebSession).where(WebSession.user_id == user.id)).first()
    assert client.post(f"/admin/sessions/{mine.id}/sign-out",
                       data={"csrf_token": token}).status_code == 403


def test_a_user_sees_and_ends_their_own_sessions(client, session, engine):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    phone = second_client(engine)
    sign_in_through_form(phone, session, user.email, PASSWORD)
    someone, _ = make_user(session, Role.viewer, password=PASSWORD)
    stranger = second_client(engine)
    sign_in_through_form(stranger, session, someone.email, PASSWORD)

    account = client.get("/account")
    assert account.status_code == 200
    assert len(re.findall(r"/account/sessions/\d+/sign-out", account.text)) == 2  # both mine
    assert "(this browser)" in account.text
    fresh(session)
    theirs = session.exec(select(WebSession).where(WebSession.user_id == someone.id)).one()
    token = csrf_of(account.text)
    assert client.post(f"/account/sessions/{theirs.id}/sign-out",
                       data={"csrf_token": token}).status_code == 404
    assert signed_in(stranger)

    client.post("/account/sessions/sign-out-others", data={"csrf_token": token})
    assert signed_in(client) and not signed_in(phone) and signed_in(stranger)
    fresh(session)
    current = session.exec(select(WebSession).where(
        WebSession.user_id == user.id, col(WebSession.revoked_at).is_(None))).one()
    response = client.post(f"/account/sessions/{current.id}/sign-out",
                           data={"csrf_token": token}, follow_redirects=False)
    assert location(response) == "/sign-in" and not signed_in(client)


def _age(session: Session, user_id: int, **changes) -> None:
    fresh(session)
    web = session.exec(select(WebSession).where(WebSession.user_id == user_id)).one()
    for name, value in changes.items():
        setattr(web, name, value)
    session.commit()


def test_a_session_ends_after_the_idle_time(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    idle = get_settings().session_idle_minutes
    _age(session, user.id, last_seen_at=utcnow() - timedelta(minutes=idle - 2))
    assert signed_in(client)  # used within the idle time: still on, and touched
    _age(session, user.id, last_seen_at=utcnow() - timedelta(minutes=idle + 1))
    assert not signed_in(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert f"Max-Age={get_settings().session_max_hours * 3600}" in \
        response.headers["set-cookie"]
    fresh(session)
    web = session.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    hours = get_settings().session_max_hours
    assert web.expires_at - web.created_at == timedelta(hours=hours)
    _age(session, user.id, created_at=utcnow() - timedelta(hours=hours),
         expires_at=utcnow() - timedelta(seconds=1), last_seen_at=utcnow())
    assert not signed_in(client)


def test_signing_in_gives_a_new_session_id_and_ends_the_old_one(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    first = client.cookies[SESSION_COOKIE]
    sign_in_through_form(client, session, user.email, PASSWORD)
    second = client.cookies[SESSION_COOKIE]
    assert first != second
    assert client.get("/meetings", headers={"Cookie": f"{SESSION_COOKIE}={first}"},
                      follow_redirects=False).status_code == 303
    # A session id planted before sign-in is never the one signed in.
    planted = "planted-by-someone-else"
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    sign_in_through_form(client, session, user.email, PASSWORD)
    assert client.cookies[SESSION_COOKIE] != planted


def test_sessions_record_the_address_and_browser(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    client.headers["user-agent"] = "Mozilla/5.0 (Windows NT 10.0) Edge/120"
    sign_in_through_form(client, session, user.email, PASSWORD)
    fresh(session)
    web = session.exec(select(WebSession).where(WebSession.user_id == user.id)).one()
    assert web.address == "testclient" and "Edge/120" in web.user_agent
    assert "Edge/120" in client.get("/account").text


# --- the cookie ----------------------------------------------------------------------------


def test_the_cookie_is_host_prefixed_secure_httponly_lax_on_path_root(client, session):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-assure_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path", "samesite"} <= attributes
    assert "domain" not in attributes
    assert "Path=/;" in cookie + ";" and "samesite=lax" in cookie.lower()
    signed_out = client.post("/sign-out", data={"csrf_token": csrf_of(
        client.get("/meetings").text)}, follow_redirects=False)
    assert signed_out.headers["set-cookie"].startswith('__Host-assure_session=""')


def test_with_secure_cookies_off_the_cookie_has_the_plain_name(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "secure_cookies", False)
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{PLAIN_SESSION_COOKIE}=") and "secure" not in cookie.lower()
    assert signed_in(client)


# --- rate limits ---------------------------------------------------------------------------


def _try(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password},
                       follow_redirects=False)


# A second app process; the test's session reads across its requests and rolls back.
@pytest.mark.separate_connections
def test_the_account_limit_engages_after_the_configured_failures(client, session, engine,
                                                                 monkeypatch):
    monkeypatch.setattr(get_settings(), "sign_in_max_failures", 3)
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    for _ in range(3):
        assert _try(client, user.email, "not the password at all").status_code == 401
    # The right password is not even checked now, from this process or another.
    for browser in (client, second_client(engine)):
        refused = _try(browser, user.email.upper(), PASSWORD)
        assert refused.status_code == 429
        assert "too many failed attempts" in refused.text
        assert re.search(r"Try again after \d\d:\d\d", refused.text)
        assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
        assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    fresh(session)
    assert session.get(User, user.id).last_sign_in_at is None
    # Both refusals are counted against the address, and only the first of an hour is in the
    # log: one event ([2]), or two if the hour ended between them ([1, 1]).
    counts = [t.count for t in session.exec(select(RefusalTally))]
    assert sum(counts) == 2 and verbs(session).count("sign_in_refused") == len(counts)
    # Another account from the same address is not affected.
    other, _ = make_user(session, Role.viewer, password=PASSWORD)
    assert _try(client, other.email, PASSWORD).status_code == 303

    # Once the failures are 15 minutes old, the account may try again.
    fresh(session)
    for attempt in session.exec(select(SignInAttempt)):
        attempt.attempted_at -= timedelta(minutes=15, seconds=1)
    session.commit()
    assert _try(client, user.email, PASSWORD).status_code == 303


def test_a_right_sign_in_clears_the_account_s_count(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "sign_in_max_failures", 3)
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    for _ in range(2):
        _try(client, user.email, "not the password at all")
    assert _try(client, user.email, PASSWORD).status_code == 303
    for _ in range(2):
        assert _try(client, user.email, "not the password at all").status_code == 401
    assert _try(client, user.email, PASSWORD).status_code == 303


def test_the_address_limit_engages_across_accounts(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "sign_in_max_failures_per_address", 4)
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    for n in range(4):
        assert _try(client, f"nobody{n}@opcc.example", "guessing at random").status_code == 401
    refused = _try(client, user.email, PASSWORD)
    assert refused.status_code == 429 and "from this address" in refused.text


def test_wrong_codes_count_towards_the_limit(client, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "sign_in_max_failures", 3)
    user, _ = make_user(session, Role.admin, password=PASSWORD)
    response = _try(client, user.email, PASSWORD)
    form = client.get(location(response))
    token = csrf_of(form.text)
    next_value = parse_qs(urlsplit(location(response)).query)["next"][0]
    for _ in range(3):
        assert client.post("/sign-in/code", data={"code": "000000", "next": next_value,
                                                  "csrf_token": token}).status_code == 401
    right = client.post("/sign-in/code", data={"code": pyotp.TOTP(TOTP_SECRET).now(),
                                               "csrf_token": token})
    assert right.status_code == 429
    assert not signed_in(client)


def test_the_limits_default_to_5_per_account_and_20_per_address():
    settings = get_settings()
    assert settings.sign_in_max_failures == 5
    assert settings.sign_in_max_failures_per_address == 20
    assert settings.sign_in_window_minutes == 15


@pytest.mark.separate_connections  # the command line opens its own engine
def test_the_command_line_resets_a_lost_authenticator(client, session, engine, tmp_path,
                                                      monkeypatch, capsys):
    import app.db
    from app.cli import main

    user, _ = make_user(session, Role.secretariat, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    try:
        assert main(["users", "reset-two-factor", user.email.upper()]) == 0
        assert "reset for" in capsys.readouterr().out
        assert main(["users", "reset-two-factor", "nobody@opcc.example"]) == 1
    finally:
        for made in app.db._engines.values():
            made.dispose()
        get_settings.cache_clear()
    assert not signed_in(client)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD},
                           follow_redirects=False)
    assert location(response) == "/account/two-factor"
    assert "totp_reset" in verbs(session)


# --- changing one's password ---------------------------------------------------------------


def test_a_user_changes_their_password_and_other_browsers_are_signed_out(client, session,
                                                                          engine):
    user, _ = make_user(session, Role.viewer, password=PASSWORD)
    sign_in_through_form(client, session, user.email, PASSWORD)
    phone = second_client(engine)
    sign_in_through_form(phone, session, user.email, PASSWORD)
    token = csrf_of(client.get("/account/password").text)

    wrong = client.post("/account/password", data={
        "current_password": "not my password", "new_password": "quince harbour telescope",
        "csrf_token": token})
    assert wrong.status_code == 422 and "Your current password is not right." in wrong.text
    weak = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "password1234", "csrf_token": token})
    assert weak.status_code == 422 and "This is a very common password." in weak.text
    own = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": user.email, "csrf_token": token})
    assert own.status_code == 422 and "email address or your name" in own.text
    assert client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "quince harbour telescope"}
    ).status_code == 403
    assert signed_in(phone)

    done = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "quince harbour telescope",
        "csrf_token": token})
    assert done.status_code == 200 and "Your password has been changed" in done.text
    assert signed_in(client) and not signed_in(phone)
    assert _try(phone, user.email, PASSWORD).status_code == 401
    assert _try(phone, user.email, "quince harbour telescope").status_code == 303
    events = verbs(session)
    assert "change_password_failed" in events and "change_password" in events
