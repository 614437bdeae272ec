"""Cross-site request forgery: every state-changing request from a browser carries a token
that only an Assure page has, and requests that a browser says come from another site are
refused before any route sees them."""

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from app.services import owner_links
from app.web.deps import link_form_token
from tests.factories import SYSTEM
from tests.web.test_route_matrix import Matrix, app_routes, build_matrix, prepare


@pytest.fixture
def matrix(session, qworld) -> Matrix:
    return build_matrix(session, qworld)


# Reading a page may touch the session's last-seen time; a refusal is itself recorded in the
# audit log (tests/web/test_audit_log.py shows it), or counted when the caller is unknown
# (tests/web/test_refusal_tally.py).
IGNORED_TABLES = {"web_session", "audit_event", "refusal_tally"}


def snapshot(session) -> dict[str, list]:
    """Every row of every table, to show that a refused request changed nothing."""
    session.expire_all()
    rows = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in IGNORED_TABLES:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in session.execute(
                select(table).order_by(*order)).all()]
    session.rollback()
    return rows


def state_changing(app) -> list[tuple[str, str]]:
    """Every route a browser can change something through; signing in has no session yet
    (it is covered by the cross-site check below), and the code page is only for a browser
    between its password and its code (test_the_code_page_needs_the_token)."""
    return sorted((method, path) for method, path in app_routes(app)
                  if method not in ("GET", "HEAD") and path not in ("/sign-in", "/sign-in/code"))


def test_a_request_without_the_csrf_token_is_refused_and_changes_nothing(
        app, client, session, matrix):
    """Every state-changing route, as an administrator (who may do anything), signed in, but
    without the token: the pages, the API reached with the browser's cookie, and the owner's
    link pages."""
    routes = state_changing(app)
    assert len(routes) > 40
    let_through = []
    for method, route in routes:
        request = prepare(session, matrix, method, route, "admin", csrf=False,
                          api_by_cookie=True)
        before = snapshot(session)
        client.cookies.clear()
        response = client.request(**request)
        if response.status_code != 403 or "token" not in response.text:
            let_through.append(f"{method} {route}: {response.status_code}")
        elif snapshot(session) != before:
            let_through.append(f"{method} {route}: refused, but the database changed")
    assert not let_through, "\n".join(let_through)


def test_with_the_token_the_same_request_goes_through(client, session, matrix):
    request = prepare(session, matrix, "POST", "/actions/{action_id}/updates", "admin",
                      csrf=True)
    client.cookies.clear()
    assert client.request(**request).status_code == 303


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
    request = prepare(session, matrix, "POST", "/owner/{token}/actions/{action_id}/updates",
                      "anonymous", csrf=False)
    request["data"]["csrf_token"] = link_form_token(other.token)
    before = snapshot(session)
    assert client.request(**request).status_code == 403
    assert snapshot(session) == before
    request["data"]["csrf_token"] = link_form_token(matrix.link_token)
    assert client.request(**request).status_code == 303


def test_the_code_page_needs_the_token(client, session):
    from app.models import Role
    from tests.factories import make_user
    from tests.web.signing import code_for

    user, _ = make_user(session, Role.admin, email="coded@opcc.example",
                        password="correct horse battery staple")
    response = client.post("/sign-in", data={"email": "coded@opcc.example",
                                             "password": "correct horse battery staple"},
                           follow_redirects=False)
    assert response.headers["location"].startswith("/sign-in/code")
    before = snapshot(session)
    refused = client.post("/sign-in/code", data={"code": code_for(session, user.id)},
                          follow_redirects=False)
    assert refused.status_code == 403 and "token" in refused.text
    assert snapshot(session) == before
