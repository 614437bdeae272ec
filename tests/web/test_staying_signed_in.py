"""Staying signed in, and coming back after signing in again (static/assure-session.js).

Every signed-in page tells its script the idle limit and the time left; the script asks how
long is really left (GET /session/status, which is not activity) and, when the user chooses
"Stay signed in", POSTs /session/keep-alive, which starts the idle time again: with the
session's CSRF token only, and answered 401 (not a sign-in page) once the session has ended.
A form sent after the session ended brings the browser back, after signing in, to the page
the form was on: only a page of this site."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Role, WebSession, utcnow
from app.web.deps import CSRF_HEADER
from tests.factories import make_user
from tests.web.signing import sign_in_through_form
from tests.web.test_pages import sign_in

IDLE = timedelta(minutes=get_settings().session_idle_minutes)


def _web(session: Session, user_id: int) -> WebSession:
    session.rollback()
    session.expire_all()
    return session.exec(select(WebSession).where(  # the one signed in (not the password step)
        WebSession.user_id == user_id, col(WebSession.revoked_at).is_(None),
        WebSession.second_factor_pending == False)).one()  # noqa: E712


def _seen(session: Session, user_id: int, ago: timedelta):
    """Say the session was last used `ago`; the time set."""
    web = _web(session, user_id)
    web.last_seen_at = utcnow() - ago
    session.commit()
    return web.last_seen_at


def _last_seen(session: Session, user_id: int):
    return _web(session, user_id).last_seen_at


def _token(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/meetings").text)[1]


def _body_data(html: str) -> dict[str, str]:
    tag = re.search(r"<body[^>]*>", html)[0]
    return dict(re.findall(r'data-session-([a-z-]+)="([^"]*)"', tag))


def test_a_signed_in_page_tells_its_script_the_idle_limit_and_the_time_left(client, session):
    user = sign_in(client, session)
    page = client.get("/meetings").text
    data = _body_data(page)
    assert data["user"] == str(user.id)
    assert data["idle-seconds"] == str(int(IDLE.total_seconds()))
    assert IDLE.total_seconds() - 5 <= int(data["seconds-left"]) <= IDLE.total_seconds()
    assert data["ends-by"] == "idle"
    assert '<script src="/static/assure-session.js" defer></script>' in page

    client.cookies.clear()
    signed_out = client.get("/sign-in").text
    assert _body_data(signed_out) == {}  # no session, no warning
    assert "/static/assure-session.js" in signed_out  # what was typed is kept across it


def test_asking_how_long_is_left_is_not_activity(client, session):
    user = sign_in(client, session)
    before = _seen(session, user.id, IDLE - timedelta(minutes=3))

    answer = client.get("/session/status")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    found = answer.json()
    assert found["signed_in"] is True and found["ends_by"] == "idle"
    assert 170 <= found["seconds_left"] <= 180
    assert _last_seen(session, user.id) == before  # the idle time goes on running

    client.get("/meetings")  # whereas opening a page is activity
    assert utcnow() - _last_seen(session, user.id) < timedelta(seconds=5)


def test_what_a_page_sends_is_activity_and_what_a_script_reads_in_the_background_is_not(
        client, session, world):
    """The officer typing on the Take minutes page is never warned: each save is activity.
    That page and the live view also look for colleagues' changes every few seconds; those
    reads are not activity, so a page left open still ends its session."""
    user = sign_in(client, session)
    token = _token(client)
    script = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}
    before = _seen(session, user.id, timedelta(minutes=5))

    polled = client.get(f"/api/v1/items/{world.item.id}/entries", headers=script)
    assert polled.status_code == 200
    live = client.get(f"/meetings/{world.meeting.id}/live/minutes",
                      headers={**script, "HX-Request": "true"})
    assert live.status_code == 200
    assert _last_seen(session, user.id) == before

    saved = client.post(f"/api/v1/items/{world.item.id}/entries", headers={
        **script, CSRF_HEADER: token}, json={"kind": "decision", "text": "It was agreed."})
    assert saved.status_code == 201
    assert utcnow() - _last_seen(session, user.id) < timedelta(seconds=5)

    _seen(session, user.id, timedelta(minutes=5))
    opened = client.get("/meetings", headers={"Sec-Fetch-Mode": "navigate"})
    assert opened.status_code == 200
    assert utcnow() - _last_seen(session, user.id) < timedelta(seconds=5)


def test_staying_signed_in_starts_the_idle_time_again(client, session):
    user = sign_in(client, session)
    token = _token(client)
    _seen(session, user.id, IDLE - timedelta(minutes=1))

    response = client.post("/session/keep-alive", headers={CSRF_HEADER: token})

    assert response.status_code == 200
    found = response.json()
    assert found["signed_in"] is True
    assert IDLE.total_seconds() - 5 <= found["seconds_left"] <= IDLE.total_seconds()
    assert utcnow() - _last_seen(session, user.id) < timedelta(seconds=5)
    assert client.get("/session/status").json()["seconds_left"] > IDLE.total_seconds() - 10


@pytest.mark.parametrize("headers", [{}, {CSRF_HEADER: "not-the-token"}],
                         ids=["without", "wrong"])
def test_staying_signed_in_needs_the_session_s_csrf_token(client, session, headers):
    user = sign_in(client, session)
    before = _seen(session, user.id, IDLE - timedelta(minutes=1))

    response = client.post("/session/keep-alive", headers=headers)

    assert response.status_code == 403
    assert "CSRF token" in response.json()["detail"]
    assert _last_seen(session, user.id) == before  # not kept alive


def test_staying_signed_in_from_another_site_is_refused(client, session):
    user = sign_in(client, session)
    token = _token(client)
    before = _seen(session, user.id, IDLE - timedelta(minutes=1))
    response = client.post("/session/keep-alive",
                           headers={CSRF_HEADER: token, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert _last_seen(session, user.id) == before
    assert client.post("/session/keep-alive", headers={CSRF_HEADER: token}).status_code == 200


def test_once_the_session_has_ended_staying_is_refused_with_401(client, session):
    response = client.post("/session/keep-alive", follow_redirects=False)  # never signed in
    assert response.status_code == 401
    assert response.json()["detail"] == "You have been signed out. Sign in again to carry on."
    assert client.get("/session/status").json() == {"signed_in": False}

    user = sign_in(client, session)
    token = _token(client)
    _seen(session, user.id, IDLE + timedelta(seconds=5))
    response = client.post("/session/keep-alive", headers={CSRF_HEADER: token},
                           follow_redirects=False)
    assert response.status_code == 401
    assert client.get("/session/status").json() == {"signed_in": False}
    assert client.get("/meetings", follow_redirects=False).status_code == 303  # not revived


def test_a_session_near_its_absolute_lifetime_says_so(client, session):
    user = sign_in(client, session)
    web = _web(session, user.id)
    web.expires_at = utcnow() + timedelta(seconds=90)
    session.commit()
    found = client.get("/session/status").json()
    assert found["ends_by"] == "lifetime" and 80 <= found["seconds_left"] <= 90
    page = client.get("/meetings").text
    assert _body_data(page)["ends-by"] == "lifetime"


def test_a_test_idle_limit_in_seconds_is_kept_by_pages_as_it_is_used(client, session,
                                                                     monkeypatch):
    """ASSURE_TEST_SESSION_IDLE_SECONDS (for the browser tests): a 40-second limit, and pages
    touch the session often enough to keep it (a tenth of the limit, not once a minute)."""
    monkeypatch.setattr(get_settings(), "test_session_idle_seconds", 40)
    user = sign_in(client, session)
    assert _body_data(client.get("/meetings").text)["idle-seconds"] == "40"
    _seen(session, user.id, timedelta(seconds=6))
    assert client.get("/meetings", follow_redirects=False).status_code == 200
    assert utcnow() - _last_seen(session, user.id) < timedelta(seconds=3)
    _seen(session, user.id, timedelta(seconds=41))
    assert client.get("/meetings", follow_redirects=False).status_code == 303


# --- back to the page after signing in again ------------------------------------------------


def _next_of(response) -> str:
    location = response.headers.get("location") or response.headers["hx-redirect"]
    parts = urlsplit(location)
    assert parts.path == "/sign-in"
    return parse_qs(parts.query)["next"][0]


@pytest.mark.parametrize("referer, expected", [
    ("https://testserver/actions/5?from=log", "/actions/5?from=log"),  # the page it was on
    (None, "/"),  # /actions/5/updates answers POST only: not a page to come back to
    ("https://testserver/actions/5/updates", "/"),  # nor as the page it was on
    ("https://evil.example/actions/5", "/"),  # another site
    ("https://testserver//evil.example/x", "/"),
    ("https://testserver/\\evil.example", "/"),
])
def test_a_form_sent_after_the_session_ended_comes_back_to_its_page(client, referer, expected):
    headers = {"Referer": referer} if referer else {}
    response = client.post("/actions/5/updates", data={"text": "Progress."}, headers=headers,
                           follow_redirects=False)
    assert response.status_code == 303
    assert _next_of(response) == expected


def test_a_form_whose_address_is_its_page_comes_back_to_it(client):
    response = client.post("/questions/new", data={"text": "Why?"}, follow_redirects=False)
    assert _next_of(response) == "/questions/new"


def test_an_htmx_request_comes_back_to_the_page_not_the_fragment(client):
    response = client.get("/meetings/3/live/minutes", follow_redirects=False, headers={
        "HX-Request": "true", "HX-Current-URL": "https://testserver/meetings/3/live"})
    assert _next_of(response) == "/meetings/3/live"


def test_signing_in_again_goes_back_to_the_page(client, session):
    user, _ = make_user(session, Role.secretariat, password="tangerine velvet submarine")
    sent = client.post("/actions/5/updates", data={"text": "Progress."}, follow_redirects=False,
                       headers={"Referer": "https://testserver/actions/5"})
    response = sign_in_through_form(client, session, user.email, "tangerine velvet submarine",
                                    _next_of(sent))
    assert response.status_code == 303 and response.headers["location"] == "/actions/5"
