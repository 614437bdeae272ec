"""The home page, "what needs me": each role sees what waits for it (and nothing of others'),
the count in the navigation matches, and the chair is emailed once when minutes are submitted
for approval or an owner asks for an action to be closed."""

import re
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.config import get_settings
from app.models import (
    ActionStatus,
    Inspection,
    MeetingStatus,
    Notification,
    QuestionSource,
    QuestionStatus,
    Role,
)
from app.schemas import ActionUpdateCreate, QuestionCreate
from app.services import actions, approval, waiting
from app.services.dates import today
from app.services.mail import OutboxMailer
from app.services.notifications import send_reminders
from app.services.papers import attach_paper
from app.services.permissions import Actor
from app.services.questions import create_question
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    bearer,
    committed,
    make_action,
    make_item,
    make_meeting,
    make_meeting_type,
    make_top_team,
    make_user,
)
from tests.sql_counter import sql_seen
from tests.web.signing import csrf_of, sign_in_through_form

PASSWORD = "a long passphrase here"


@pytest.fixture
def outbox(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "outbox"
    monkeypatch.setenv("ASSURE_OUTBOX_DIR", str(folder))
    monkeypatch.setenv("ASSURE_BASE_URL", "https://assure.opcc.example")
    monkeypatch.delenv("ASSURE_SMTP_URL", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def mails(outbox: Path):
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def sign_in_as(client, session, role, person=None, email=None):
    user, _ = make_user(session, role, person=person, password=PASSWORD, email=email)
    response = sign_in_through_form(client, session, user.email, PASSWORD, next_path="/")
    assert response.status_code == 303, response.text
    return user


def nav_count(html: str) -> int | None:
    """The number beside "Home" in the navigation, or None when there is none."""
    found = re.search(r'href="/"[^>]*>.*?assure-nav-count">(\d+)<span class="govuk-visually-'
                      r'hidden"> things? waiting</span>', html, re.S)
    return int(found[1]) if found else None


def section_of(html: str, key: str) -> str:
    """The HTML of one section of the home page, from its heading to the next."""
    start = html.index(f'id="{key}"')
    end = html.find('<h2 class="govuk-heading-m"', start)
    return html[start:end if end != -1 else len(html)]


def ask_closure(session, action, owner) -> None:
    committed(session, actions.add_update(
        session, action_id=action.id, by=Actor(role=Role.force, person_id=owner.id),
        data=ActionUpdateCreate(text="Done: the review is finished.",
                                status=ActionStatus.pending_signoff)))


def upcoming_meeting(session, series=None, days=10):
    starts = datetime.combine(today() + timedelta(days=days), datetime.min.time()).replace(
        hour=10)
    return make_meeting(session, series, starts_at=starts)


# --- the chair ----------------------------------------------------------------------------


def test_the_chair_sees_minutes_to_approve_closures_and_draft_questions(client, session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    submitted = make_meeting(session, series, starts_at=datetime(2024, 4, 30, 10),
                             status=MeetingStatus.draft)
    committed(session, approval.submit_to_chair(session, meeting_id=submitted.id, by=SYSTEM))
    still_drafting = make_meeting(session, series, starts_at=datetime(2024, 5, 28, 10),
                                  status=MeetingStatus.draft)
    approved = make_meeting(session, series, starts_at=datetime(2024, 3, 26, 10),
                            status=MeetingStatus.approved)
    asked = make_action(session, [dcc], text="Review the ANPR business case.")
    ask_closure(session, asked, dcc)
    open_one = make_action(session, [cc], text="Report on the CIU model.")
    draft = committed(session, create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many 999 calls were answered within 10 seconds?")))
    committed(session, create_question(session, by=SYSTEM, data=QuestionCreate(
        text="A question ready for the force.", status=QuestionStatus.ready)))
    committed(session, create_question(session, by=SYSTEM, data=QuestionCreate(
        text="A question from the public to screen.", source=QuestionSource.public,
        submitter_name="A resident", submitted_at=datetime(2024, 4, 1, 9))))

    sign_in_as(client, session, Role.chair, person=pcc)
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "What needs you" in html and "3 things are waiting for you." in html
    approve = section_of(html, "minutes-to-approve")
    assert f'href="/meetings/{submitted.id}/record"' in approve
    assert f"/meetings/{still_drafting.id}/" not in html
    assert f"/meetings/{approved.id}/" not in html  # the secretariat publishes, not the chair
    closures = section_of(html, "closures")
    assert f'href="/actions/{asked.id}"' in closures and asked.reference in closures
    assert f"/actions/{open_one.id}" not in html
    questions = section_of(html, "draft-questions")
    assert f'href="/questions/{draft.id}"' in questions
    assert "ready for the force" not in html and "from the public" not in html
    assert "Overdue actions" not in html and "Minutes to publish" not in html
    assert nav_count(html) == 3


# --- the secretariat ------------------------------------------------------------------------


def test_the_secretariat_sees_publication_late_papers_responses_and_overdue(client, session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    approved = make_meeting(session, series, starts_at=datetime(2024, 3, 26, 10),
                            status=MeetingStatus.approved)
    published = make_meeting(session, series, starts_at=datetime(2024, 2, 27, 10),
                             status=MeetingStatus.published)
    coming = upcoming_meeting(session, series)
    late = make_item(session, coming, title="Roads policing", presenter_id=dcc.id,
                     paper_due_on=today() - timedelta(days=2))
    received = make_item(session, coming, title="Domestic abuse", presenter_id=dcc.id,
                         paper_due_on=today() - timedelta(days=2))
    committed(session, attach_paper(session, item_id=received.id, filename="da.pdf",
                                    content=PDF_BYTES, by=SYSTEM))
    not_yet = make_item(session, coming, title="999 answering", presenter_id=dcc.id,
                        paper_due_on=today() + timedelta(days=3))
    due = Inspection(title="PEEL 2023–25: an inspection of West Mercia Police",
                     published_on=today() - timedelta(days=50))
    far = Inspection(title="A thematic report far from due", published_on=today())
    answered = Inspection(title="A report already answered",
                          published_on=today() - timedelta(days=60),
                          response_published_on=today() - timedelta(days=2))
    session.add_all([due, far, answered])
    session.commit()
    overdue = [make_action(session, [dcc], text=f"Overdue action {n}.",
                           due_date=today() - timedelta(days=n)) for n in range(1, 8)]
    make_action(session, [cc], text="Not due yet.", due_date=today() + timedelta(days=30))
    closed = make_action(session, [cc], text="Closed though late.",
                         due_date=today() - timedelta(days=3))
    committed(session, actions.add_update(session, action_id=closed.id, by=SYSTEM,
                                          data=ActionUpdateCreate(text="Done.",
                                                                  status=ActionStatus.closed)))

    sign_in_as(client, session, Role.secretariat)
    html = client.get("/").text
    publish = section_of(html, "minutes-to-publish")
    assert f'href="/meetings/{approved.id}/record"' in publish
    assert f"/meetings/{published.id}/" not in html
    papers = section_of(html, "late-papers")
    assert f'href="/meetings/{coming.id}/agenda#item-{late.id}"' in papers
    assert f"item-{received.id}" not in html and f"item-{not_yet.id}" not in html
    responses = section_of(html, "responses-due")
    assert f'href="/inspections/{due.id}/response"' in responses
    assert f"/inspections/{far.id}/" not in html and f"/inspections/{answered.id}/" not in html
    late_actions = section_of(html, "overdue-actions")
    # The most overdue first, five of them, and a link to the rest.
    shown = re.findall(r'href="/actions/(\d+)"', late_actions)
    assert shown == [str(a.id) for a in reversed(overdue)][:5]
    assert 'href="/waiting/overdue-actions">and 2 more' in late_actions
    assert f"/actions/{closed.id}" not in html
    assert "Minutes to approve" not in html and "Closures asked for" not in html
    assert nav_count(html) == 1 + 1 + 1 + 7

    full = client.get("/waiting/overdue-actions")
    assert full.status_code == 200
    assert sorted(re.findall(r'href="/actions/(\d+)"', full.text)) == sorted(
        str(a.id) for a in overdue)
    assert nav_count(full.text) == 10


def test_a_long_list_is_paged(client, session):
    _, _, dcc = make_top_team(session)
    made = [make_action(session, [dcc], text=f"Late {n}.", due_date=date(2024, 1, 1))
            for n in range(waiting.PAGE_SIZE + 2)]
    sign_in_as(client, session, Role.admin)
    first = client.get("/waiting/overdue-actions")
    assert len(re.findall(r'href="/actions/\d+"', first.text)) == waiting.PAGE_SIZE
    assert 'href="/waiting/overdue-actions?page=2"' in first.text
    second = client.get("/waiting/overdue-actions?page=2")
    assert re.findall(r'href="/actions/(\d+)"', second.text) == [str(a.id) for a in made[-2:]]
    # A page past the last shows the last; nonsense shows the first.
    assert client.get("/waiting/overdue-actions?page=99").text.count('href="/actions/') == 2
    assert client.get("/waiting/overdue-actions?page=x").status_code == 200


# --- a force officer ------------------------------------------------------------------------


def test_a_force_officer_sees_only_their_own_actions_and_papers(client, session):
    pcc, cc, dcc = make_top_team(session)
    series = make_meeting_type(session, name="Monthly Assurance Meeting")
    mine = make_action(session, [dcc], text="The DCC to review the ANPR business case.",
                       due_date=today() + timedelta(days=5))
    shared = make_action(session, [cc, dcc], text="The CC and DCC to report on the CIU.")
    waiting_for_chair = make_action(session, [dcc], text="Done and awaiting sign-off.")
    ask_closure(session, waiting_for_chair, dcc)
    theirs = make_action(session, [cc], text="The CC's own action on custody.")
    coming = upcoming_meeting(session, series)
    owed = make_item(session, coming, title="Roads policing", presenter_id=dcc.id,
                     paper_due_on=today() + timedelta(days=3))
    commissioned = make_item(session, coming, title="Neighbourhood policing",
                             presenter_id=dcc.id,
                             commission="The Commissioner requires a report on PCSOs.")
    no_paper_asked = make_item(session, coming, title="AOB", presenter_id=dcc.id)
    secret = make_item(session, coming, title="Covert tactics", presenter_id=dcc.id,
                       paper_due_on=today() + timedelta(days=3), exempt=True,
                       exempt_reason="section 31 of the FOI Act 2000")
    private_parent = make_item(session, coming, title="Part 2", exempt=True,
                               exempt_reason="section 31 of the FOI Act 2000")
    under_secret = make_item(session, coming, title="Informant handling", presenter_id=dcc.id,
                             paper_due_on=today() + timedelta(days=3), parent=private_parent)
    cc_item = make_item(session, coming, title="Custody", presenter_id=cc.id,
                        paper_due_on=today() + timedelta(days=3))
    held = make_meeting(session, series, starts_at=datetime(2024, 1, 30, 10),
                        status=MeetingStatus.draft)
    make_item(session, held, title="Held already", presenter_id=dcc.id,
              paper_due_on=date(2024, 1, 20))

    sign_in_as(client, session, Role.force, person=dcc)
    html = client.get("/").text
    own = section_of(html, "my-actions")
    assert f'href="/my-actions#action-{mine.id}"' in own
    assert f"#action-{shared.id}" in own
    assert f"action-{waiting_for_chair.id}" not in html  # it waits for the chair now
    assert theirs.reference not in html and "custody" not in html.lower()
    owes = section_of(html, "papers-owed")
    assert f'href="/meetings/{coming.id}#item-{owed.id}"' in owes
    assert f"item-{commissioned.id}" in owes
    for item in (no_paper_asked, secret, under_secret, cc_item):
        assert f"item-{item.id}" not in html
    assert "Covert" not in html and "Informant" not in html and "Held already" not in html
    assert "Closures asked for" not in html and "Overdue actions" not in html
    assert nav_count(html) == 4

    # Another force officer sees none of it.
    client.cookies.clear()
    sign_in_as(client, session, Role.force, person=cc)
    other = client.get("/").text
    assert mine.reference not in other and "Roads policing" not in other
    assert theirs.reference in other


def test_a_viewer_gets_the_ways_in_and_no_count(client, session):
    sign_in_as(client, session, Role.viewer)
    html = client.get("/").text
    assert '<h1 class="govuk-heading-l">Home</h1>' in html
    assert 'href="/meetings"' in html and 'href="/public"' in html
    assert nav_count(html) is None and "assure-nav-count" not in html
    assert client.get("/waiting/overdue-actions").status_code == 404


def test_someone_not_signed_in_is_sent_to_sign_in(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"


def test_a_section_of_another_role_is_not_found(client, session):
    sign_in_as(client, session, Role.chair)
    assert client.get("/waiting/overdue-actions").status_code == 404
    assert client.get("/waiting/closures").status_code == 200
    assert client.get("/waiting/" + "x" * 500).status_code == 404


def test_the_navigation_count_is_one_query(session):
    _, _, dcc = make_top_team(session)
    make_action(session, [dcc], due_date=date(2024, 1, 1))
    for role in (Role.secretariat, Role.chair):
        with sql_seen(session) as seen:
            count = waiting.waiting_count(session, Actor(role=role))
        assert len(seen.starting("SELECT")) == 1, seen.statements
    assert count == 0
    with sql_seen(session) as seen:
        assert waiting.waiting_count(session, Actor(role=Role.viewer)) == 0
    assert seen.starting("SELECT") == []
    assert waiting.waiting_count(session, Actor(role=Role.admin)) == 1


# --- the chair's emails -----------------------------------------------------------------------


def _chair_and_secretariat(client, session):
    pcc, _, dcc = make_top_team(session)
    chair, _ = make_user(session, Role.chair, person=pcc, email="pcc@opcc.example")
    deputy, _ = make_user(session, Role.chair, email="dpcc@opcc.example")
    meeting = make_meeting(session, make_meeting_type(session, name="Monthly Assurance Meeting"),
                           starts_at=datetime(2024, 4, 30, 10), status=MeetingStatus.draft)
    sign_in_as(client, session, Role.secretariat)
    return meeting, dcc


def _submit(client, meeting):
    page = client.get(f"/meetings/{meeting.id}/record")
    return client.post(f"/meetings/{meeting.id}/submit",
                       data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)


def _reminders(session):
    settings = get_settings()
    return send_reminders(session, base_url=settings.base_url,
                          mailer=OutboxMailer(Path(settings.outbox_dir)))


def test_the_chair_is_emailed_once_when_minutes_are_submitted(client, session, outbox):
    meeting, _ = _chair_and_secretariat(client, session)
    assert _submit(client, meeting).status_code == 303
    sent = mails(outbox)
    assert sorted(m["To"] for m in sent) == ["dpcc@opcc.example", "pcc@opcc.example"]
    assert all(m["Subject"] == "Minutes to approve: Monthly Assurance Meeting 30 April 2024"
               for m in sent)
    body = sent[0].get_content()
    assert f"https://assure.opcc.example/meetings/{meeting.id}/record" in body
    # The reminders run finds them sent, and sends nothing again.
    report = _reminders(session)
    assert report.sent["approval"] == 0 and report.skipped >= 2
    assert len(mails(outbox)) == 2


def test_the_chair_is_emailed_once_when_an_owner_asks_for_closure(client, session, outbox):
    pcc, _, dcc = make_top_team(session)
    make_user(session, Role.chair, person=pcc, email="pcc@opcc.example")
    action = make_action(session, [dcc], text="The DCC to review the ANPR business case.")
    sign_in_as(client, session, Role.force, person=dcc)
    page = client.get("/my-actions")
    progress = client.post(f"/my-actions/{action.id}/updates", data={
        "csrf_token": csrf_of(page.text), "text": "Started.", "status": "in_progress"},
        follow_redirects=False)
    assert progress.status_code == 303
    assert mails(outbox) == []  # progress is not news for the chair
    done = client.post(f"/my-actions/{action.id}/updates", data={
        "csrf_token": csrf_of(page.text), "text": "The review is finished.",
        "status": "pending_signoff"}, follow_redirects=False)
    assert done.status_code == 303
    [message] = mails(outbox)
    assert message["To"] == "pcc@opcc.example"
    assert message["Subject"] == f"Closure asked for: action {action.reference}"
    body = message.get_content()
    assert "Amanda Blakeman asked for action" in body and "The review is finished." in body
    assert f"https://assure.opcc.example/actions/{action.id}" in body
    assert _reminders(session).sent["closure"] == 0
    assert len(mails(outbox)) == 1


def test_a_mail_server_that_is_down_loses_no_submission(client, session, outbox, monkeypatch,
                                                        caplog):
    meeting, _ = _chair_and_secretariat(client, session)
    monkeypatch.setenv("ASSURE_SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens there
    get_settings.cache_clear()
    response = _submit(client, meeting)
    assert response.status_code == 303
    assert "Not sent, to be tried again: approval:meeting" in caplog.text  # it was tried
    with Session(session.get_bind()) as fresh:
        assert fresh.get(type(meeting), meeting.id).submitted_at is not None
        assert fresh.exec(select(Notification)).all() == []  # the keys were given back
    assert mails(outbox) == []
    # The server is back: the next reminders run sends each chair's email, once.
    monkeypatch.delenv("ASSURE_SMTP_URL")
    get_settings.cache_clear()
    assert _reminders(session).sent["approval"] == 2
    assert _reminders(session).sent["approval"] == 0
    assert len(mails(outbox)) == 2


def test_a_closure_asked_for_through_the_api_emails_the_chair_once(client, session, outbox):
    pcc, _, dcc = make_top_team(session)
    make_user(session, Role.chair, person=pcc, email="pcc@opcc.example")
    action = make_action(session, [dcc], text="The DCC to review the ANPR business case.")
    _, token = make_user(session, Role.force, person=dcc)
    response = client.post(f"/api/v1/actions/{action.id}/updates", headers=bearer(token),
                           json={"text": "Finished.", "status": "pending_signoff"})
    assert response.status_code == 201
    assert [m["Subject"] for m in mails(outbox)] == [
        f"Closure asked for: action {action.reference}"]
    # A further update on the same request is not a new request: nothing more is sent.
    assert client.post(f"/api/v1/actions/{action.id}/updates", headers=bearer(token),
                       json={"text": "The report is attached."}).status_code == 201
    assert len(mails(outbox)) == 1
