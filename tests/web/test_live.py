"""The live view: any process can answer it, from the database alone."""

from app.models import Role
from app.schemas import EntryUpdate
from app.services.entries import update_entry
from tests.factories import SYSTEM, make_entry, make_item, make_meeting, make_user
from tests.web.signing import sign_in_through_form


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
