"""Owner links and calendar feed tokens never reach the server's access log or the audit log:
a real `assure serve` answers an owner's link, a refused post to it and a calendar feed, and
neither its output nor any audit summary holds a secret."""

import os
import secrets
import shutil
import socket
import subprocess
import sys

import httpx
from sqlmodel import Session, select

from app.db import make_engine
from app.models import AuditEvent
from app.services import owner_links
from app.services.text import hide_link_secrets
from app.web.access_log import HideLinkSecrets
from tests.factories import SYSTEM, make_person
from tests.servers import wait_until_serving

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(folder, database: str, port: int, output) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database, "ASSURE_SECRET_KEY": "access-log-test",
           "ASSURE_HOME": str(folder),
           "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                              env=env, cwd=folder, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", gone=lambda: server.poll() is not None)
    except RuntimeError:
        server.kill()
        raise
    return server


def test_the_access_log_and_the_audit_log_hold_no_link_or_feed_secret(tmp_path,
                                                                      sqlite_template):
    path = tmp_path / "assure.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        person = make_person(session, full_name="Amanda Blakeman", initials="AB")
        link = owner_links.create_link(session, person_id=person.id, by=SYSTEM)
        session.commit()
    feed_token = "feed" + secrets.token_urlsafe(16)
    port = _free_port()
    with open(tmp_path / "server.log", "wb") as output:
        server = _serve(tmp_path, f"sqlite:///{path}", port, output)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                assert client.get(link.path()).status_code == 200
                refused = client.post(f"{link.path()}/actions/1/updates", data={"text": "x"})
                assert refused.status_code == 403  # no form token
                feed = client.get(f"/calendar/person/{person.id}.ics",
                                  params={"token": feed_token})
                assert feed.status_code == 404  # not the feed's token: logged all the same
                # Addresses that carry a real secret in a shape the app does not read.
                for odd in (f"/calendar/series/1.ics;token={link.token}",
                            f"/calendar/series/1.ics?a=b?token={link.token}",
                            f"/calendar/series/1.ics?token%00={link.token}"):
                    assert client.get(odd).status_code == 404
        finally:
            server.terminate()
            server.wait(timeout=10)
    logged = (tmp_path / "server.log").read_text()
    assert '"GET /owner/… HTTP/1.1" 200' in logged
    assert '"POST /owner/…/actions/1/updates HTTP/1.1" 403' in logged
    assert f'"GET /calendar/person/{person.id}.ics?token=… HTTP/1.1" 404' in logged
    assert link.token not in logged and feed_token not in logged

    with Session(engine) as session:
        summaries = list(session.exec(select(AuditEvent.summary)))
    engine.dispose()
    assert any("/owner/…/actions/1/updates" in s for s in summaries)
    assert not any(link.token in s or feed_token in s for s in summaries)


def test_the_secrets_are_hidden_however_the_address_spells_them():
    assert hide_link_secrets("GET /owner/AbC-_9/actions/2/delegate") == \
        "GET /owner/…/actions/2/delegate"
    assert hide_link_secrets("/calendar/series/3.ics?x=1&token=s3cr3t&y=2") == \
        "/calendar/series/3.ics?x=1&token=…&y=2"
    assert hide_link_secrets("/calendar/person/1.ics?%74oken=s3cr3t") == \
        "/calendar/person/1.ics?%74oken=…"
    assert hide_link_secrets("/actions?owner=3&tokens=kept") == "/actions?owner=3&tokens=kept"


def test_the_access_log_hides_any_secret_shaped_run_of_characters():
    import logging

    token = secrets.token_urlsafe(32)
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET",
                                f"/calendar/series/1.ics%3Btoken%3D{token}", "1.1", 404), None)
    HideLinkSecrets().filter(record)
    assert token not in record.getMessage() and "/calendar/series/1.ics%3B" in record.getMessage()
