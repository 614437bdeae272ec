"""Part 2 stays private on every readable route, by construction.

A world holds canary strings in every kind of exempt ("Part 2") content: an exempt item's
commission, its paper's file name and contents, its sub-item's title and commission, a
paragraph under it; an exempt paragraph of an open item; a question on the exempt item; an
action raised under the exempt item; and an action raised from an inspection finding and
made exempt afterwards (with progress updates on both actions). Every GET route of the app,
enumerated from its router, is then read as each caller who may not see Part 2: a viewer, a
force officer who owns nothing, the force officer who owns the two exempt actions, that
officer's emailed owner link, and someone not signed in. Documents are unzipped (.docx,
.xlsx) and read as text with the tags taken out; JSON, .ics, CSV and HTML are read as they
come, headers included.

No canary may appear where the caller may not see it. The owner of an exempt action sees that
action and its updates (and nothing else exempt), on every route; nobody else on the force
side sees it. A new GET route whose path holds an id this world does not fill makes the test
fail and say which.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pypdf
import pytest
from sqlmodel import select

from app.config import get_settings
from app.models import DecisionReference, EntryKind, Finding, Inspection, ItemKind, Role, Side
from app.schemas import ActionUpdateCreate, QuestionCreate
from app.services import actions, identity, owner_links, record_import, two_factor
from app.services.approval import approve_by_chair, submit_to_chair
from app.services.calendar import feed_token
from app.services.finding_links import action_from_finding, question_from_finding
from app.services.papers import attach_paper
from app.services.publication import forms_of, publish_minutes
from app.services.questions import create_question
from app.services.redaction import set_action_exemption
from app.services.stages import issue_agenda
from app.services.waiting import ROLE_SECTIONS
from app.web.calendar import feed_secret
from app.web.deps import SESSION_COOKIE
from tests.factories import (
    PDF_BYTES,
    SYSTEM,
    bearer,
    enrol_totp,
    make_action,
    make_entry,
    make_item,
    make_meeting,
    make_meeting_type,
    make_person,
    make_user,
)
from tests.web.test_route_matrix import app_routes

# Letters only, so that no escaping (HTML, JSON, XML, URLs) can hide them.
COMMISSION = "CanaryCommissionQzx"
PAPER_NAME = "CanaryPaperNameQzx"
PAPER_TEXT = "CanaryPaperTextQzx"
SUB_TITLE = "CanarySubItemTitleQzx"
SUB_COMMISSION = "CanarySubCommissionQzx"
ITEM_ENTRY = "CanaryExemptItemParagraphQzx"
EXEMPT_ENTRY = "CanaryExemptParagraphQzx"
QUESTION = "CanaryExemptQuestionQzx"
ACTION_UNDER_ITEM = "CanaryActionUnderExemptItemQzx"
ACTION_UNDER_ITEM_UPDATE = "CanaryActionUnderExemptItemUpdateQzx"
FINDING_ACTION = "CanaryActionFromFindingQzx"
FINDING_ACTION_UPDATE = "CanaryActionFromFindingUpdateQzx"
ITEM_DECISION = "CanaryDecisionUnderExemptItemQzx"
EXEMPT_DECISION = "CanaryExemptDecisionQzx"
DECISION = EXEMPT_DECISION  # the exempt decision the published meeting's feed entry names
NEXT_COMMISSION = "CanaryNextMeetingCommissionQzx"
NEXT_PAPER = "CanaryNextMeetingPaperQzx"

CANARIES = [COMMISSION, PAPER_NAME, PAPER_TEXT, SUB_TITLE, SUB_COMMISSION, ITEM_ENTRY,
            EXEMPT_ENTRY, QUESTION, ACTION_UNDER_ITEM, ACTION_UNDER_ITEM_UPDATE, FINDING_ACTION,
            FINDING_ACTION_UPDATE, ITEM_DECISION, EXEMPT_DECISION, NEXT_COMMISSION, NEXT_PAPER]
# What the owner of the two exempt actions may see of them (their own work).
OWNERS_OWN = {ACTION_UNDER_ITEM, ACTION_UNDER_ITEM_UPDATE, FINDING_ACTION,
              FINDING_ACTION_UPDATE}

CALLERS = ("viewer", "force_nothing", "force_owner", "owner_link", "anonymous")
MAY_SEE = {"viewer": set(), "force_nothing": set(), "force_owner": OWNERS_OWN,
           "owner_link": OWNERS_OWN, "anonymous": set()}

SEARCH_WORDS = ("requires+OR+report+OR+informant+OR+explained+OR+brief+OR+fix+OR+what+OR+"
                "roads+OR+DCC")
# Variants of a route worth reading too: other editions and filters of the same content.
QUERIES = {
    "/api/v1/meetings/{meeting_id}/minutes.docx": ["", "?edition=public"],
    "/api/v1/meetings/{meeting_id}/agenda.docx": ["", "?edition=public"],
    # (a search for part of a canary, so that the query echoed back is not taken for a leak)
    "/actions": ["", "?q=ActionFromFinding", "?status=closed"],
    "/actions/log.xlsx": ["", "?status=not_closed"],
    "/api/v1/actions": ["", "?overdue=false"],
    # words around every canary (not the canaries: the query is echoed back)
    "/search": [f"?q={SEARCH_WORDS}", f"?q={SEARCH_WORDS}&kind=action"],
    "/api/v1/search": [f"?q={SEARCH_WORDS}", f"?q={SEARCH_WORDS}&kind=update"],
    # the public record, filtered by words around the canaries (which the page echoes back)
    "/public/actions": ["", "?q=brief", "?q=fix", "?status=open"],
    "/public/actions.xlsx": ["", "?q=brief"],
    "/public/decisions": ["", "?q=tactics", "?q=informant", "?year=" + str(date.today().year)],
    "/public/decisions.xlsx": ["", "?q=tactics", "?q=covert"],
}

# A minimal PDF whose text holds a canary: a paper's contents are exempt with its item.
CANARY_PDF = PDF_BYTES.replace(b"%%EOF", f"% {PAPER_TEXT}\n%%EOF".encode())


def _docx_of(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Who:
    cookie: str | None = None
    token: str | None = None
    link: str | None = None


@dataclass
class CanaryWorld:
    values: dict[str, list[str]]
    callers: dict[str, Who] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    may_see_by_address: dict[str, set[str]] = field(default_factory=dict)


def _day(offset: int) -> datetime:
    return datetime.combine(date.today() + timedelta(days=offset), time(10))


def _signed_in(session, role: Role, person) -> Who:
    user, token = make_user(session, role, person=person)
    if two_factor.required(user):
        enrol_totp(session, user)
    settings = get_settings()
    started = identity.start_web_session(session, user=user,
                                         idle_minutes=settings.session_idle_minutes,
                                         max_hours=settings.session_max_hours)
    return Who(cookie=started.raw_token, token=token)


@pytest.fixture
def canary(session) -> CanaryWorld:
    pcc = make_person(session, full_name="Commissioner Ash", initials="CA",
                      role_title="Police and Crime Commissioner", role_abbreviation="PCC",
                      email="pcc@opcc.example")
    cc = make_person(session, full_name="Chief Birch", initials="CB", side=Side.force,
                     role_title="Chief Constable", role_abbreviation="CC",
                     email="cc@police.example")
    dcc = make_person(session, full_name="Deputy Cedar", initials="DC", side=Side.force,
                      role_title="Deputy Chief Constable", role_abbreviation="DCC",
                      email="dcc@police.example")
    acc = make_person(session, full_name="Assistant Dogwood", initials="AD", side=Side.force,
                      role_title="Assistant Chief Constable", role_abbreviation="ACC",
                      email="acc@police.example")
    series = make_meeting_type(session, name="Canary Accountability Board")
    # The first meeting is over; the next is to come, so its HMICFRS item lists what changed
    # since the first (today's changes included).
    first = make_meeting(session, series, starts_at=_day(-35), chair_id=pcc.id, status="draft")
    second = make_meeting(session, series, starts_at=_day(28), chair_id=pcc.id)
    first.next_meeting_id = second.id
    session.commit()
    # The next meeting lists what is outstanding and the findings to follow up.
    make_item(session, second, title="Outstanding matters", kind=ItemKind.outstanding_matters)
    make_item(session, second, title="HMICFRS", kind=ItemKind.hmicfrs)

    open_item = make_item(session, first, title="Roads policing",
                          commission="The Commissioner requires a report on roads.")
    make_entry(session, open_item, text="The PCC asked the CC about speed cameras.")
    exempt_entry = make_entry(session, open_item, text=f"An informant said {EXEMPT_ENTRY}.",
                              exempt=True, exempt_reason="section 40 of the FOI Act 2000")
    exempt_item = make_item(session, first, title="Covert tactics", kind=ItemKind.other,
                            commission=f"The Commissioner requires {COMMISSION}.",
                            exempt=True, exempt_reason="section 31 of the FOI Act 2000")
    sub_item = make_item(session, first, parent=exempt_item, title=SUB_TITLE,
                         commission=f"A report on {SUB_COMMISSION}.")
    item_entry = make_entry(session, exempt_item, text=f"The DCC explained {ITEM_ENTRY}.")
    # Decisions: one under the exempt item's sub-item, one an exempt paragraph of an open item
    # (the public register names the first by the exempt item's title, and leaves out the
    # second), and one open, so the register's pages are read with something on them.
    item_decision = make_entry(session, sub_item, kind=EntryKind.decision,
                               text=f"The PCC decided on tactics: {ITEM_DECISION}.")
    exempt_decision = make_entry(session, open_item, kind=EntryKind.decision,
                                 text=f"The PCC decided about the informant: "
                                      f"{EXEMPT_DECISION}.", exempt=True,
                                 exempt_reason="section 40 of the FOI Act 2000")
    open_decision = make_entry(session, open_item, kind=EntryKind.decision,
                               text="The PCC approved the camera plan.")
    paper = attach_paper(session, item_id=exempt_item.id, filename=f"{PAPER_NAME}.pdf",
                         content=CANARY_PDF, by=SYSTEM)
    make_item(session, first, title="AOB", kind=ItemKind.aob)
    # A decision minuted in private, under the exempt item (the feed of decisions).
    make_entry(session, sub_item, kind="decision", text=f"The PCC approved {DECISION}.")
    # The next meeting's agenda is issued: the public reads it, with an exempt item and its
    # paper, on its public page; a paper of an open item is public.
    next_exempt = make_item(session, second, title="Informant handling", kind=ItemKind.other,
                            commission=f"A report on {NEXT_COMMISSION}.", exempt=True,
                            exempt_reason="section 30 of the FOI Act 2000")
    next_paper = attach_paper(session, item_id=next_exempt.id, filename=f"{NEXT_PAPER}.pdf",
                              content=CANARY_PDF, by=SYSTEM)
    next_open = make_item(session, second, title="Roads policing update")
    public_paper = attach_paper(session, item_id=next_open.id, filename="roads update.pdf",
                                content=PDF_BYTES, by=SYSTEM)
    issue_agenda(session, meeting_id=second.id, by=SYSTEM)
    question = create_question(session, by=SYSTEM, data=QuestionCreate(
        text=f"What of {QUESTION}?", asked_by_id=pcc.id, addressed_to_id=dcc.id,
        meeting_id=first.id, item_id=exempt_item.id, status="sent", theme="Roads policing"))
    create_question(session, by=SYSTEM, data=QuestionCreate(
        text="How many cameras work?", asked_by_id=pcc.id, addressed_to_id=cc.id,
        meeting_id=first.id, item_id=open_item.id, status="sent", theme="Roads policing"))

    under_item = make_action(session, [dcc], meeting_id=first.id, item_id=exempt_item.id,
                             text=f"The DCC to brief on {ACTION_UNDER_ITEM}.")
    actions.add_update(session, action_id=under_item.id, by=SYSTEM,
                       data=ActionUpdateCreate(text=f"Briefed: {ACTION_UNDER_ITEM_UPDATE}."))
    public_action = make_action(session, [dcc], meeting_id=first.id, item_id=open_item.id,
                                text="The DCC to review the camera contract.")

    # An inspection finding owned by the DCC; an action raised from it, then made exempt.
    inspection = Inspection(title="Roads policing inspection", published_on=date(2026, 9, 1))
    session.add(inspection)
    session.flush()
    finding = Finding(inspection_id=inspection.id, kind="recommendation", number="1",
                      text="The force should improve its roads policing.", owner_id=dcc.id,
                      due_date=_day(-1).date(), theme="Roads policing")
    session.add(finding)
    session.commit()
    from_finding = action_from_finding(session, finding.id, by=SYSTEM,
                                       text=f"The DCC to fix {FINDING_ACTION}.")
    set_action_exemption(session, action_id=from_finding.id, exempt=True,
                         reason="section 31 of the FOI Act 2000", by=SYSTEM)
    actions.add_update(session, action_id=from_finding.id, by=SYSTEM,
                       data=ActionUpdateCreate(text=f"Fixed: {FINDING_ACTION_UPDATE}."))
    question_from_finding(session, finding.id, by=SYSTEM, meeting_id=second.id,
                          text="What progress on recommendation 1?")

    # The first meeting's minutes, approved and published (its public edition).
    submit_to_chair(session, meeting_id=first.id, by=SYSTEM)
    approve_by_chair(session, meeting_id=first.id, by=SYSTEM)
    document = publish_minutes(session, meeting_id=first.id, by=SYSTEM)

    # An old minutes file brought in (held for its review page): such a file holds Part 2 as
    # the meeting had it, so only the office may download it.
    held = record_import.hold_upload(session, kind="minutes", filename="old minutes.docx",
                                     content=_docx_of(f"Part 2: {COMMISSION}."), by=SYSTEM)

    decision_references = dict(session.exec(
        select(DecisionReference.entry_id, DecisionReference.id)).all())
    world = CanaryWorld(values={
        "meeting_id": [str(first.id), str(second.id)],
        "series_id": [str(series.id)],
        "meeting_type_id": [str(series.id)],
        "item_id": [str(exempt_item.id), str(sub_item.id), str(open_item.id)],
        "entry_id": [str(exempt_entry.id), str(item_entry.id)],
        "action_id": [str(under_item.id), str(from_finding.id), str(public_action.id)],
        "paper_id": [str(paper.id), str(next_paper.id), str(public_paper.id)],
        "question_id": [str(question.id)],
        "person_id": [str(dcc.id), str(acc.id)],
        "inspection_id": [str(inspection.id)],
        "finding_id": [str(finding.id)],
        "theme": ["Roads policing"],
        # the published version in each form: Word file, web page and PDF (issue 19)
        "document_id": [str(d.id) for d in forms_of(session, document).values()],
        "decision_id": [str(decision_references[e.id]) for e in (item_decision, exempt_decision,
                                                                 open_decision)],
        "import_id": [str(held.id)],
        # the home page's lists of things waiting (app/services/waiting.py), every role's
        "key": sorted({rule.key for rules in ROLE_SECTIONS.values() for rule in rules}),
    })
    world.may_see_by_address = {"dcc@police.example": OWNERS_OWN}
    secretary, _ = make_user(session, Role.secretariat, email="secretary@opcc.example")
    world.values["user_id"] = [str(secretary.id)]  # the administrator's page of a user
    world.may_see_by_address[secretary.email] = set(CANARIES)
    world.callers = {
        "viewer": _signed_in(session, Role.viewer, None),
        "force_nothing": _signed_in(session, Role.force, acc),
        "force_owner": _signed_in(session, Role.force, dcc),
        "owner_link": Who(link=owner_links.create_link(session, person_id=dcc.id,
                                                       by=SYSTEM).token),
        "anonymous": Who(),
    }
    # Anyone but the owner's link holder meets a link that opens nobody's actions but the ACC's.
    world.links["other"] = owner_links.create_link(session, person_id=acc.id, by=SYSTEM).token
    return world


def _paths(route: str, world: CanaryWorld, caller: str) -> list[str]:
    """Every way of filling the route's ids from the world."""
    paths = [""]
    for part in route.strip("/").split("/"):
        match = re.fullmatch(r"\{(\w+)(?::\w+)?\}(.*)", part)
        if match is None:
            options = [part]
        else:
            name, suffix = match.groups()
            if name == "token":
                link = world.callers[caller].link or world.links["other"]
                options = [link + suffix]
            elif name not in world.values:
                raise AssertionError(
                    f"GET {route}: the canary world has no value for {{{name}}}; add the "
                    f"objects it names, with exempt content, to the `canary` fixture of "
                    f"tests/web/test_exempt_canary.py")
            else:
                options = [value + suffix for value in world.values[name]]
        paths = [f"{p}/{o}" for p in paths for o in options]
    return paths


