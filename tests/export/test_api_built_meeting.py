"""Acceptance: a meeting built entirely through the JSON API, its minutes read back.

A policy officer (secretariat) sets up a new series, its people, a meeting with a nested agenda,
an exempt (Part 2) item, entries and actions, and a second meeting of the series; both editions
of the minutes are downloaded and read back (DESIGN.md sections 3 and 5). The public edition is
searched as bytes and as every XML part of the package, so nothing exempt hides anywhere.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import docx
import pytest
from docx.document import Document

from app.models import Role
from tests.export.reading import Row, block, body_text, furniture_text, index_of, pdf_pages, rows_of
from tests.factories import bearer, make_user

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SECTION_31 = "section 31 of the Freedom of Information Act 2000"
NOTICE = f"This item was considered in private (exempt under {SECTION_31})."
SERIES = "Police Accountability Board"
DEFAULT_VENUE = "Conference Room 2, Hindlip House"
VENUE = "Council Chamber, Wootton Hall"

OUTSTANDING = "OUTSTANDING MATTERS / ITEMS BROUGHT FORWARD"
NEXT_MEETING = "CONFIRMATION OF NEXT MEETING TYPE / DATE / TIME / VENUE"
NEXT_MEETING_LINE = f"{SERIES}, Tuesday 11 November 2025, 2:00pm {DEFAULT_VENUE}"

# What was typed, entry by entry.
QUESTION = (
    "The PFCC asked the CC whether partnership working with the Safer Roads Partnership is "
    "effective."
)
ANSWER = (
    "The CC responded:\n"
    "- Joint operations with the fire service now run monthly.\n"
    "• Collision data is shared with the councils every week.\n"
    "Both are reviewed at the force governance group."
)
ANSWER_PARAGRAPHS = [
    ("The CC responded:", "Normal"),
    ("Joint operations with the fire service now run monthly.", "List Bullet"),
    ("Collision data is shared with the councils every week.", "List Bullet"),
    ("Both are reviewed at the force governance group.", "Normal"),
]
AWKWARD = (
    "The PFCC noted the “Fatal 4” campaign’s cost of £12,500 & asked whether <20 mph> zones "
    "reduce harm 🚓."
)
EXEMPT_ENTRY = "The DCC named the officer under investigation, Sergeant Quentin Marlowe."
PERFORMANCE_ENTRY = "The CC reported that killed and seriously injured casualties fell by 12%."
CUSTODY_ENTRY = "The CC reported average detention times in custody of 14 hours."
# Part 2: the exempt theme and its sub-theme.
EXEMPT_ITEM_ENTRY = "The PFCC and the CC discussed the Hindlip disposal price of £9.4m."
EXEMPT_CHILD_TITLE = "Valuation of the Bromsgrove depot"
EXEMPT_CHILD_ENTRY = "The district valuer's confidential figure was tabled."

JOINT_ACTION = "The CC and the Head of Estates to report on joint operations with the fire service."
EXEMPT_ACTION = "The CC to provide the confidential Hindlip valuation to the PFCC."
UNDATED_ACTION = "The DCC to review custody staffing on night shifts."
CLOSED_ACTION = "The DPFCC to publish the roads policing data on the website."
UPDATE_EARLIER = "Terms of reference agreed."
UPDATE_LATEST = "Joint operations now run monthly; the first report is drafted."
EXEMPT_UPDATE = "The district valuer has been instructed (confidential)."

# Nothing of these may reach the public edition, in any part of the package.
NEVER_PUBLIC = [
    EXEMPT_ITEM_ENTRY,
    "Hindlip disposal price",
    EXEMPT_CHILD_TITLE,
    EXEMPT_CHILD_ENTRY,
    "district valuer",
    EXEMPT_ENTRY,
    "Quentin Marlowe",
    EXEMPT_ACTION,
    "confidential Hindlip valuation",
    EXEMPT_UPDATE,
    "Exempt item (",  # the internal edition's own notes
    "Exempt: not in the public edition.",
]


# --- building the meeting through the API ---------------------------------------------------


class Api:
    """The JSON API as the policy officer uses it: every call must succeed."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = bearer(token)

    def call(self, method: str, url: str, expected: int, **kwargs):
        response = self.client.request(method, f"/api/v1{url}", headers=self.headers, **kwargs)
        assert response.status_code == expected, (method, url, response.status_code, response.text)
        return response

    def post(self, url: str, body: dict) -> dict:
        return self.call("POST", url, 201, json=body).json()

    def patch(self, url: str, body: dict) -> dict:
        return self.call("PATCH", url, 200, json=body).json()

    def put(self, url: str, body) -> list:
        return self.call("PUT", url, 200, json=body).json()

    def minutes(self, meeting_id: int, edition: str) -> Minutes:
        response = self.call(
            "GET", f"/meetings/{meeting_id}/minutes.docx", 200, params={"edition": edition}
        )
        return Minutes(
            content=response.content,
            document=docx.Document(io.BytesIO(response.content)),
            headers=dict(response.headers),
        )


