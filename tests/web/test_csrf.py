"""Cross-site request forgery: every state-changing request from a browser carries a token
that only an Assure page has, and requests that a browser says come from another site are
refused before any route sees them."""

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from app.config import get_settings
from app.models import Role
from app.services import identity, owner_links, tokens
from app.web.deps import CODE_PATH, link_form_token
from tests.factories import SYSTEM, make_user
from tests.web.signing import code_for
from tests.web.test_route_matrix import (
    CALLERS,
    MATRIX,
    PASSWORD,
    Matrix,
    app_routes,
    build_matrix,
    outcome,
    prepare,
)
from tests.web.test_route_matrix import Caller as MatrixCaller


@pytest.fixture
def matrix(session, qworld) -> Matrix:
    m = build_matrix(session, qworld)
    # A browser between its password and its code, for the code step (POST /sign-in/code).
    _, token = make_user(session, Role.secretariat, email="pending@matrix.example", totp=True)
    m.callers["pending"] = MatrixCaller("pending", token=token)
    return m


# Reading a page may touch the session's last-seen time; a refusal is itself recorded in the
# audit log (tests/web/test_audit_log.py shows it), or counted when the caller is unknown
# (tests/web/test_refusal_tally.py). Anything else a request does, signing out included, shows.
IGNORED_TABLES = {"refusal_tally"}
IGNORED_COLUMNS = {"web_session": {"last_seen_at"}}


def snapshot(session) -> dict[str, list]:
    """Every row of every table, to show that a refused request changed nothing."""
    session.expire_all()
    rows = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in IGNORED_TABLES:
            continue
        columns = [c for c in table.columns
                   if c.name not in IGNORED_COLUMNS.get(table.name, set())]
        query = select(*columns).order_by(*(list(table.primary_key.columns) or columns))
        if table.name == "audit_event":
            query = query.where(table.c.verb != "refused")
        rows[table.name] = [tuple(r) for r in session.execute(query).all()]
    session.rollback()
    return rows


def state_changing(app) -> list[tuple[str, str]]:
    """Every route a browser can change something through, but signing in: there is no session
    yet, so no token; the form is refused when the browser says it comes from another site
    (test_requests_from_other_sites_are_refused_even_signing_in)."""
    return sorted((method, path) for method, path in app_routes(app)
                  if method not in ("GET", "HEAD") and path != "/sign-in")


def allowed_caller(method: str, route: str) -> str:
    """A caller the route matrix lets through: whoever holds the link for an owner's link
    pages, a browser between password and code for the code step."""
    if route == CODE_PATH:
        return "pending"
    words = MATRIX[(method, route)].split()
    return next(caller for caller, word in zip(CALLERS, words, strict=True) if word == "A")


def afresh(session, m: Matrix, caller: str) -> None:
    """The caller signs in afresh, or gets a new link, so that what an earlier request did
    (signing them out, a new password, revoking the links) does not get in the way."""
    who = m.callers[caller]
    if who.token is None:  # whoever holds the owner's link
        m.link_token = owner_links.create_link(session, person_id=m.world.dcc.id,
                                               by=SYSTEM).token
        return
    settings = get_settings()
    started = identity.start_web_session(
        session, user=tokens.user_for_token(session, who.token),
        idle_minutes=settings.session_idle_minutes, max_hours=settings.session_max_hours,
        second_factor_pending=caller == "pending")
    session.commit()
    m.callers[caller] = replace(who, cookie=started.raw_token, csrf=started.csrf_token)


def request_for(session, m: Matrix, method: str, route: str, caller: str, *,
                csrf: bool) -> dict:
    """The route's request as the caller would make it from a browser, the API with the
    browser's cookie too."""
    request = prepare(session, m, method, route, caller, csrf=csrf, api_by_cookie=True)
    if route == CODE_PATH:
        user = tokens.user_for_token(session, m.callers[caller].token)
        request["data"] = {**request.get("data", {}), "code": code_for(session, user.id)}
    session.commit()  # no read left open in the test's session while the app writes
    return request