def _calendar_token(path: str) -> str:
    """A feed link's query: a person's token, or a series' link of a user's own (user 1)."""
    kind, number = re.search(r"/calendar/(person|series)/(\d+)\.ics", path).groups()
    if kind == "series":
        return f"?user=1&token={feed_token(kind, int(number), feed_secret(), ':user 1')}"
    return f"?token={feed_token(kind, int(number), feed_secret())}"


def readable_text(response) -> str:
    """Everything a response says: headers, and the body as text; zip files (Word, Excel)
    unpacked and their XML's tags taken out, so that words split across runs join up."""
    parts = [f"{name}: {value}" for name, value in response.headers.items()]
    body = response.content
    if body[:5] == b"%PDF-":  # a PDF: its text, page by page, as well as its bytes
        parts.append(body.decode("utf-8", "replace"))
        try:
            parts.extend(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
        except pypdf.errors.PdfReadError:
            pass  # a paper that only looks like a PDF: its bytes are read above
    elif body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                text = archive.read(name).decode("utf-8", "replace")
                parts.append(re.sub(r"<[^>]+>", "", text))
    else:
        parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts)


def _request(client, path: str, who: Who):
    headers = {}
    if path.startswith("/api/") and who.token:
        headers.update(bearer(who.token))
    elif who.cookie:
        headers["Cookie"] = f"{SESSION_COOKIE}={who.cookie}"
    client.cookies.clear()
    return client.get(path, headers=headers, follow_redirects=False)