@dataclass
class Built:
    api: Api
    person: dict[str, dict]
    first: dict  # the meeting of 14 October 2025
    second: dict  # of 11 November 2025, the first's next meeting
    item: dict[str, dict]  # of the first meeting, by short name
    action: dict[str, dict]  # raised at the first meeting, by short name
    second_items: dict[str, dict] = field(default_factory=dict)


def build(client, token: str) -> Built:
    api = Api(client, token)
    person = {
        key: api.post("/people", body)
        for key, body in {
            "PFCC": dict(full_name="Helen Ashworth", initials="HA", side="opcc",
                         role_title="Police, Fire and Crime Commissioner",
                         role_abbreviation="PFCC"),
            "DPFCC": dict(full_name="Marcus Webb", initials="MW", side="opcc",
                          role_title="Deputy Police, Fire and Crime Commissioner",
                          role_abbreviation="DPFCC"),
            "CC": dict(full_name="Rachel Okafor", initials="RO", side="force",
                       role_title="Chief Constable", role_abbreviation="CC"),
            "DCC": dict(full_name="Tom O’Neill", initials="TO", side="force",
                        role_title="Deputy Chief Constable", role_abbreviation="DCC"),
            "ACC": dict(full_name="Gareth Lloyd", initials="GL", side="force",
                        role_title="Assistant Chief Constable", role_abbreviation="ACC"),
            # no abbreviation: the minutes call her by her initials
            "NA": dict(full_name="Nadia Akhtar", initials="NA", side="force",
                       role_title="Head of Estates"),
            "taker": dict(full_name="Priya Shah", initials="PS", side="opcc",
                          role_title="Policy Officer", email="priya.shah@opcc.example"),
        }.items()
    }
    assert person["NA"]["role_abbreviation"] == ""

    series = api.post("/meeting-types", {"name": SERIES, "default_venue": DEFAULT_VENUE})
    first = api.post("/meetings", {
        "meeting_type_id": series["id"], "starts_at": "2025-10-14T14:00",
        "ends_at": "2025-10-14T16:00", "venue": VENUE, "chair_id": person["PFCC"]["id"],
        "minute_taker_id": person["taker"]["id"],
    })
    second = api.post("/meetings", {
        "meeting_type_id": series["id"], "starts_at": "2025-11-11T14:00",
        "chair_id": person["PFCC"]["id"], "minute_taker_id": person["taker"]["id"],
    })
    first = api.patch(f"/meetings/{first['id']}", {"next_meeting_id": second["id"]})

    api.put(f"/meetings/{first['id']}/attendance", [
        {"person_id": person["PFCC"]["id"], "status": "present"},
        {"person_id": person["CC"]["id"], "status": "present"},
        {"person_id": person["DCC"]["id"], "status": "present"},
        {"person_id": person["NA"]["id"], "status": "present",
         "capacity": "Head of Estates, West Mercia Police"},
        {"person_id": person["DPFCC"]["id"], "status": "present"},
        {"person_id": person["ACC"]["id"], "status": "apologies"},
    ])

    meeting_id = first["id"]
    items_url = f"/meetings/{meeting_id}/items"
    item: dict[str, dict] = {}
    # Standing items first, then "Holding to account" put in second place: numbers follow
    # positions, not the order of creation.
    item["outstanding"] = api.post(items_url, {
        "title": "Outstanding matters / items brought forward", "kind": "outstanding_matters"})
    item["aob"] = api.post(items_url, {"title": "AOB", "kind": "aob"})
    item["next"] = api.post(items_url, {
        "title": "Confirmation of next meeting type / date / time / venue",
        "kind": "next_meeting"})
    item["holding"] = api.post(items_url, {
        "title": "Holding to account", "kind": "holding_to_account", "position": 2})
    holding = item["holding"]["id"]
    item["roads"] = api.post(items_url, {"title": "Roads policing", "parent_id": holding})
    item["estates"] = api.post(items_url, {
        "title": "Estates strategy", "parent_id": holding, "exempt": True,
        "exempt_reason": SECTION_31})
    item["custody"] = api.post(items_url, {"title": "Custody", "parent_id": holding})
    roads = item["roads"]["id"]
    item["performance"] = api.post(items_url, {"title": "Performance", "parent_id": roads})
    item["partnership"] = api.post(items_url, {
        "title": "Partnership working", "parent_id": roads, "position": 1})
    item["valuation"] = api.post(items_url, {
        "title": EXEMPT_CHILD_TITLE, "parent_id": item["estates"]["id"]})
    assert item["holding"]["number"] == "2"
    assert item["estates"]["number"] == "2.2"

    def entry(key: str, text: str, **extra) -> dict:
        return api.post(f"/items/{item[key]['id']}/entries", {"text": text, **extra})

    entry("partnership", QUESTION, kind="question", speaker_id=person["PFCC"]["id"])
    entry("partnership", ANSWER, kind="answer", speaker_id=person["CC"]["id"])
    entry("partnership", EXEMPT_ENTRY, exempt=True, speaker_id=person["DCC"]["id"])
    stored = entry("partnership", AWKWARD)
    assert stored["text"] == AWKWARD
    entry("performance", PERFORMANCE_ENTRY)
    entry("estates", EXEMPT_ITEM_ENTRY)
    entry("valuation", EXEMPT_CHILD_ENTRY)
    entry("custody", CUSTODY_ENTRY)

    def action(key: str, text: str, owners: list[str], due: str | None) -> dict:
        return api.post("/actions", {
            "text": text, "owner_ids": [person[o]["id"] for o in owners], "due_date": due,
            "meeting_id": meeting_id, "item_id": item[key]["id"]})

    raised = {
        "joint": action("partnership", JOINT_ACTION, ["CC", "NA"], "2025-12-01"),
        "exempt": action("estates", EXEMPT_ACTION, ["CC"], "2025-11-30"),
        "undated": action("custody", UNDATED_ACTION, ["DCC"], None),
        "closed": action("performance", CLOSED_ACTION, ["DPFCC"], "2025-11-01"),
    }
    return Built(api=api, person=person, first=first, second=second, item=item, action=raised)


