"""A request's address is its peer's, unless the peer is a proxy in ASSURE_TRUSTED_PROXIES:
anyone else's X-Forwarded-For is ignored, so it cannot dodge the sign-in limit per address or
put a made-up address in the audit log."""

import argparse

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import col, select

from app.config import Settings, get_settings, parse_networks
from app.main import forwarded_client
from app.models import AuditEvent, SignInAttempt

PEER = "203.0.113.50"


def browser(app, peer: str) -> TestClient:
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False,
                      client=(peer, 40000))


def wrong_sign_in(client: TestClient, n: int, forwarded: str):
    return client.post("/sign-in", data={"email": f"nobody{n}@opcc.example",
                                         "password": "guessing at random"},
                       headers={"X-Forwarded-For": forwarded})


def addresses(session) -> tuple[set[str], set[str]]:
    """The addresses the sign-in limits counted, and those the audit log recorded."""
    session.rollback()
    counted = set(session.exec(select(SignInAttempt.address)))
    audited = set(session.exec(select(AuditEvent.address).where(
        AuditEvent.verb == "sign_in_failed").order_by(col(AuditEvent.id))))
    return counted, audited


@pytest.mark.parametrize("trusted", ["", "10.0.0.0/8"])
def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(
        app, session, monkeypatch, trusted):
    monkeypatch.setattr(get_settings(), "trusted_proxies", trusted)
    monkeypatch.setattr(get_settings(), "sign_in_max_failures_per_address", 3)
    client = browser(app, PEER)
    for n in range(3):
        assert wrong_sign_in(client, n, f"198.51.100.{n}").status_code == 401
    refused = wrong_sign_in(client, 3, "198.51.100.99, 10.0.0.1")
    assert refused.status_code == 429 and "from this address" in refused.text
    assert addresses(session) == ({PEER}, {PEER})


def test_a_trusted_proxy_s_forwarded_for_is_used(app, session, monkeypatch):
    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8, 2001:db8::/32")
    monkeypatch.setattr(get_settings(), "sign_in_max_failures_per_address", 3)
    proxy = browser(app, "10.0.0.5")
    # What the client wrote itself (left of its own address) is not believed either.
    for n in range(3):
        assert wrong_sign_in(proxy, n, f"6.6.6.{n}, 198.51.100.7, 10.1.2.3").status_code == 401
    refused = wrong_sign_in(proxy, 3, "198.51.100.7")
    assert refused.status_code == 429 and "from this address" in refused.text
    # Another client behind the same proxy has its own count.
    assert wrong_sign_in(proxy, 4, "198.51.100.8").status_code == 401
    assert wrong_sign_in(browser(app, "2001:db8::1"), 5, "198.51.100.9").status_code == 401
    assert addresses(session) == ({"198.51.100.7", "198.51.100.8", "198.51.100.9"},
                                  {"198.51.100.7", "198.51.100.8", "198.51.100.9"})


@pytest.mark.parametrize(("hops", "client"), [
    (["198.51.100.7"], "198.51.100.7"),
    (["6.6.6.6", " 198.51.100.7", "10.0.0.2"], "198.51.100.7"),
    (["198.51.100.7:51234"], "198.51.100.7"),
    (["[2001:db8:1::7]:443"], "2001:db8:1::7"),
    (["::ffff:198.51.100.7"], "198.51.100.7"),
    (["10.0.0.3", "10.0.0.2"], "10.0.0.3"),  # a client inside the proxies' own network
    (["198.51.100.7", "not an address"], None),  # damaged: the proxy's own address stands
    ([], None),
])
def test_the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy(hops, client):
    assert forwarded_client(hops, parse_networks("10.0.0.0/8")) == client


def test_a_trusted_proxy_s_scheme_is_used_and_no_one_else_s(app, monkeypatch):
    seen = {}

    @app.get("/test-scheme")
    def scheme(request: Request):
        seen["scheme"] = request.url.scheme
        return {}

    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.5")
    browser(app, PEER).get("/test-scheme", headers={"X-Forwarded-Proto": "http"})
    assert seen["scheme"] == "https"
    browser(app, "10.0.0.5").get("/test-scheme", headers={"X-Forwarded-Proto": "http"})
    assert seen["scheme"] == "http"


def test_trusted_proxies_default_to_none_and_a_bad_entry_is_refused():
    assert get_settings().trusted_proxies == ""
    assert Settings(ASSURE_TRUSTED_PROXIES=" 127.0.0.1, 10.0.0.0/8 ").trusted_proxy_networks() \
        == parse_networks("127.0.0.1/32,10.0.0.0/8")
    with pytest.raises(ValidationError, match="'10.0.0.0/33' is not an IP address"):
        Settings(ASSURE_TRUSTED_PROXIES="10.0.0.1, 10.0.0.0/33")


def test_assure_serve_leaves_forwarded_headers_to_the_app(monkeypatch):
    import uvicorn

    from app.cli import cmd_serve

    called = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: called.update(kwargs))
    cmd_serve(argparse.Namespace(host="127.0.0.1", port=8000, workers=1))
    assert called["proxy_headers"] is False