def get_routes(app) -> list[str]:
    return sorted(path for method, path in app_routes(app) if method == "GET")


def test_no_exempt_content_reaches_those_who_may_not_see_it(app, client, canary):
    leaks, errors, read = [], [], 0
    for route in get_routes(app):
        for caller in CALLERS:
            who = canary.callers[caller]
            for path in _paths(route, canary, caller):
                for query in QUERIES.get(route, [""]):
                    url = "/" + path.lstrip("/") + query
                    if route.startswith("/calendar/"):
                        url += _calendar_token(url)
                    response = _request(client, url, who)
                    read += 1
                    if response.status_code >= 500:
                        errors.append(f"{caller} GET {url}: {response.status_code}")
                        continue
                    text = readable_text(response)
                    for found in [c for c in CANARIES
                                  if c in text and c not in MAY_SEE[caller]]:
                        leaks.append(f"{caller} GET {url} ({response.status_code}) shows "
                                     f"{found}")
    assert not errors, "server errors:\n" + "\n".join(errors)
    assert not leaks, f"Part 2 content leaked ({len(leaks)} of {read} reads):\n" + \
        "\n".join(leaks)


def test_the_world_holds_every_canary_where_the_office_sees_it(app, client, canary, session):
    """The test above proves something only if the canaries are there to be found: the office
    (an administrator) finds each of them on some route."""
    admin = _signed_in(session, Role.admin, None)
    seen: set[str] = set()
    for route in get_routes(app):
        for path in _paths(route, canary, "anonymous"):
            for query in QUERIES.get(route, [""]):
                url = "/" + path.lstrip("/") + query
                if route.startswith("/calendar/"):
                    url += _calendar_token(url)
                text = readable_text(_request(client, url, admin))
                seen |= {c for c in CANARIES if c in text}
    assert seen == set(CANARIES), f"never shown to the office: {set(CANARIES) - seen}"