def hold_second_meeting(built: Built) -> None:
    """Between the meetings: updates, one action closed; the second meeting's agenda."""
    api, action = built.api, built.action
    api.post(f"/actions/{action['joint']['id']}/updates",
             {"text": UPDATE_EARLIER, "status": "in_progress"})
    api.post(f"/actions/{action['joint']['id']}/updates", {"text": UPDATE_LATEST})
    api.post(f"/actions/{action['exempt']['id']}/updates", {"text": EXEMPT_UPDATE})
    closed = api.patch(f"/actions/{action['closed']['id']}", {"status": "closed"})
    assert closed["status"] == "closed" and closed["rag"] is None
    items_url = f"/meetings/{built.second['id']}/items"
    built.second_items["outstanding"] = api.post(items_url, {
        "title": "Outstanding matters / items brought forward", "kind": "outstanding_matters"})
    built.second_items["aob"] = api.post(items_url, {"title": "AOB", "kind": "aob"})


@pytest.fixture
def built(client, session) -> Built:
    _user, token = make_user(session, Role.secretariat)
    return build(client, token)


# --- reading the document back --------------------------------------------------------------


@dataclass
class Minutes:
    content: bytes
    document: Document
    headers: dict[str, str]

    @property
    def rows(self) -> list[Row]:
        """The minutes table's rows after its header row."""
        table = self.document.tables[1]
        assert table.rows[0].cells[2].text == "ACTION"
        return rows_of(table)[1:]

    def titles(self) -> list[tuple[str, str]]:
        return [(r.number, r.heading) for r in self.rows if r.heading]

    def block(self, heading: str) -> list[Row]:
        """The rows of an item after its title row, up to the next item's."""
        return block(self.rows, heading)

    def title_row(self, heading: str) -> Row:
        rows = self.rows
        return rows[index_of(rows, heading)]

    def all_text(self) -> str:
        """Every paragraph of body, tables, headers and footers."""
        return "\n".join(body_text(self.document) + furniture_text(self.document))

    def xml_parts(self) -> dict[str, str]:
        """Every XML part of the package (document, headers, footers, properties…) as text."""
        with zipfile.ZipFile(io.BytesIO(self.content)) as package:
            return {
                name: package.read(name).decode("utf-8")
                for name in package.namelist()
                if name.endswith((".xml", ".rels"))
            }

    def xml_text(self) -> dict[str, str]:
        """The character data of each XML part, entities decoded."""
        from lxml import etree

        return {
            name: "".join(etree.fromstring(xml.encode("utf-8")).itertext())
            for name, xml in self.xml_parts().items()
        }


