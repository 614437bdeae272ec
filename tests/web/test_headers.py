"""Every response carries the security headers, whatever produced it."""

import pytest


@pytest.mark.parametrize("path", ["/sign-in", "/healthz", "/openapi.json", "/api/v1/people",
                                  "/no-such-page", "/static/assure.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path, follow_redirects=False)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
