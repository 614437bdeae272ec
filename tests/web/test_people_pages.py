"""The people pages: the directory with its search, adding and changing a person, a leaver's
deactivation, each person's page, and the CSV import's upload, preview and confirmation."""

import re

import pytest
from sqlmodel import select

from app.models import Person, Role, Side, User
from app.services.calendar import feed_token
from app.web.calendar import feed_secret
from tests.factories import make_action, make_person, make_user
from tests.web.signing import csrf_of, sign_in_through_form

PASSWORD = "correct horse battery staple"
XSS = "<script>alert('x')</script>"


def sign_in(client, session, role: Role, person=None):
    user, _ = make_user(session, role, person=person, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return user


def csrf(client) -> str:
    return csrf_of(client.get("/account").text)


def fresh(session) -> None:
    session.rollback()
    session.expire_all()


def person_form(**changes) -> dict:
    values = {"full_name": "Rachel Jones", "initials": "RJ",
              "role_title": "Chief Superintendent", "role_abbreviation": "CSupt",
              "side": "force", "email": "rachel.jones@police.example"}
    values.update(changes)
    return values


def test_the_secretariat_adds_a_person_and_finds_them(client, session):
    sign_in(client, session, Role.secretariat)
    form = client.get("/people/new")
    assert form.status_code == 200 and "Add a person" in form.text
    added = client.post("/people/new", data={**person_form(), "csrf_token": csrf_of(form.text)},
                        follow_redirects=False)
    assert added.status_code == 303
    fresh(session)
    person = session.exec(select(Person).where(Person.full_name == "Rachel Jones")).one()
    assert (person.initials, person.role_abbreviation, person.side, person.email) == (
        "RJ", "CSupt", "force", "rachel.jones@police.example")
    assert added.headers["location"] == f"/people/{person.id}?saved=added"
    page = client.get(added.headers["location"])
    assert "The person has been added." in page.text
    assert "Chief Superintendent (CSupt)" in page.text  # their capacity in the minutes
    found = client.get("/people", params={"q": "csupt", "side": "force"})
    assert f'href="/people/{person.id}"' in found.text
    assert f'href="/people/{person.id}"' not in client.get(
        "/people", params={"side": "opcc"}).text


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"full_name": "  "}, "full_name", "Enter the person&#39;s full name"),
    ({"initials": ""}, "initials", "Enter their initials"),
    ({"initials": "ABCDEFGHIJK"}, "initials", "at most 10 characters"),
    ({"email": "rachel at police"}, "email", "Enter an email address in the correct format"),
    ({"side": "council"}, "side", "Choose the Commissioner"),
    ({"role_abbreviation": "X" * 21}, "role_abbreviation", "at most 20 characters"),
])
def test_a_bad_person_form_says_what_is_wrong_and_keeps_what_was_typed(
        client, session, changes, field, words):
    sign_in(client, session, Role.secretariat)
    typed = person_form(full_name=XSS) if field != "full_name" else person_form()
    typed.update(changes)
    answer = client.post("/people/new", data={**typed, "csrf_token": csrf(client)})
    assert answer.status_code == 422
    assert "<title>Error:" in answer.text
    assert words in answer.text
    assert re.search(rf'<a href="#{field}(-opcc)?">', answer.text)  # linked to the field
    if field != "full_name":
        assert "&lt;script&gt;" in answer.text and XSS not in answer.text  # kept, escaped
    fresh(session)
    assert session.exec(select(Person)).all() == []


def test_changing_a_person_and_clearing_their_email(client, session):
    person = make_person(session, full_name="Rachel Jones", initials="RJ", side=Side.force,
                         email="rachel@police.example")
    sign_in(client, session, Role.admin)
    form = client.get(f"/people/{person.id}/edit")
    assert 'value="rachel@police.example"' in form.text
    saved = client.post(f"/people/{person.id}/edit", follow_redirects=False, data={
        **person_form(role_title="Assistant Chief Constable", role_abbreviation="ACC",
                      email=""), "csrf_token": csrf_of(form.text)})
    assert saved.status_code == 303
    fresh(session)
    person = session.get(Person, person.id)
    assert (person.role_title, person.role_abbreviation, person.email) == (
        "Assistant Chief Constable", "ACC", None)


