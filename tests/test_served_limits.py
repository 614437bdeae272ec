"""What `assure serve` does with bodies over the limit and with forwarded headers, through a
real socket to a real server (one for the module, on a SQLite file: the database plays no part).

A 300 MB body sent in chunks, with no Content-Length, is refused with 413 as soon as it passes
the limit, and the server's memory (its peak RSS, from /proc) grows by far less than the body;
bodies within the limits still work, chunked or not. X-Forwarded-For from 127.0.0.1, which
uvicorn's own proxy handling believed, changes nothing unless ASSURE_TRUSTED_PROXIES says so.
"""

import shutil
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from app.db import make_engine
from app.models import AuditEvent, Paper, Role
from tests.e2e.conftest import LiveServer
from tests.factories import bearer, make_item, make_meeting, make_user

MB = 1024 * 1024
HUGE = 300 * MB
CHUNK = MB
MAX_GROWTH = 50 * MB

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads the server's memory from /proc")


@pytest.fixture(scope="module")
def served(tmp_path_factory, sqlite_template):
    """The server, its database engine, a secretariat token and an agenda item's id."""
    folder = tmp_path_factory.mktemp("served")
    server = LiveServer(folder)
    server.env.pop("ASSURE_TRUSTED_PROXIES", None)
    shutil.copy(sqlite_template, folder / "assure.db")
    engine = make_engine(f"sqlite:///{folder / 'assure.db'}", durable=False)
    with Session(engine, expire_on_commit=False) as session:
        _, server.token = make_user(session, Role.secretariat)
        server.item_id = make_item(session, make_meeting(
            session, starts_at=datetime(2019, 4, 30, 10))).id
    server.engine = engine
    server.start()
    yield server
    server.stop()
    engine.dispose()


def _status(pid: int) -> dict[str, int]:
    """The process's memory figures from /proc, in bytes."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            figures[name] = int(value.split()[0]) * 1024
    return figures


def _reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs sets the peak RSS (VmHWM) back to the present RSS.
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _chunks(total: int, head: bytes = b"", tail: bytes = b""):
    """`total` bytes in all, in 1 MB chunks: a generator, so httpx sends it chunked."""
    yield head
    block = b"x" * CHUNK
    left = total - len(head) - len(tail)
    while left > 0:
        yield block[:min(CHUNK, left)]
        left -= CHUNK
    yield tail


def _multipart(total: int, content_start: bytes, filename: str):
    """A multipart form with one file field, of `total` bytes of file content, as chunks."""
    boundary = "assure-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = _chunks(total + len(head) + len(tail), head + content_start, tail)
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def _send(server, path: str, body, headers: dict[str, str]) -> tuple[httpx.Response, int]:
    """POST a streamed body; the answer, and how much the server's peak memory grew."""
    pid = server.process.pid
    _reset_peak(pid)
    before = _status(pid)["VmRSS"]
    response = httpx.post(f"{server.url}{path}", content=body, headers=headers, timeout=60)
    return response, _status(pid)["VmHWM"] - before


@pytest.mark.parametrize("route", ["api", "paper"])
def test_a_300_mb_chunked_body_is_refused_without_holding_it(served, route):
    if route == "api":  # no sign-in at all: once, the body was read before the 401
        response, growth = _send(served, "/api/v1/people", _chunks(HUGE),
                                 {"Content-Type": "application/json"})
        limit = "2 MB"
    else:
        body, headers = _multipart(HUGE, b"%PDF-1.4\n", "huge.pdf")
        response, growth = _send(served, f"/api/v1/items/{served.item_id}/papers", body,
                                 {**headers, **bearer(served.token)})
        limit = "21 MB"
    assert response.status_code == 413, response.text
    assert response.json() == {"detail": f"The request is larger than {limit}."}
    assert "nosniff" in response.headers["x-content-type-options"]
    assert growth < MAX_GROWTH, f"the server grew by {growth / MB:.0f} MB"
    print(f"\n{route}: 300 MB chunked → 413; server peak RSS grew {growth / MB:.1f} MB")


def test_bodies_within_the_limits_still_work(served):
    # A 20 MB paper, chunked, and one with its Content-Length.
    body, headers = _multipart(20 * MB, b"%PDF-1.4\n", "twenty.pdf")
    chunked = httpx.post(f"{served.url}/api/v1/items/{served.item_id}/papers", content=body,
                         headers={**headers, **bearer(served.token)}, timeout=60)
    assert chunked.status_code == 201, chunked.text
    assert chunked.json()["size_bytes"] == 20 * MB
    whole = httpx.post(f"{served.url}/api/v1/items/{served.item_id}/papers",
                       files={"file": ("small.pdf", b"%PDF-1.4\n" + b"x" * 1000)},
                       headers=bearer(served.token), timeout=60)
    assert whole.status_code == 201, whole.text
    with Session(served.engine) as session:
        sizes = session.exec(select(Paper.size_bytes).order_by(col(Paper.id))).all()
    assert sizes[-2:] == [20 * MB, 1009]
    # JSON, chunked and not.
    person = {"full_name": "Jane Roe", "initials": "JR", "role_title": "Policy Officer"}
    assert httpx.post(f"{served.url}/api/v1/people", json=person,
                      headers=bearer(served.token)).status_code == 201
    streamed = httpx.post(f"{served.url}/api/v1/people", headers={
        **bearer(served.token), "Content-Type": "application/json"},
        content=iter([b'{"full_name": "Richard Roe", ', b'"initials": "RR"}']))
    assert streamed.status_code == 201, streamed.text


def test_a_forwarded_for_from_127_0_0_1_is_not_believed(served):
    refused = httpx.post(f"{served.url}/sign-in",
                         data={"email": "nobody@opcc.example", "password": "guessing"},
                         headers={"X-Forwarded-For": "198.51.100.23"})
    assert refused.status_code == 401
    with Session(served.engine) as session:
        recorded = session.exec(select(AuditEvent.address).where(
            AuditEvent.verb == "sign_in_failed").order_by(col(AuditEvent.id).desc())).first()
    assert recorded == "127.0.0.1"