FIRST_TITLES = [
    ("1", OUTSTANDING),
    ("2", "HOLDING TO ACCOUNT"),
    ("2.1", "ROADS POLICING:"),
    ("", "1. Partnership working"),
    ("", "2. Performance"),
    ("2.2", "ESTATES STRATEGY:"),
    ("", f"1. {EXEMPT_CHILD_TITLE}"),
    ("2.3", "CUSTODY:"),
    ("3", "AOB"),
    ("4", NEXT_MEETING),
]


# --- the API's answers ----------------------------------------------------------------------


def test_times_are_read_as_london_time_and_answered_with_the_offset(built):
    assert built.first["starts_at"] == "2025-10-14T14:00:00+01:00"  # British Summer Time
    assert built.first["ends_at"] == "2025-10-14T16:00:00+01:00"
    assert built.second["starts_at"] == "2025-11-11T14:00:00+00:00"  # GMT
    assert built.first["next_meeting_id"] == built.second["id"]
    assert built.first["venue"] == VENUE
    assert built.second["venue"] == DEFAULT_VENUE  # the series' default
    assert built.first["title"] == f"{SERIES} October 2025"


def test_download_headers(built):
    for edition in ("internal", "public"):
        minutes = built.api.minutes(built.first["id"], edition)
        assert minutes.headers["content-type"] == DOCX_TYPE
        match = re.fullmatch(r'attachment; filename="([^"]*)"',
                             minutes.headers["content-disposition"])
        assert match, minutes.headers["content-disposition"]
        name = match.group(1)
        assert name == f"Police-Accountability-Board-October-2025-Meeting-Notes-{edition}.docx"


def test_download_file_name_is_ascii_whatever_the_series_is_called(built):
    api = built.api
    series = api.post("/meeting-types", {"name": "Bwrdd “Atebolrwydd” / Ŵyl – Commissioner’s"})
    meeting = api.post("/meetings", {"meeting_type_id": series["id"],
                                     "starts_at": "2025-12-09T10:00"})
    disposition = api.minutes(meeting["id"], "public").headers["content-disposition"]
    assert disposition.isascii()
    name = re.fullmatch(r'attachment; filename="([^"]*)"', disposition).group(1)
    assert name.endswith("-public.docx")
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name
    assert "Bwrdd-Atebolrwydd" in name


# --- the internal edition -------------------------------------------------------------------


@pytest.fixture
def internal(built) -> Minutes:
    return built.api.minutes(built.first["id"], "internal")


@pytest.fixture
def public(built) -> Minutes:
    return built.api.minutes(built.first["id"], "public")


