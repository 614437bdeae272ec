"""Refused requests from callers nobody knows are counted per address and hour, with one audit
event for the first of each hour, so a flood cannot grow the audit log without bound; the
counts are shown to administrators on the audit page."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from app.db import open_session
from app.models import AuditEvent, RefusalTally, Role
from app.services import refusals
from tests.factories import bearer
from tests.web.test_audit_log import rows_of
from tests.web.test_pages import sign_in


def _audit_rows(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _tallies(session) -> list[tuple[str, int]]:
    session.rollback()
    return [(t.address, t.count) for t in session.exec(select(RefusalTally))]


def test_six_hundred_anonymous_refusals_make_one_event_and_a_count_of_600(client, session):
    before = _audit_rows(session)
    for n in range(300):
        # A form posted to an owner's link without its form token, and a made-up API token.
        assert client.post(f"/owner/guess{n}/actions/1/updates",
                           data={"text": "x"}).status_code == 403
        assert client.get("/api/v1/actions", headers=bearer(f"asr_guess{n}")).status_code == 401
    # One event and one count of 600 (two of each if the requests ran across an hour's end).
    counted = _tallies(session)
    assert sum(n for _, n in counted) == 600 and {a for a, _ in counted} == {"testclient"}
    assert _audit_rows(session) - before == len(counted) <= 2
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "refused")).first()
    assert event.address == "testclient" and event.actor == "anonymous"
    assert event.summary.startswith("403 POST /owner/…/actions/1/updates")
    assert "are counted, not logged one by one" in event.summary


@pytest.mark.separate_connections  # threads, each with a connection of its own
def test_concurrent_refusals_are_all_counted_and_logged_once(engine, session):
    start = threading.Barrier(4)

    def refuse() -> None:
        start.wait()
        for _ in range(25):
            with open_session(engine, write=True) as own:
                refusals.count_refusal(own, address="203.0.113.9", summary="403 POST /x")
                own.commit()

    threads = [threading.Thread(target=refuse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    counted = _tallies(session)
    assert sum(n for _, n in counted) == 100 and len(counted) <= 2  # an hour may end meanwhile
    assert _audit_rows(session) == len(counted)


def test_each_hour_and_address_has_its_own_count_and_old_counts_are_dropped(session):
    long_ago = datetime(2026, 1, 5, 9, 59, tzinfo=UTC)
    now = long_ago + refusals.KEEP + timedelta(hours=2)
    for at, address in [(long_ago, "a"), (now, "a"), (now, "a"), (now, "b"),
                        (now + timedelta(hours=1), "a")]:
        refusals.count_refusal(session, address=address, summary="401 GET /api/v1", now=at)
        session.commit()
    assert sorted(_tallies(session)) == [("a", 1), ("a", 2), ("b", 1)]
    assert _audit_rows(session) == 4  # the first of each address and hour


def test_signed_in_callers_refusals_keep_an_event_each(client, session):
    sign_in(client, session, Role.viewer)
    before = _audit_rows(session)
    for _ in range(3):
        assert client.get("/admin/audit").status_code == 403
    assert _audit_rows(session) - before == 3
    assert _tallies(session) == []


def test_administrators_see_the_counts_newest_first(client, session):
    for hours, count in ((2, 3), (0, 5)):
        for _ in range(count):
            refusals.count_refusal(session, address="198.51.100.7", summary="403 POST /sign-out",
                                   now=datetime.now(UTC) - timedelta(hours=hours))
    session.commit()
    sign_in(client, session, Role.admin)
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "Refused requests from unknown callers" in page.text
    # The tally's rows (five cells), not the audit events of the first of each hour.
    counted = [row for row in rows_of(page.text) if "198.51.100.7" in row and len(row) == 5]
    assert [row[2] for row in counted] == ["5", "3"]
    assert counted[0][4] == "403 POST /sign-out"
    assert len(_tallies(session)) == 2