def test_a_get_route_with_an_unknown_id_is_named():
    world = CanaryWorld(values={})
    with pytest.raises(AssertionError, match=r"\{widget_id\}"):
        _paths("/widgets/{widget_id}", world, "viewer")


def test_emails_carry_exempt_content_only_to_those_who_may_see_it(session, canary, tmp_path):
    """A month of action emails (given to you, due soon, due today, weekly digests): the owner
    of the exempt actions is told of them, the secretariat of everything, nobody else of
    anything exempt."""
    from email import policy
    from email.parser import BytesParser

    from app.services.mail import OutboxMailer
    from app.services.notifications import send_reminders

    mailer = OutboxMailer(tmp_path / "outbox", sender="assure@opcc.example")
    for offset in range(-7, 30):
        send_reminders(session, today=date.today() + timedelta(days=offset),
                       base_url="https://assure.example", mailer=mailer)
    leaks, told = [], set()
    for path in sorted((tmp_path / "outbox").glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        text = f"{message['Subject']}\n{message.get_content()}"
        allowed_here = canary.may_see_by_address.get(message["To"], set())
        told |= {(message["To"], c) for c in CANARIES if c in text}
        leaks += [f"{message['To']}: {message['Subject']} shows {c}"
                  for c in CANARIES if c in text and c not in allowed_here]
    assert not leaks, "\n".join(leaks)
    assert ("dcc@police.example", FINDING_ACTION) in told  # the owner is told of their own