def test_heading_details_and_attendance(internal):
    doc = internal.document
    assert doc.paragraphs[0].text == f"{SERIES} October 2025 – Meeting Notes"
    assert doc.paragraphs[0].style.name == "Heading 1"
    assert [p.text for p in doc.paragraphs[1:5]] == [
        "Date: Tuesday 14th October 2025 @ 14:00",
        "Chair: Helen Ashworth",
        "Minutes: Priya Shah, Policy Officer, OPCC",
        f"Venue: {VENUE}",
    ]
    assert doc.core_properties.title == f"{SERIES} October 2025 – Meeting Notes"
    assert [[c.text for c in row.cells] for row in doc.tables[0].rows] == [
        ["", "Name:", "Capacity:"],
        ["Attendance:", "Helen Ashworth", "Police, Fire and Crime Commissioner (PFCC)"],
        ["", "Rachel Okafor", "Chief Constable (CC)"],
        ["", "Tom O’Neill", "Deputy Chief Constable (DCC)"],
        ["", "Nadia Akhtar", "Head of Estates, West Mercia Police"],
        ["", "Marcus Webb", "Deputy Police, Fire and Crime Commissioner (DPFCC)"],
        ["Apologies:", "Gareth Lloyd", "Assistant Chief Constable (ACC)"],
    ]


def test_items_are_numbered_by_position(internal):
    assert internal.titles() == FIRST_TITLES


def test_standing_items(internal):
    assert internal.title_row(OUTSTANDING).texts == [OUTSTANDING, "None were discussed."]
    assert internal.block(OUTSTANDING) == []
    assert internal.title_row("AOB").texts == ["AOB", "No items"]
    assert internal.title_row(NEXT_MEETING).texts == [NEXT_MEETING, NEXT_MEETING_LINE]


def test_entries_follow_their_item_in_order(internal):
    under = internal.block("1. Partnership working")
    assert under[0].texts == [QUESTION]
    assert under[1].minutes == ANSWER_PARAGRAPHS
    assert under[2].texts == ["Exempt: not in the public edition.", EXEMPT_ENTRY]
    assert under[3].texts == [AWKWARD]
    assert under[4].texts == ["Actions arising:"]
    assert all(r.number == "" and r.action == [] for r in under[:5])
    assert [r.texts for r in internal.block("2. Performance")][0] == [PERFORMANCE_ENTRY]
    assert internal.block("CUSTODY:")[0].texts == [CUSTODY_ENTRY]


def test_actions_arising_name_owners_reference_and_due_date(built, internal):
    refs = {key: a["reference"] for key, a in built.action.items()}
    assert refs == {"joint": "A/2025/001", "exempt": "A/2025/002",
                    "undated": "A/2025/003", "closed": "A/2025/004"}

    def arising(heading: str) -> list[Row]:
        rows = internal.block(heading)
        label = next(i for i, r in enumerate(rows) if r.texts == ["Actions arising:"])
        return rows[label + 1:]

    (joint,) = arising("1. Partnership working")
    assert joint.texts == [JOINT_ACTION]
    assert joint.action == ["CC, NA", "A/2025/001", "Due 01/12/2025"]  # lead first, initials
    (closed,) = arising("2. Performance")
    assert closed.action == ["DPFCC", "A/2025/004", "Due 01/11/2025"]
    (undated,) = arising("CUSTODY:")
    assert undated.texts == [UNDATED_ACTION]
    assert undated.action == ["DCC", "A/2025/003", "No due date"]


def test_internal_edition_holds_the_exempt_material(internal):
    row = internal.title_row("ESTATES STRATEGY:")
    assert row.number == "2.2"
    assert any(SECTION_31 in text for text in row.texts[1:])  # marked for the reader
    assert NOTICE not in row.texts
    under = internal.block("ESTATES STRATEGY:")
    assert under[0].texts == [EXEMPT_ITEM_ENTRY]
    assert under[1].texts == ["Actions arising:"]
    assert under[2].texts == [EXEMPT_ACTION]
    assert under[2].action == ["CC", "A/2025/002", "Due 30/11/2025"]
    assert internal.block(f"1. {EXEMPT_CHILD_TITLE}")[0].texts == [EXEMPT_CHILD_ENTRY]
    text = internal.all_text()
    for secret in (EXEMPT_ENTRY, EXEMPT_ITEM_ENTRY, EXEMPT_CHILD_ENTRY, EXEMPT_ACTION):
        assert secret in text


