"""Every response carries the security headers, whatever produced it: pages, the API, error
pages, redirects to sign in, refusals by the middleware, and static files."""

import json
import re

import pytest

from tests.web.test_route_matrix import Matrix, app_routes, build_matrix, prepare

HSTS = "max-age=31536000; includeSubDomains"


def assert_secure(response, what: str = "") -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    where = f"{what} ({response.status_code})"
    assert "script-src 'self'" in csp and "style-src 'self'" in csp, where
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert headers.get("strict-transport-security") == HSTS, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "same-origin", where


@pytest.fixture
def matrix(session, qworld) -> Matrix:
    return build_matrix(session, qworld)


@pytest.mark.parametrize("path", ["/sign-in", "/healthz", "/openapi.json", "/api/v1/people",
                                  "/no-such-page", "/api/v1/no-such-thing",
                                  "/static/assure.css", "/static/htmx-2.0.11.min.js",
                                  "/static/no-such-file.js", "/meetings", "/meetings/99999"])
def test_security_headers_on_every_response(client, path):
    assert_secure(client.get(path, follow_redirects=False), path)


def test_every_page_and_api_read_carries_the_headers(app, client, session, matrix):
    """Every GET route, for a signed-in administrator and for a visitor (who is sent to sign
    in, or refused)."""
    for method, route in sorted(app_routes(app)):
        if method != "GET":
            continue
        for caller in ("admin", "anonymous", "viewer"):
            client.cookies.clear()
            assert_secure(client.request(**prepare(session, matrix, method, route, caller)),
                          f"{caller} GET {route}")


def test_refusals_and_form_errors_carry_the_headers(client, session, matrix):
    too_big = client.post("/api/v1/people", content=b"x",
                          headers={"Content-Length": str(50 * 1024 * 1024)})
    assert too_big.status_code == 413
    assert_secure(too_big, "too large")
    cross = client.post("/sign-in", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert_secure(cross, "cross-site")
    no_token = prepare(session, matrix, "POST", "/actions/{action_id}/close", "admin",
                       csrf=False)
    client.cookies.clear()
    refused = client.request(**no_token)
    assert refused.status_code == 403
    assert_secure(refused, "no CSRF token")
    bad_json = client.post("/api/v1/people", content=b"{nope",
                           headers={"Authorization": f"Bearer {matrix.callers['admin'].token}",
                                    "Content-Type": "application/json"})
    assert bad_json.status_code == 400
    assert_secure(bad_json, "bad JSON")


def test_htmx_may_not_run_scripts_or_leave_the_site(client, session, matrix):
    """htmx reads its settings from a meta tag on every page, before its first request."""
    page = client.request(**prepare(session, matrix, "GET", "/meetings", "viewer")).text
    found = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert found, "the htmx-config meta tag is missing"
    config = json.loads(found.group(1))
    assert config == {"allowEval": False, "allowScriptTags": False,
                      "includeIndicatorStyles": False, "selfRequestsOnly": True}
    assert page.index('name="htmx-config"') < page.index("htmx-2.0.11.min.js")
    sign_in = client.get("/sign-in").text
    assert 'name="htmx-config"' in sign_in
    assert "<script>" not in page and " style=" not in page  # nothing inline for the CSP
