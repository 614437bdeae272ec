"""The demo: the April 2019 Monthly Assurance Meeting of the West Mercia OPCC, its people and
its next meeting, from the published notes in ../shared/seeds/; and a second series, an
Accountability Board in the board format of the minutes (app/services/demo_board.py). Loaded
through the same services as everything else, so the demo obeys every rule of the record."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeAlias, cast

from sqlmodel import Session, func, select

from app.models import (
    AttendanceStatus,
    EntryKind,
    ItemKind,
    Meeting,
    MeetingStatus,
    QuestionStatus,
    Recurrence,
    Role,
    Side,
)
from app.schemas import (
    ActionCreate,
    AnswerCreate,
    AttendanceIn,
    EntryCreate,
    ItemCreate,
    MeetingCreate,
    MeetingTypeCreate,
    MeetingTypeUpdate,
    PersonCreate,
    QuestionCreate,
)
from app.services import (
    actions,
    agenda,
    demo_board,
    entries,
    identity,
    inspections,
    meetings,
    people,
    questions,
    schedule,
)
from app.services.dates import today
from app.services.inspection_import import parse_report
from app.services.office import OfficeChanges, update_office
from app.services.permissions import Actor

PEOPLE = {
    "PCC": ("John Campion", "JC", "Police and Crime Commissioner", Side.opcc),
    "DPCC": ("Tracey Onslow", "TO", "Deputy Police and Crime Commissioner", Side.opcc),
    "CC": ("Anthony Bangham", "AB", "Chief Constable", Side.force),
    "DCC": ("Amanda Blakeman", "AB", "Deputy Chief Constable", Side.force),
}
MINUTE_TAKER = ("Jackie Irvin", "JI", "Policy Officer")
ADMIN_EMAIL = "jackie.irvin@opcc.example"


def _demo_email(name: str, side: Side) -> str:
    # Addresses at example domains, which never deliver: `assure reminders send` writes the
    # demo's action emails to the outbox folder for a first-time user to read.
    domain = "police.example" if side == Side.force else "opcc.example"
    return f"{name.lower().replace(' ', '.')}@{domain}"

# (speaker, kind, text, question) where question is (asked of, question text, answer by,
# answer text) for the paragraphs that record one of the Commissioner's questions.
Paragraph: TypeAlias = tuple[str | None, EntryKind, str, tuple[str, str, str, str] | None]
PARTNERSHIP_WORKING: list[Paragraph] = [
    ("PCC", EntryKind.question,
     "The PCC asked the CC if he was satisfied that regional collaboration is effective. The "
     "CC responded that campaigns are national, but delivered regionally, although there is "
     "also the opportunity to have regional specific campaigns. National campaigns are not "
     "mandatory and forces do not always take part.",
     ("CC", "Is the CC satisfied that regional collaboration on roads policing is effective?",
      "CC", "Campaigns are national, but delivered regionally, although there is also the "
      "opportunity to have regional specific campaigns. National campaigns are not mandatory "
      "and forces do not always take part.")),
    (None, EntryKind.narrative,
     "West Mercia is proactive in delivering campaigns, working regionally and is well "
     "represented at the regional level, however there isn't a consistent approach to roads "
     "policing across the region. West Mercia is one of a small number of forces across the "
     "country that has roads policing as a force priority.", None),
    ("PCC", EntryKind.narrative,
     "The PCC commented that although social media is seen as being well utilised, Twitter in "
     "particular is not an engagement tool, whereas Facebook is more outward facing, however "
     "the last Facebook post by the Safer Roads Partnership (SRP) had been December 2017. The "
     "CC agreed that the majority of police Twitter feeds are internal 'chat' and the force "
     "needs to look wider. Corporate Communications and Safer Neighbourhood Teams (SNTs) need "
     "to be actively involved in communications around roads policing, not just OPU. It was "
     "discussed that the central comms, local comms and the SRP are not connected "
     "effectively, but that there are pockets of good practise.", None),
    ("PCC", EntryKind.narrative,
     "The PCC commented that there is a disconnect between the SRP and local policing in "
     "particular, with neither seeing SRP as a core part of the force and asked for "
     "reassurance that any changes arising from the alliance negotiations would be used to "
     "change this. The CC responded that historically the SRP had been a partnership separate "
     "to the force but was now an internal unit within Force Operations. It needs to be "
     "refocused and rebadged with Force Ops, the SRP and local policing working more closely "
     "together on initiatives and communications.", None),
    ("PCC", EntryKind.question,
     "The PCC said that he had seen ANPR in action out in the policing areas and that it was "
     "great to see it used, but questioned when the force would be connected to the National "
     "ANPR (NAS) system. The DCC replied that this formed part of a wider four year force ICT "
     "improvement programme, and that the benefits of NAS are expected in around year two.",
     ("CC", "When will the force be connected to the National ANPR System (NAS)?",
      "DCC", "This forms part of a wider four year force ICT improvement programme; the "
      "benefits of NAS are expected in around year two.")),
    ("PCC", EntryKind.question,
     "The PCC said that Op SNAP seems to be a successful initiative run by OPU, and asked if "
     "it was having an impact on driver behaviour. The CC said yes it does appear to change "
     "driver behaviour as it gives people who have a dash cam the opportunity to submit "
     "footage of bad driving to the force and makes drivers more conscious that they may be "
     "filmed.",
     ("CC", "Is Op SNAP having an impact on driver behaviour?",
      "CC", "Yes, it does appear to change driver behaviour: people with a dash cam can "
      "submit footage of bad driving to the force, and drivers are more conscious that they "
      "may be filmed.")),
    ("PCC", EntryKind.narrative,
     "The PCC commented that there has been a major investment in ANPR, less so SNAP and "
     "asked if there are mechanisms in place for evaluation. The CC and DCC responded:\n"
     "• OP SNAP is being looked at centrally on a national level. The pilot findings and "
     "general view is that it is successful, but that it needs more targeted activity. "
     "Single online Home can support SNAP and ways of migrating it across are being looked "
     "at.\n"
     "• There was a business case for the force investment in ANPR which will have had "
     "success criteria within it. National work shows that ANPR receives millions of hits "
     "which don't provide useful intelligence. Predictive analysis is being looked at as a "
     "way of making it more targeted. Locally, ANPR is used through tasking for targeted "
     "operations.", None),
    ("PCC", EntryKind.narrative,
     "The PCC commented that the SRP is cost neutral and the work it does is good, but that "
     "it appears almost to be at arm's length from the CC and asked for reassurance that the "
     "resources available in the SRP are fully understood and utilised by the wider "
     "workforce. The CC responded that it is understood what the SRP does, but not what it "
     "can do. This is partly as legacy issue from when it was a true partnership and the "
     "police were only one of the many agencies involved. Over time it has become part of "
     "the force, but is not seen as an integrated part of the force.", None),
    ("PCC", EntryKind.narrative,
     "The PCC suggested that the public face of the SRP is not as warm and friendly as SNTs; "
     "it is very much seen as an enforcement body and asked what could be done to change "
     "this. The CC replied that this is why the local policing road safety groups were set "
     "up with the SNTs leading and the SRP there to support, but that overtime the SRP had "
     "taken the lead. The two ACC's need to work together to ensure there are changes and "
     "that the force governance group will provide a forum to bring together the wider "
     "management teams together to be accountable.", None),
]

PERFORMANCE: list[Paragraph] = [
    ("PCC", EntryKind.narrative,
     "The PCC commented that much of the roads related correspondence received into his "
     "office is centred on the anti-social nature of it and asked if the CC is confident that "
     "there is enough understanding in SNTs to pay their role in problem solving to address "
     "this. The CC replied that now road safety is a force priority there is a real "
     "opportunity to provide a whole system approach. Some SNTs really get the role and "
     "opportunity they have, but sergeants and inspectors need to be discussing it more.",
     None),
    ("PCC", EntryKind.narrative,
     "The PCC said that of the £30k Superintendent's fund and the LPCAF fund provided by him, "
     "there are few local requests for roads related initiatives. The CC agreed that this was "
     "the case and that all people of all ranks are responsible as it is a force priority. "
     "The long term trend for killed and seriously injured (KSIs) on roads had plateaued, but "
     "is now showing a small uplift and people need to think wider than just speed "
     "enforcement.", None),
    ("PCC", EntryKind.narrative,
     "The PCC commented that the move from CMPG has been seen as a positive but with the core "
     "of the former CMPG officers based in Bromsgrove, he queried whether there is a "
     "consistent approach and appropriate resources for roads policing across West Mercia. "
     "The CC acknowledged that the resources were too focused and this needed to be "
     "addressed.", None),
    ("PCC", EntryKind.narrative,
     "The PCC said he understood that road performance analysis is to be centralised and "
     "asked for assurance that the analyst expertise in the SRP will not be lost as a result. "
     "The DCC commented that force performance sits with her and that there was no plan for "
     "this, the central team and SRP should be working in an integrated way.", None),
    ("CC", EntryKind.narrative,
     "The CC explained that CRASH was a system for submitting collision data into central "
     "government and is designed to work with Athena and alternative systems. All force will "
     "be moving to use it.", None),
    ("PCC", EntryKind.narrative,
     "The PCC commented that there seemed to be a lot of positive activity around roads "
     "policing but that the KSI data did show an increase following a long plateau and asked "
     "if the CC is content with the activity. The CC responded that there are still a high "
     "number of KSIs and he was not convinced that the police and partners are doing enough "
     "to tackle it. It is a force priority, but its importance needs to be better understood "
     "by all including the public.", None),
    ("PCC", EntryKind.narrative,
     "The PCC said he was pleased to see the collaboration around fast roads training with "
     "Hereford and Worcester Fire and Rescue and asked if there are other opportunities to "
     "develop training with other partners. The CC said this was an example of good shared "
     "training but that there was an opportunity to do lots more.", None),
    ("PCC", EntryKind.narrative,
     "The PCC asked the CC for reassurance that those responsible for local roads policing "
     "are effectively tackling serious travelling criminality. The CC replied that leaving "
     "CMPG had had a good impact in Worcestershire, less so in the north and west of the "
     "force.", None),
]

WORKFORCE: list[Paragraph] = [
    ("PCC", EntryKind.question,
     "The PCC asked the CC to provide an update around the work being undertaken to reach "
     "full establishment in roads policing. The CC responded that he was happy with the "
     "resource levels, but that ongoing checks and monitoring will be required.",
     ("CC", "What work is being undertaken to reach full establishment in roads policing?",
      "CC", "The CC is happy with the resource levels, but ongoing checks and monitoring "
      "will be required.")),
    ("PCC", EntryKind.narrative,
     "The PCC commented that the Collision Investigation Unit (CIU) are a small team, working "
     "across a large area on a 24/7 basis and asked if there was a safe system of working in "
     "place for them to ensure their health and wellbeing is protected. The DCC responded "
     "that it is considered and that duty inspectors should have regard to demand. It is "
     "also important that the staff in the CIU feel supported and are able to say when they "
     "aren't able to do what is being asked of them. The CC added that the CIU model is a "
     "national issue.", None),
]

ANPR_ACTION = (
    "The DCC to review the success criteria in the ANPR business case to see if they have "
    "been achieved."
)


@dataclass
class DemoResult:
    meeting_id: int
    next_meeting_id: int
    admin_email: str
    admin_password: str
    board_meeting_id: int  # the Accountability Board's meeting, in the board format


# The recommendations and areas for improvement of HMICFRS's roads policing inspection (2020),
# read by the importer as an uploaded report would be. Published 20 days before the demo is
# loaded, so the s55 countdown shows; a few findings have owners, due dates and statuses, so
# the findings dashboard and its chart have something to count.
ROADS_INSPECTION = Path(__file__).parent / "demo_data" / "roads-policing-inspection.txt"
ROADS_PUBLISHED_DAYS_AGO = 20
# (number or the first words of the text, owner, due in days from today, force's status,
# Commissioner's assessment, evidence)
ROADS_PROGRESS = [
    ("4", "DCC", 30, "in_progress", "partly_satisfied",
     "Roads policing is in the draft strategic threat and risk assessment seen at the "
     "Performance meeting; the final version is due next month."),
    ("8", "DCC", -7, "not_started", "not_satisfied",
     "No evidence yet that the safety camera partnership follows Circular 1/2007."),
    ("12", "CC", 60, "complete", "satisfied",
     "Welfare support for family liaison officers confirmed by the Chief Constable in writing."),
    ("Force-level support", "DCC", None, "superseded", "not_assessed", ""),
]


def _load_inspection(session: Session, by: Actor, person: dict) -> None:
    """The roads policing inspection in the register, through the importer and the register's
    own services, with some progress recorded against its findings."""
    report = parse_report(ROADS_INSPECTION.read_text(encoding="utf-8"))
    inspection = inspections.save_import(session, inspections.ReviewedReport(
        title=report.title or "Roads policing inspection", force="West Mercia Police",
        kind="Thematic", published_on=today() - timedelta(days=ROADS_PUBLISHED_DAYS_AGO),
        theme="Roads policing", judgments=report.judgments,
        findings=[inspections.ReviewedFinding(
            kind=f.kind, text=f.text, number=f.number or "", addressee=f.addressee or "",
            deadline_text=f.deadline or "", area=f.area or "") for f in report.findings],
    ), by=by)
    assert inspection.id is not None  # saved by the import
    findings = inspections.findings_of(session, inspection.id)
    for key, owner, due_in, status, assessment, evidence in ROADS_PROGRESS:
        finding = next(f for f in findings if f.number == key or f.text.startswith(key))
        assert finding.id is not None  # loaded from the database
        inspections.update_finding(session, inspection.id, finding.id, inspections.FindingChange(
            owner_id=person[owner].id,
            due_date=today() + timedelta(days=due_in) if due_in is not None else None,
            force_status=status, opcc_status=assessment, opcc_evidence=evidence), by=by)


def has_data(session: Session) -> bool:
    """Whether the database already holds meetings."""
    return session.exec(select(func.count()).select_from(Meeting)).one() > 0


def _london(text: str) -> datetime:
    return datetime.fromisoformat(text)


def load_demo(session: Session) -> DemoResult:
    """Load the reference meeting, its people and its next meeting, and the Accountability
    Board's meeting; return the admin's login."""
    by = Actor.system(label="demo loader")
    update_office(session, by=by, changes=OfficeChanges(
        office_name="Office of the Police and Crime Commissioner for West Mercia",
        office_short_name="OPCC", force_name="West Mercia Police"))

    person = {}
    for abbreviation, (name, initials, title, side) in PEOPLE.items():
        person[abbreviation] = people.create_person(session, by=by, data=PersonCreate(
            full_name=name, initials=initials, role_title=title,
            role_abbreviation=abbreviation, side=side, email=_demo_email(name, side)))
    taker_name, taker_initials, taker_title = MINUTE_TAKER
    taker = people.create_person(session, by=by, data=PersonCreate(
        full_name=taker_name, initials=taker_initials, role_title=taker_title,
        side=Side.opcc, email=ADMIN_EMAIL))

    monthly = meetings.create_meeting_type(session, by=by, data=MeetingTypeCreate(
        name="Monthly Assurance Meeting", default_venue="Meeting Room 1.38 Hindlip"))
    performance = meetings.create_meeting_type(session, by=by, data=MeetingTypeCreate(
        name="Performance", default_venue="Room 1.38"))
    following = meetings.create_meeting(session, by=by, data=MeetingCreate(
        meeting_type_id=performance.id, starts_at=_london("2019-05-28T10:00"),
        ends_at=_london("2019-05-28T12:00"), chair_id=person["PCC"].id,
        minute_taker_id=taker.id))
    meeting = meetings.create_meeting(session, by=by, data=MeetingCreate(
        meeting_type_id=monthly.id, starts_at=_london("2019-04-30T10:00"),
        ends_at=_london("2019-04-30T12:00"), chair_id=person["PCC"].id,
        minute_taker_id=taker.id, next_meeting_id=following.id, status=MeetingStatus.planned))
    assert meeting.id is not None and following.id is not None  # saved by create_meeting
    assert monthly.id is not None  # saved by create_meeting_type
    meetings.set_attendance(session, meeting_id=meeting.id, by=by, rows=[
        AttendanceIn(person_id=person[a].id, status=AttendanceStatus.present)
        for a in ("PCC", "DPCC", "CC", "DCC")
    ])

    def item(title, kind, parent=None):
        return agenda.create_item(session, meeting_id=meeting.id, by=by, data=ItemCreate(
            title=title, kind=kind, parent_id=parent.id if parent else None))

    item("Outstanding matters / items brought forward", ItemKind.outstanding_matters)
    holding = item("Holding to account", ItemKind.holding_to_account)
    roads = item("Roads Policing", ItemKind.theme, holding)
    themes = [
        (item("Partnership Working", ItemKind.theme, roads), PARTNERSHIP_WORKING),
        (item("Performance", ItemKind.theme, roads), PERFORMANCE),
        (item("Workforce", ItemKind.theme, roads), WORKFORCE),
    ]
    item("HMICFRS inspection programme / Matters arising from the Service Improvement Board "
         "(SIB)", ItemKind.hmicfrs, holding)
    item("AOB", ItemKind.aob)
    item("Confirmation of next meeting type / date / time / venue:", ItemKind.next_meeting)

    for theme, paragraphs in themes:
        for speaker, kind, text, asked in paragraphs:
            question_id = None
            if asked is not None:
                addressee, question_text, respondent, answer_text = asked
                question = questions.create_question(session, by=by, data=QuestionCreate(
                    text=question_text, theme="Roads policing", asked_by_id=person["PCC"].id,
                    addressed_to_id=person[addressee].id, meeting_id=meeting.id,
                    item_id=theme.id, status=QuestionStatus.asked))
                assert question.id is not None  # saved by create_question
                questions.answer_question(session, question_id=question.id, by=by,
                                          data=AnswerCreate(respondent_id=person[respondent].id,
                                                            text=answer_text, in_meeting=True))
                question_id = question.id
            entries.create_entry(session, item_id=theme.id, by=by, data=EntryCreate(
                kind=kind, text=text, speaker_id=person[speaker].id if speaker else None,
                question_id=question_id))
        if paragraphs is PARTNERSHIP_WORKING:
            actions.create_action(session, by=by, data=ActionCreate(
                text=ANPR_ACTION, owner_ids=[person["DCC"].id], due_date=date(2019, 5, 28),
                meeting_id=meeting.id, item_id=theme.id))

    # The series' schedule, standing items and invitees, for the meetings still to be made
    # (set after the two meetings above, which have their own agendas).
    meetings.update_meeting_type(session, meeting_type_id=monthly.id, by=by,
                                 data=MeetingTypeUpdate(
                                     recurrence=Recurrence.monthly, interval=1, weekday=1,
                                     week_of_month=-1, start_time="10:00", skip_months=[8],
                                     starts_on=date(2019, 1, 1)))
    schedule.set_standing_items(session, meeting_type_id=monthly.id, by=by, items=[
        schedule.StandingItem(title, kind) for title, kind in (
            ("Apologies", ItemKind.other),
            ("Minutes of the last meeting", ItemKind.previous_minutes),
            ("Outstanding matters / items brought forward", ItemKind.outstanding_matters),
            ("Holding to account", ItemKind.holding_to_account),
            ("HMICFRS inspection programme", ItemKind.hmicfrs),
            ("AOB", ItemKind.aob),
            ("Confirmation of next meeting type / date / time / venue:", ItemKind.next_meeting),
        )])
    schedule.set_series_attendees(session, meeting_type_id=monthly.id, by=by, invitees=[
        schedule.Invitee(cast(int, person[a].id))  # saved by create_person
        for a in ("PCC", "DPCC", "CC", "DCC")])

    # The meeting has been held; its notes are a draft awaiting the Commissioner's approval.
    meetings.start_meeting(session, meeting_id=meeting.id, by=by)
    meetings.close_meeting(session, meeting_id=meeting.id, by=by)

    _load_inspection(session, by, person)
    # Last, so that the reference meeting's ids and references are as they always were.
    board_meeting_id = demo_board.load_board(session, by=by, person=person, minute_taker=taker)

    password = identity.generate_password()
    identity.create_user(session, email=ADMIN_EMAIL, role=Role.admin, password=password,
                         person_id=taker.id, by=by)
    return DemoResult(meeting_id=meeting.id, next_meeting_id=following.id,
                      admin_email=ADMIN_EMAIL, admin_password=password,
                      board_meeting_id=board_meeting_id)