# --- the public edition ---------------------------------------------------------------------


def test_public_edition_keeps_the_exempt_items_number_and_title_with_the_notice(public):
    titles = [t for t in FIRST_TITLES if t != ("", f"1. {EXEMPT_CHILD_TITLE}")]
    assert public.titles() == titles
    row = public.title_row("ESTATES STRATEGY:")
    assert row.number == "2.2"
    assert row.texts == ["ESTATES STRATEGY:", NOTICE]
    assert row.action == []
    assert public.block("ESTATES STRATEGY:") == []  # the next row is 2.3 Custody


def test_public_edition_leaves_the_exempt_entry_out_without_a_trace(public):
    under = public.block("1. Partnership working")
    assert [r.minutes for r in under[:3]] == [
        [(QUESTION, "Normal")], ANSWER_PARAGRAPHS, [(AWKWARD, "Normal")]
    ]
    assert under[3].texts == ["Actions arising:"]
    assert under[4].action == ["CC, NA", "A/2025/001", "Due 01/12/2025"]
    assert len(under) == 5
    # neither the entry nor a note that one was left out: "exempt" is only in the item's notice
    assert "xempt" not in public.all_text().replace(NOTICE, "")


def test_public_edition_holds_everything_else(internal, public):
    """Apart from the exempt material, the editions say the same."""
    rows = internal.rows
    start = next(i for i, r in enumerate(rows) if r.heading == "ESTATES STRATEGY:")
    end = next(i for i, r in enumerate(rows) if r.heading == "CUSTODY:")
    expected = [
        r for r in rows[:start] + rows[end:]
        if r.texts[:1] != ["Exempt: not in the public edition."]
    ]
    assert [r for r in public.rows if r.heading != "ESTATES STRATEGY:"] == expected
    assert [p.text for p in public.document.paragraphs] == [
        p.text for p in internal.document.paragraphs
    ]
    assert [[c.text for c in row.cells] for row in public.document.tables[0].rows] == [
        [c.text for c in row.cells] for row in internal.document.tables[0].rows
    ]


@pytest.mark.parametrize("role", [Role.viewer, Role.force])
def test_readers_without_exempt_access_get_only_the_public_edition(built, public, session, role):
    _user, token = make_user(session, role)
    reader = Api(built.api.client, token)
    reader.call("GET", f"/meetings/{built.first['id']}/minutes.docx", 403,
                params={"edition": "internal"})
    theirs = reader.minutes(built.first["id"], "public")
    assert theirs.rows == public.rows


def test_public_edition_package_holds_nothing_exempt(public):
    parts = public.xml_parts()
    assert {"word/document.xml", "docProps/core.xml"} <= set(parts)
    assert any(name.startswith("word/header") for name in parts)
    assert any(name.startswith("word/footer") for name in parts)
    decoded = public.xml_text()
    for secret in [*NEVER_PUBLIC, "A/2025/002"]:
        for name in parts:
            assert secret not in parts[name], (secret, name)
            assert secret not in decoded[name], (secret, name)
    with zipfile.ZipFile(io.BytesIO(public.content)) as package:
        raw = package.read("word/document.xml")
    for secret in [*NEVER_PUBLIC, "A/2025/002"]:
        assert secret.encode("utf-8") not in raw, secret
    assert b"A/2025/001" in raw and b"A/2025/003" in raw  # the open items' actions are there
    assert NOTICE.encode("utf-8") in raw


def test_awkward_text_reads_back_exactly(internal, public):
    for minutes in (internal, public):
        assert AWKWARD in minutes.all_text()
        document_xml = minutes.xml_parts()["word/document.xml"]
        assert "£12,500 &amp; asked whether &lt;20 mph&gt;" in document_xml
        assert "“Fatal 4” campaign’s" in document_xml
        assert "🚓" in document_xml


# --- the next meeting of the series ---------------------------------------------------------


