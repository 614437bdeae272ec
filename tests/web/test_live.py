"""The live view: any process can answer it, from the database alone."""

from datetime import timedelta

import pytest

from app.models import Role, utcnow
from app.schemas import AttendanceIn, EntryUpdate, ItemUpdate
from app.services.agenda import move_item, update_item
from app.services.attendance import set_attendance
from app.services.entries import delete_entry, update_entry
from app.web.pages import live_answers
from tests.factories import SYSTEM, make_entry, make_item, make_meeting, make_person, make_user
from tests.sql_counter import sql_seen
from tests.web.signing import sign_in_through_form


@pytest.fixture(autouse=True)
def marks_found_afresh(monkeypatch):
    """Each poll finds the record's mark afresh (the server may reuse one for a quarter of a
    second): these tests poll at once after a change."""
    monkeypatch.setattr(live_answers, "mark_keep", 0)


def sign_in(client, session, role):
    make_user(session, role, email=f"{role}@live.example", password="a long passphrase here")
    response = sign_in_through_form(client, session, f"{role}@live.example",
                                    "a long passphrase here")
    assert response.status_code == 303


def test_the_live_view_answers_204_until_something_changes(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    entry = make_entry(session, item, text="The PCC asked the CC about ANPR.")
    sign_in(client, session, Role.chair)
    page = client.get(f"/meetings/{meeting.id}/live")
    assert page.status_code == 200 and "The PCC asked the CC about ANPR." in page.text
    stamp = page.text.split('data-stamp="')[1].split('"')[0]
    path = f"/meetings/{meeting.id}/live/minutes"
    assert client.get(path, params={"stamp": stamp}).status_code == 204
    update_entry(session, entry_id=entry.id, by=SYSTEM,
                 data=EntryUpdate(version=1, text="The PCC asked the CC about NAS."))
    changed = client.get(path, params={"stamp": stamp})
    assert changed.status_code == 200
    assert "The PCC asked the CC about NAS." in changed.text
    assert "<html" not in changed.text  # only the block, for htmx to swap in
    new_stamp = changed.text.split('data-stamp="')[1].split('"')[0]
    assert new_stamp != stamp
    assert client.get(path, params={"stamp": new_stamp}).status_code == 204
    make_entry(session, item, text="A second paragraph.")
    assert client.get(path, params={"stamp": new_stamp}).status_code == 200


def test_the_live_view_is_the_public_edition_for_a_viewer(client, session):
    meeting = make_meeting(session)
    private = make_item(session, meeting, title="Covert tactics", exempt=True,
                        exempt_reason="section 31 of the Freedom of Information Act 2000")
    make_entry(session, private, text="Secret detail.")
    sign_in(client, session, Role.viewer)
    page = client.get(f"/meetings/{meeting.id}/live")
    assert "Covert tactics".upper() in page.text and "Secret detail." not in page.text
    fragment = client.get(f"/meetings/{meeting.id}/live/minutes")
    assert fragment.status_code == 200 and "Secret detail." not in fragment.text


def test_the_live_view_needs_a_sign_in(client, session):
    meeting = make_meeting(session)
    response = client.get(f"/meetings/{meeting.id}/live/minutes", follow_redirects=False)
    assert response.status_code == 303


def test_an_htmx_request_without_a_session_loads_the_sign_in_page_whole(client, session):
    meeting = make_meeting(session)
    response = client.get(f"/meetings/{meeting.id}/live/minutes", headers={"HX-Request": "true"},
                          follow_redirects=False)
    assert response.status_code == 200 and response.text == ""
    assert response.headers["HX-Redirect"].startswith("/sign-in?next=%2Fmeetings%2F")


# --- what a poll is sent: only what changed ----------------------------------------------


def stamp_of(text: str) -> str:
    return text.split('data-stamp="')[1].split('"')[0]


def saved_ago(session, minutes: int, *entries) -> None:
    """As if these paragraphs were last saved minutes ago: a poll resends what was saved in
    the few seconds before the latest save it has seen (app/services/live.py, OVERLAP)."""
    for entry in entries:
        entry.updated_at = utcnow() - timedelta(minutes=minutes)
        session.add(entry)
    session.commit()


def opened(client, meeting) -> tuple[str, str]:
    page = client.get(f"/meetings/{meeting.id}/live")
    assert page.status_code == 200
    return f"/meetings/{meeting.id}/live/minutes", stamp_of(page.text)


def test_a_poll_after_typing_is_sent_the_changed_paragraph_alone(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    first = make_entry(session, item, text="The PCC asked the CC about ANPR.")
    other = make_entry(session, item, text="The CC said the cameras are being replaced.")
    saved_ago(session, 10, other)
    saved_ago(session, 1, first)
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    update_entry(session, entry_id=first.id, by=SYSTEM,
                 data=EntryUpdate(version=1, text="The PCC asked the CC about ANPR cameras."))
    changed = client.get(path, params={"stamp": stamp})
    assert changed.status_code == 200
    assert changed.headers.get("X-Assure-Live") == "changes"
    assert "The PCC asked the CC about ANPR cameras." in changed.text
    assert "being replaced" not in changed.text and "ROADS POLICING" not in changed.text
    assert f'<template data-entry="{first.id}" data-after="">' in changed.text
    newer = stamp_of(changed.text)
    assert newer != stamp
    assert client.get(path, params={"stamp": newer}).status_code == 204


def test_a_poll_that_missed_one_is_sent_every_paragraph_changed_since(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    first = make_entry(session, item, text="One.")
    second = make_entry(session, item, text="Two.")
    third = make_entry(session, item, text="Three.")
    saved_ago(session, 10, second, third)
    saved_ago(session, 1, first)
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    update_entry(session, entry_id=first.id, by=SYSTEM, data=EntryUpdate(version=1, text="Uno."))
    assert client.get(path, params={"stamp": stamp}).status_code == 200  # this answer is lost
    update_entry(session, entry_id=second.id, by=SYSTEM, data=EntryUpdate(version=1, text="Dos."))
    changed = client.get(path, params={"stamp": stamp})
    assert changed.headers.get("X-Assure-Live") == "changes"
    assert "Uno." in changed.text and "Dos." in changed.text and "Three." not in changed.text
    assert f'data-entry="{second.id}" data-after="{first.id}"' in changed.text


def test_a_deleted_paragraph_leaves_the_live_view(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    make_entry(session, item, text="Kept.")
    gone = make_entry(session, item, text="Typed by mistake.")
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    delete_entry(session, entry_id=gone.id, by=SYSTEM)
    session.commit()
    answer = client.get(path, params={"stamp": stamp})
    assert answer.status_code == 200 and "X-Assure-Live" not in answer.headers
    assert 'id="live-minutes"' in answer.text  # the minutes whole
    assert "Kept." in answer.text and "Typed by mistake." not in answer.text
    assert client.get(path, params={"stamp": stamp_of(answer.text)}).status_code == 204


def test_a_moved_paragraph_or_item_sends_the_minutes_whole_in_their_new_order(client, session):
    meeting = make_meeting(session)
    roads = make_item(session, meeting, title="Roads policing")
    make_item(session, meeting, title="Custody")
    make_entry(session, roads, text="Alpha.")
    beta = make_entry(session, roads, text="Beta.")
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    update_entry(session, entry_id=beta.id, by=SYSTEM, data=EntryUpdate(version=1, position=1))
    session.commit()
    answer = client.get(path, params={"stamp": stamp})
    assert answer.status_code == 200 and "X-Assure-Live" not in answer.headers
    assert answer.text.index("Beta.") < answer.text.index("Alpha.")
    stamp = stamp_of(answer.text)
    move_item(session, item_id=roads.id, direction="down", by=SYSTEM)
    session.commit()
    answer = client.get(path, params={"stamp": stamp})
    assert answer.status_code == 200 and "X-Assure-Live" not in answer.headers
    assert answer.text.index("CUSTODY") < answer.text.index("ROADS POLICING")


def test_a_renamed_item_and_changed_attendance_send_the_minutes_whole(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    make_entry(session, item, text="Alpha.")
    person = make_person(session)
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    update_item(session, item_id=item.id, by=SYSTEM, data=ItemUpdate(title="Road safety"))
    session.commit()
    answer = client.get(path, params={"stamp": stamp})
    assert "X-Assure-Live" not in answer.headers and "ROAD SAFETY" in answer.text
    stamp = stamp_of(answer.text)
    set_attendance(session, meeting_id=meeting.id, by=SYSTEM,
                   rows=[AttendanceIn(person_id=person.id)])
    session.commit()
    answer = client.get(path, params={"stamp": stamp})
    assert answer.status_code == 200 and 'id="live-minutes"' in answer.text


def test_a_reader_of_the_public_edition_is_never_sent_exempt_words(client, session):
    meeting = make_meeting(session)
    open_item = make_item(session, meeting, title="Roads policing")
    private = make_item(session, meeting, title="Covert tactics", exempt=True,
                        exempt_reason="section 31 of the Freedom of Information Act 2000")
    shown = make_entry(session, open_item, text="In the open.")
    hidden = make_entry(session, open_item, text="Exempt words.", exempt=True,
                        exempt_reason="section 31")
    secret = make_entry(session, private, text="Secret detail.")
    sign_in(client, session, Role.viewer)
    path, stamp = opened(client, meeting)
    update_entry(session, entry_id=secret.id, by=SYSTEM,
                 data=EntryUpdate(version=1, text="Secret detail, more of it."))
    update_entry(session, entry_id=hidden.id, by=SYSTEM,
                 data=EntryUpdate(version=1, text="Exempt words, more of them."))
    answer = client.get(path, params={"stamp": stamp})
    assert answer.status_code == 200
    assert "Secret" not in answer.text and "Exempt words" not in answer.text
    stamp = stamp_of(answer.text)
    # A paragraph the reader sees becomes exempt: it leaves their page, and its words are
    # never sent to them.
    update_entry(session, entry_id=shown.id, by=SYSTEM,
                 data=EntryUpdate(version=1, text="Now private.", exempt=True,
                                  exempt_reason="section 31"))
    answer = client.get(path, params={"stamp": stamp})
    assert answer.status_code == 200 and "X-Assure-Live" not in answer.headers
    assert "Now private." not in answer.text and "In the open." not in answer.text
    assert f'data-entry="{shown.id}"' not in answer.text


def test_a_poll_writes_nothing(client, session):
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    entry = make_entry(session, item, text="One.")
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(version=1, text="Two."))
    session.commit()
    with sql_seen(session) as seen:
        headers = {"Sec-Fetch-Mode": "cors", "HX-Request": "true"}
        changed = client.get(path, params={"stamp": stamp}, headers=headers)
        assert changed.headers.get("X-Assure-Live") == "changes"
        assert client.get(path, params={"stamp": stamp_of(changed.text)},
                          headers=headers).status_code == 204
        assert client.get(path, params={"stamp": "not a stamp"},
                          headers=headers).status_code == 200
    assert seen.starting("INSERT", "UPDATE", "DELETE") == []


def test_a_save_that_commits_after_a_later_one_is_still_sent(client, session):
    """Saves commit in an order their times need not follow: a save stamped before the latest
    one a reader has seen, committed after it, reaches the reader all the same, without another
    save to bring it along."""
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Roads policing")
    first = make_entry(session, item, text="One.")
    second = make_entry(session, item, text="Two.")
    saved_ago(session, 10, second)
    saved_ago(session, 0, first)
    sign_in(client, session, Role.chair)
    path, stamp = opened(client, meeting)
    # The second paragraph's save, stamped a moment before the first's, commits now.
    second.text, second.version = "Dos.", second.version + 1
    second.updated_at = first.updated_at - timedelta(seconds=1)
    session.add(second)
    session.commit()
    changed = client.get(path, params={"stamp": stamp})
    assert changed.status_code == 200 and "Dos." in changed.text
    newer = stamp_of(changed.text)
    assert client.get(path, params={"stamp": newer}).status_code == 204