def test_every_state_changing_route_needs_its_token(app, client, session, matrix):
    """Every state-changing route, as a caller allowed to use it: without the token (of the
    browser's session, or of the owner's link) it is refused and changes nothing; with it the
    same request goes through. So each route's protection is shown to be there, and to be
    what refused it."""
    routes = state_changing(app)
    assert len(routes) > 40
    wrong = []
    for method, route in routes:
        caller = allowed_caller(method, route)
        afresh(session, matrix, caller)
        request = request_for(session, matrix, method, route, caller, csrf=False)
        before = snapshot(session)
        client.cookies.clear()
        response = client.request(**request)
        if response.status_code != 403 or "token" not in response.text:
            wrong.append(f"{method} {route} as {caller}, without the token: "
                         f"{response.status_code}")
            continue
        if snapshot(session) != before:
            wrong.append(f"{method} {route} as {caller}: refused, but the database changed")
        client.cookies.clear()
        response = client.request(**request_for(session, matrix, method, route, caller,
                                                csrf=True))
        if outcome(response) != "A":
            wrong.append(f"{method} {route} as {caller}, with the token: "
                         f"{response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_api_with_a_token_needs_no_csrf_token(client, session, matrix):
    request = prepare(session, matrix, "POST", "/api/v1/actions/{action_id}/updates", "admin")
    assert "X-CSRF-Token" not in request["headers"]
    assert client.request(**request).status_code == 201


def test_a_wrong_token_is_refused(client, session, matrix):
    request = prepare(session, matrix, "POST", "/actions/{action_id}/close", "secretariat",
                      csrf=False)
    request["data"]["csrf_token"] = matrix.callers["admin"].csrf  # another session's
    client.cookies.clear()
    assert client.request(**request).status_code == 403


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
], ids=["fetch-cross-site", "fetch-same-site", "origin-elsewhere", "origin-null"])
def test_requests_from_other_sites_are_refused_even_signing_in(client, session, matrix,
                                                               headers):
    before = snapshot(session)
    signing_in = client.post("/sign-in", headers=headers, follow_redirects=False,
                             data={"email": "signer@matrix.example",
                                   "password": "correct horse battery staple"})
    assert signing_in.status_code == 403 and "another site" in signing_in.text
    assert "set-cookie" not in signing_in.headers
    request = prepare(session, matrix, "POST", "/owner/{token}/actions/{action_id}/updates",
                      "anonymous")
    request["headers"].update(headers)
    assert client.request(**request).status_code == 403
    assert snapshot(session) == before


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "same-origin"},
                                     {"Origin": "http://testserver"}, {}])
def test_requests_from_this_site_sign_in(client, matrix, headers):
    signing_in = client.post("/sign-in", headers=headers, follow_redirects=False,
                             data={"email": "signer@matrix.example",
                                   "password": "correct horse battery staple"})
    assert signing_in.status_code == 303 and "set-cookie" in signing_in.headers


def test_htmx_and_the_page_scripts_send_the_sessions_token(client, session, matrix):
    """htmx requests carry the token in a header set on <body>; the minutes script reads it
    from there too."""
    page = client.request(**prepare(session, matrix, "GET", "/meetings/{meeting_id}/agenda",
                                    "secretariat")).text
    token = matrix.callers["secretariat"].csrf
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    assert f'name="csrf_token" value="{token}"' in page  # and every form posts it


def test_an_owners_form_needs_the_token_of_its_own_link(client, session, matrix):
    other = owner_links.create_link(session, person_id=matrix.world.cc.id, by=SYSTEM)
    session.commit()
    request = prepare(session, matrix, "POST", "/owner/{token}/actions/{action_id}/updates",
                      "anonymous", csrf=False)
    request["data"]["csrf_token"] = link_form_token(other.token)
    before = snapshot(session)
    assert client.request(**request).status_code == 403
    assert snapshot(session) == before
    request["data"]["csrf_token"] = link_form_token(matrix.link_token)
    assert client.request(**request).status_code == 303


def test_the_code_page_needs_the_token(client, session):
    user, _ = make_user(session, Role.admin, email="coded@opcc.example", password=PASSWORD)
    response = client.post("/sign-in", data={"email": "coded@opcc.example",
                                             "password": PASSWORD}, follow_redirects=False)
    assert response.headers["location"].startswith("/sign-in/code")
    before = snapshot(session)
    refused = client.post("/sign-in/code", data={"code": code_for(session, user.id)},
                          follow_redirects=False)
    assert refused.status_code == 403 and "token" in refused.text
    assert snapshot(session) == before