def carried_rows(minutes: Minutes) -> list[Row]:
    return minutes.block(OUTSTANDING)


def test_next_meeting_carries_forward_the_open_actions(built):
    hold_second_meeting(built)
    internal = built.api.minutes(built.second["id"], "internal")
    assert internal.document.paragraphs[0].text == f"{SERIES} November 2025 – Meeting Notes"
    title = internal.title_row(OUTSTANDING)
    assert title.number == "1"
    assert title.texts == [OUTSTANDING]  # not "None were discussed."
    rows = carried_rows(internal)
    joint, exempt, undated = rows
    # The internal edition marks the exempt action, which the public edition leaves out.
    assert exempt.texts[0] == "Exempt: not in the public edition."
    assert [r.texts[1] if r is exempt else r.texts[0] for r in rows] == [
        f"A/2025/001: {JOINT_ACTION}",
        f"A/2025/002: {EXEMPT_ACTION}",
        f"A/2025/003: {UNDATED_ACTION}",
    ]
    assert len(joint.texts) == 2
    assert re.fullmatch(rf"Latest update \(\d{{1,2}} \w+ \d{{4}}\): {re.escape(UPDATE_LATEST)}",
                        joint.texts[1]), joint.texts[1]
    assert joint.action[:3] == ["CC, NA", "A/2025/001", "Due 01/12/2025"]
    assert joint.action[3].startswith("RAG: ")  # the rating in words, not by colour alone
    assert exempt.texts[2].endswith(EXEMPT_UPDATE)
    assert undated.texts == [f"A/2025/003: {UNDATED_ACTION}"]  # no update yet
    assert undated.action == ["DCC", "A/2025/003", "No due date", "RAG: Amber"]
    text = internal.all_text()
    assert CLOSED_ACTION not in text and "A/2025/004" not in text
    assert UPDATE_EARLIER not in text  # only the latest update

    public = built.api.minutes(built.second["id"], "public")
    assert [r.texts for r in carried_rows(public)] == [joint.texts, undated.texts]
    for secret in (EXEMPT_ACTION, EXEMPT_UPDATE, "A/2025/002", CLOSED_ACTION, "A/2025/004"):
        for name, xml in public.xml_text().items():
            assert secret not in xml, (secret, name)
        assert secret not in public.xml_parts()["word/document.xml"], secret

    # The first meeting had nothing to carry forward, and still has not.
    first = built.api.minutes(built.first["id"], "internal")
    assert first.title_row(OUTSTANDING).texts == [OUTSTANDING, "None were discussed."]


def test_an_update_that_only_changes_the_status_is_still_an_update(built):
    """Asking for closure, or pausing an action, is news for the next meeting."""
    hold_second_meeting(built)
    api, action = built.api, built.action
    api.post(f"/actions/{action['joint']['id']}/updates", {"status": "pending_signoff"})
    paused = api.patch(f"/actions/{action['undated']['id']}", {"status": "paused"})
    assert paused["latest_update"]["text"] == "" and paused["latest_update"]["status_to"]
    joint, undated = carried_rows(built.api.minutes(built.second["id"], "public"))
    latest = r"Latest update \(\d{1,2} \w+ \d{4}\): "
    assert re.fullmatch(latest + r"Status changed to awaiting sign-off\.", joint.texts[-1])
    assert re.fullmatch(latest + r"Status changed to paused\.", undated.texts[-1])
    assert undated.action[-1] == "RAG: Amber"  # paused


# --- as printed ------------------------------------------------------------------------------


def test_public_edition_as_printed(public, tmp_path):
    pages = [page for page in pdf_pages(public.content, tmp_path) if page.strip()]
    flat = " ".join(" ".join(pages).split())
    assert f"{SERIES} October 2025 – Meeting Notes" in flat
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert all(page.count("OFFICIAL") >= 2 for page in pages)
    assert " ".join(NOTICE.split()) in flat
    assert "£12,500 & asked whether <20 mph>" in flat
    for secret in ("Hindlip disposal", "Quentin Marlowe", "A/2025/002", "district valuer"):
        assert secret not in flat