def test_a_leaver_is_deactivated_and_no_longer_offered(client, session):
    leaver = make_person(session, full_name="Andrew Smith", initials="AS", side=Side.force)
    make_person(session, full_name="Rachel Jones", initials="RJ", side=Side.force)
    leaver_user, _ = make_user(session, Role.force, person=leaver)
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/people/{leaver.id}")
    assert "Deactivate Andrew Smith" in page.text
    done = client.post(f"/people/{leaver.id}/deactivate",
                       data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    fresh(session)
    assert not session.get(Person, leaver.id).active
    assert not session.get(User, leaver_user.id).active  # their sign-in ended with them
    page = client.get(done.headers["location"])
    assert "The person is no longer active" in page.text
    assert "Make Andrew Smith active again" in page.text
    # The directory shows the active by default; the leaver is under "no longer active".
    assert "Andrew Smith" not in client.get("/people").text
    assert "Andrew Smith" in client.get("/people", params={"active": "no"}).text
    # Not offered as the one a new question is put to.
    question_form = client.get("/questions/new").text
    assert "Rachel Jones" in question_form and "Andrew Smith" not in question_form
    # Their calendar link stopped.
    token = feed_token("person", leaver.id, feed_secret())
    assert client.get(f"/calendar/person/{leaver.id}.ics?token={token}").status_code == 404

    again = client.post(f"/people/{leaver.id}/reactivate",
                        data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert again.status_code == 303
    fresh(session)
    assert session.get(Person, leaver.id).active


def test_a_person_page_shows_their_actions_meetings_and_calendar_link(client, session):
    from datetime import datetime

    from tests.factories import make_meeting, make_meeting_type

    dcc = make_person(session, full_name="Amanda Blakeman", initials="AB", side=Side.force)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    meeting = make_meeting(session, series, starts_at=datetime(2026, 4, 30, 10, 0),
                           chair_id=dcc.id)
    action = make_action(session, [dcc], meeting_id=meeting.id, text="Review the ANPR case.")
    sign_in(client, session, Role.chair)
    page = client.get(f"/people/{dcc.id}")
    assert page.status_code == 200
    assert f'href="/actions/{action.id}"' in page.text and "Review the ANPR case." in page.text
    assert f'href="/meetings/{meeting.id}"' in page.text
    assert "Monthly Assurance Meeting April 2026" in page.text
    token = feed_token("person", dcc.id, feed_secret())
    assert f"/calendar/person/{dcc.id}.ics?token={token}" in page.text
    assert "Deactivate" not in page.text  # the chair reads, but does not change, people


@pytest.mark.parametrize("role", [Role.force, Role.viewer])
def test_the_force_and_viewers_are_refused_the_people_pages(client, session, role):
    person = make_person(session, full_name="Rachel Jones", initials="RJ")
    sign_in(client, session, role)
    token = csrf(client)
    for path in ("/people", f"/people/{person.id}", "/people/new",
                 f"/people/{person.id}/edit", "/people/import"):
        assert client.get(path).status_code == 403, path
    posts = [("/people/new", {"data": person_form()}),
             (f"/people/{person.id}/edit", {"data": person_form()}),
             (f"/people/{person.id}/deactivate", {"data": {}}),
             ("/people/import", {"data": {"default_side": "force"},
                                 "files": {"file": ("o.csv", b"Name\nA B\n", "text/csv")}}),
             ("/people/import/confirm", {"data": {"csv_text": "Name\nA B\n",
                                                   "default_side": "force", "count": "1"}})]
    for path, body in posts:
        body["data"]["csrf_token"] = token
        assert client.post(path, **body).status_code == 403, path
    fresh(session)
    assert [p.full_name for p in session.exec(select(Person))] == ["Rachel Jones"]
    assert session.get(Person, person.id).active
    assert 'href="/people"' not in client.get("/meetings").text  # no link to a refused page


def test_the_chair_reads_the_directory_but_cannot_change_it(client, session):
    person = make_person(session, full_name="Rachel Jones", initials="RJ")
    sign_in(client, session, Role.chair)
    listing = client.get("/people")
    assert listing.status_code == 200 and "Rachel Jones" in listing.text
    assert "Add a person" not in listing.text and "Import people" not in listing.text
    assert client.get(f"/people/{person.id}/edit").status_code == 403


CSV = ("\ufeffName,Initials,Rank,Email,Favourite colour\r\n"
       "Amanda Blakeman,AB,Deputy Chief Constable,amanda@police.example,blue\r\n"
       ",XX,Inspector,x@police.example,red\r\n"
       "Rachel Jones,RJ,Chief Superintendent,not an email,green\r\n").encode()


def test_importing_a_csv_previews_then_saves_on_confirmation(client, session):
    sign_in(client, session, Role.secretariat)
    form = client.get("/people/import")
    preview = client.post("/people/import", data={"default_side": "force",
                                                  "csrf_token": csrf_of(form.text)},
                          files={"file": ("officers.csv", CSV, "text/csv")})
    assert preview.status_code == 200
    assert "Row 3: no name" in preview.text
    assert "Row 4: the email is not an email address" in preview.text
    assert "Favourite colour" in preview.text  # the column not understood is named
    assert "Import 1 person" in preview.text
    fresh(session)
    assert session.exec(select(Person)).all() == []  # nothing saved before confirming

    text = re.search(r'<textarea name="csv_text"[^>]*>(.*?)</textarea>', preview.text, re.S)[1]
    import html
    done = client.post("/people/import/confirm", follow_redirects=False, data={
        "csv_text": html.unescape(text), "default_side": "force", "count": "1",
        "csrf_token": csrf_of(preview.text)})
    assert done.status_code == 303 and done.headers["location"] == "/people?imported=1"
    fresh(session)
    (person,) = session.exec(select(Person)).all()
    assert (person.full_name, person.side, person.email) == (
        "Amanda Blakeman", "force", "amanda@police.example")
    assert "1 person imported." in client.get(done.headers["location"]).text


def test_a_confirmation_after_the_directory_changed_shows_the_preview_again(client, session):
    sign_in(client, session, Role.secretariat)
    text = "Name,Initials\nAmanda Blakeman,AB\nRachel Jones,RJ\n"
    make_person(session, full_name="Ann Brown", initials="AB")  # since the preview
    answer = client.post("/people/import/confirm", data={
        "csv_text": text, "default_side": "force", "count": "2", "csrf_token": csrf(client)})
    assert answer.status_code == 200
    assert "The directory changed since the preview" in answer.text
    assert "Import 1 person" in answer.text
    fresh(session)
    assert [p.full_name for p in session.exec(select(Person))] == ["Ann Brown"]


@pytest.mark.parametrize(("files", "words"), [
    (None, "Choose the CSV file to import"),
    ({"file": ("officers.csv", b"", "text/csv")}, "The file you chose is empty"),
    ({"file": ("officers.xlsx", b"PK\x03\x04...", "application/vnd.ms-excel")},
     "This is a spreadsheet, not a CSV file"),
    ({"file": ("officers.csv", b"Name\n" + b"x" * 600_000, "text/csv")}, "smaller than 500 KB"),
    ({"file": ("officers.csv", b"Name\n" + b"x" * 3_000_000, "text/csv")},
     "smaller than 500 KB"),  # past the 2 MB of other forms: still the plain message
    ({"file": ("officers.csv", b"Station,Number\nHindlip,1\n", "text/csv")},
     "one called &#34;Name&#34;"),
])
def test_a_bad_file_is_refused_with_a_clear_message(client, session, files, words):
    sign_in(client, session, Role.secretariat)
    answer = client.post("/people/import", data={"default_side": "force",
                                                 "csrf_token": csrf(client)}, files=files)
    assert answer.status_code == 422
    assert "<title>Error:" in answer.text
    assert words in answer.text.replace("&quot;", "&#34;")
    assert '<a href="#file">' in answer.text


def test_a_long_directory_is_read_a_page_at_a_time(client, session, monkeypatch):
    """The directory shows a page of people with links to the next and previous pages, which
    keep the search."""
    from app.services import people as people_service

    monkeypatch.setattr(people_service, "PAGE_SIZE", 2)
    for n in range(5):
        make_person(session, full_name=f"Paged Officer {n}", side=Side.force)
    sign_in(client, session, Role.secretariat)
    first = client.get("/people", params={"q": "Paged Officer"})
    assert first.status_code == 200
    assert 'aria-label="Pages of people"' in first.text and 'rel="prev"' not in first.text
    next_link = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert "q=Paged" in next_link and "page=2" in next_link
    second = client.get(next_link)
    assert "Page 1 of 3" in second.text and "Page 3 of 3" in second.text
    shown = set(re.findall(r"Paged Officer \d", first.text)) | set(
        re.findall(r"Paged Officer \d", second.text)) | set(
        re.findall(r"Paged Officer \d", client.get(next_link.replace("page=2", "page=3")).text))
    assert shown == {f"Paged Officer {n}" for n in range(5)}


def test_a_title_is_saved_shown_and_names_them_in_the_minutes(client, session):
    sign_in(client, session, Role.secretariat)
    form = client.get("/people/new")
    assert 'name="title"' in form.text
    added = client.post("/people/new", data={
        **person_form(full_name="Gareth Jones", initials="GJ", title="Cllr",
                      role_title="Panel member", role_abbreviation="", side="other", email=""),
        "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    assert added.status_code == 303, added.text
    fresh(session)
    person = session.exec(select(Person).where(Person.full_name == "Gareth Jones")).one()
    assert person.title == "Cllr"
    page = client.get(f"/people/{person.id}").text
    assert "Named in the minutes as" in page and "Cllr Jones" in page
    edit = client.get(f"/people/{person.id}/edit")
    assert 'value="Cllr"' in edit.text
    too_long = client.post(f"/people/{person.id}/edit", data={
        **person_form(full_name="Gareth Jones", initials="GJ", title="C" * 21, side="other",
                      email=""), "csrf_token": csrf_of(edit.text)})
    assert too_long.status_code == 422
    assert "The title must be at most 20 characters" in too_long.text
    assert 'href="#title"' in too_long.text
    fresh(session)
    assert session.get(Person, person.id).title == "Cllr"  # unchanged
