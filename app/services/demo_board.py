"""The demo's second series: an Accountability Board, whose minutes follow the board preset of
app/services/minutes_format.py (flat numbers, each item opening with its commission, presenter
and purpose, actions inline and in a summary, "Decision:" and "Assurance statement:").

Its one meeting, in March 2019, was held and its minutes approved. The content is invented for
the demo, in the manner of a Police, Fire and Crime Commissioner's accountability board; it is
not taken from any office's minutes. It shows what the reference notes have no example of: a
time range, commissions, presenters and purposes, questions with their answers, a decision, an
assurance statement with its level, a co-opted member named by title, a substitute, and someone
in attendance for one item only. Loaded through the services, after the reference meeting, so
the reference meeting keeps its ids and references (A/2019/001 stays the ANPR action)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlmodel import Session

from app.models import (
    AgendaItem,
    AssuranceLevel,
    AttendanceStatus,
    EntryKind,
    ItemKind,
    ItemPurpose,
    MeetingStatus,
    MeetingType,
    MinuteEntry,
    Person,
    QuestionSource,
    QuestionStatus,
    Recurrence,
    Side,
    utcnow,
)
from app.schemas import (
    ActionCreate,
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
    approval,
    entries,
    meetings,
    minutes_format,
    people,
    questions,
    schedule,
)
from app.services.permissions import Actor

SERIES = "Accountability Board"
VENUE = "Board Room, Police Headquarters"
STARTS_AT = datetime.fromisoformat("2019-03-19T14:00")
ENDS_AT = datetime.fromisoformat("2019-03-19T16:30")

# The people of the board not already in the demo: (key, full name, initials, title, role
# title, role abbreviation, side). The co-opted member and the superintendent have a title and
# no role abbreviation, so the minutes name them by title and surname ("Cllr Marsh").
BOARD_PEOPLE = [
    ("CEX", "Claire Whitfield", "CW", "", "Chief Executive", "CEX", Side.opcc),
    ("ACC", "Mark Ellis", "ME", "", "Assistant Chief Constable", "ACC", Side.force),
    ("COOPTED", "Helen Marsh", "HM", "Cllr", "Co-opted member of the Accountability Board", "",
     Side.other),
    ("CONTACT", "Priya Sandhu", "PS", "Supt", "Head of Force Contact", "", Side.force),
]


@dataclass
class BoardItem:
    """An item of the board's agenda and what was minuted under it."""

    title: str
    kind: ItemKind
    presenter: str | None = None
    purpose: ItemPurpose | None = None
    commission: str = ""
    # (speaker, kind, text, question key): a question paragraph opens the question of that
    # key, an answer paragraph answers it.
    paragraphs: tuple[tuple[str | None, EntryKind, str, str | None], ...] = ()
    # (text, owners, due date)
    actions: tuple[tuple[str, tuple[str, ...], date], ...] = ()


# The prepared questions: key -> (asked by, addressed to, source, theme, text).
BOARD_QUESTIONS = {
    "abandoned": ("PCC", "CONTACT", QuestionSource.commissioner, "999 and 101 calls",
                  "How many 101 callers give up before their call is answered, and does the "
                  "force know why they were calling?"),
    "access": ("COOPTED", "ACC", QuestionSource.panel, "999 and 101 calls",
               "Can people who cannot use the telephone, or whose first language is not "
               "English, reach the force as easily as other callers?"),
    "victims": ("PCC", "ACC", QuestionSource.commissioner, "Violence against women and girls",
                "How many victims of rape withdraw their support for a prosecution, and what "
                "is the force doing to keep them with the investigation?"),
    "custody": ("DPCC", "CC", QuestionSource.commissioner, "Estates",
                "Will the custody suite stay open while it is refurbished?"),
}

CALLS = BoardItem(
    title="999 and 101 call handling",
    kind=ItemKind.theme,
    presenter="CONTACT",
    purpose=ItemPurpose.assurance,
    commission=(
        "The Commissioner requires a report that sets out the force's performance in answering "
        "999 and 101 calls over the last twelve months against the national standard, explains "
        "the fall in 101 answering times since October, and sets out the plan, with milestones, "
        "to bring them back within the force's own target."),
    paragraphs=(
        ("CONTACT", EntryKind.narrative,
         "The Head of Force Contact introduced the report:\n"
         "- 92% of 999 calls were answered within 10 seconds in the twelve months to February, "
         "against the national standard of 90%.\n"
         "- The average wait for a 101 call rose from 2 minutes 40 seconds in September to 6 "
         "minutes 15 seconds in January, after the new telephone system went live with 14 call "
         "handler posts vacant.\n"
         "- 11 of the 14 posts were filled in January; the new call handlers will take calls "
         "on their own from May.", None),
        ("PCC", EntryKind.question,
         "The PCC asked how many 101 callers gave up before their call was answered, and "
         "whether the force knew why they had been calling.", "abandoned"),
        ("CONTACT", EntryKind.answer,
         "The Head of Force Contact replied that 18% of 101 calls were abandoned in January, "
         "against 9% a year before. Calling back a sample of them showed that most callers "
         "wanted an update on a crime they had already reported, which the online tracker "
         "being piloted in one policing area is meant to give them.", "abandoned"),
        ("COOPTED", EntryKind.question,
         "Cllr Marsh asked whether people who could not use the telephone, or whose first "
         "language was not English, could reach the force as easily as other callers.",
         "access"),
        ("ACC", EntryKind.answer,
         "The ACC replied that the text relay service and the emergency SMS service are "
         "answered by the same team as 999 calls, and that an interpreting service is "
         "available on every line; he accepted that neither is well known and undertook to "
         "review how they are publicised.", "access"),
        ("PCC", EntryKind.assurance,
         "The Commissioner was assured that 999 calls are answered promptly, but not yet that "
         "101 callers receive an acceptable service. He will look at 101 answering times again "
         "once the new call handlers have been taking calls for three months.", None),
    ),
    actions=(
        ("Send the Commissioner the 101 recovery plan, with monthly milestones for answering "
         "times and abandoned calls.", ("CONTACT",), date(2019, 4, 16)),
        ("Review how the text relay, emergency SMS and interpreting services are publicised, "
         "and report back to the Board.", ("ACC",), date(2019, 5, 21)),
    ),
)

VAWG = BoardItem(
    title="Violence against women and girls: delivery plan",
    kind=ItemKind.theme,
    presenter="ACC",
    purpose=ItemPurpose.information,
    commission=(
        "The Commissioner requires a report that sets out progress against the force's "
        "delivery plan for tackling violence against women and girls, including the charge "
        "rate for rape and the support given to victims throughout the investigation."),
    paragraphs=(
        ("ACC", EntryKind.narrative,
         "The ACC presented the report on behalf of the DCC. 23 of the plan's 31 actions are "
         "complete. The charge rate for rape rose from 4% to 6% over the year, and every "
         "victim is now offered an independent sexual violence adviser at the first contact.",
         None),
        ("PCC", EntryKind.question,
         "The PCC asked how many victims of rape withdrew their support for a prosecution, and "
         "what the force was doing to keep them with the investigation.", "victims"),
        ("ACC", EntryKind.answer,
         "The ACC replied that 41% of victims withdrew their support during the year, most "
         "often in the months waiting for a charging decision. A dedicated investigation team "
         "starts in June, and its officers will keep in touch with each victim at least every "
         "28 days.", "victims"),
        ("DPCC", EntryKind.narrative,
         "The DPCC welcomed the rise in the charge rate and asked that the Board sees the "
         "victims' own view of the service, not only the force's figures.", None),
    ),
    actions=(
        ("Bring the results of the victim satisfaction survey for rape and serious sexual "
         "offences to the Board in July.", ("ACC",), date(2019, 7, 16)),
    ),
)

CUSTODY = BoardItem(
    title="Custody suite refurbishment: business case",
    kind=ItemKind.theme,
    presenter="CEX",
    purpose=ItemPurpose.decision,
    commission=(
        "The Commissioner requires a business case that sets out the options for refurbishing "
        "the custody suite, with their costs and risks, and recommends one for decision."),
    paragraphs=(
        ("CEX", EntryKind.narrative,
         "The Chief Executive presented the business case. Of the three options, option 2, a "
         "phased refurbishment over 18 months, costs £1.4 million and keeps the suite open; "
         "option 3, a new building, costs £6.2 million and would not be ready before 2022.",
         None),
        ("DPCC", EntryKind.question,
         "The DPCC asked whether the custody suite would stay open while it was refurbished.",
         "custody"),
        ("CC", EntryKind.answer,
         "The CC confirmed that it would: the work is done one wing at a time, and detainees "
         "are taken to the neighbouring force's suite only if the open wing is full.",
         "custody"),
        ("PCC", EntryKind.decision,
         "The Commissioner approved option 2, the phased refurbishment of the custody suite, "
         "at a cost of up to £1.4 million from the 2019/20 capital programme.", None),
    ),
    actions=(
        ("Publish the Commissioner's decision notice on the website within five working "
         "days.", ("CEX",), date(2019, 3, 26)),
    ),
)

AGENDA = [
    BoardItem(
        title="Welcome and apologies", kind=ItemKind.other,
        paragraphs=((None, EntryKind.narrative,
                     "The PCC welcomed everyone to the meeting. Apologies were received from "
                     "the DCC; the ACC attended in her place.", None),)),
    BoardItem(
        title="Minutes of the last meeting", kind=ItemKind.previous_minutes,
        paragraphs=((None, EntryKind.narrative,
                     "The minutes of the meeting held on 22 January 2019 were agreed as an "
                     "accurate record.", None),)),
    BoardItem(title="Matters arising", kind=ItemKind.outstanding_matters),
    CALLS,
    VAWG,
    CUSTODY,
    BoardItem(title="Any other business", kind=ItemKind.aob),
    BoardItem(title="Date of next meeting", kind=ItemKind.next_meeting),
]

STANDING_ITEMS = [
    ("Welcome and apologies", ItemKind.other),
    ("Minutes of the last meeting", ItemKind.previous_minutes),
    ("Matters arising", ItemKind.outstanding_matters),
    ("Any other business", ItemKind.aob),
    ("Date of next meeting", ItemKind.next_meeting),
]


def load_board(session: Session, *, by: Actor, person: dict[str, Person],
               minute_taker: Person) -> int:
    """The Accountability Board series in the board format and its approved March 2019
    meeting; `person` holds the demo's people by role abbreviation. Returns the meeting's id."""
    person = dict(person)
    for key, name, initials, title, role_title, abbreviation, side in BOARD_PEOPLE:
        domain = "police.example" if side == Side.force else "opcc.example"
        person[key] = people.create_person(session, by=by, data=PersonCreate(
            full_name=name, initials=initials, title=title, role_title=role_title,
            role_abbreviation=abbreviation, side=side,
            email=f"{name.lower().replace(' ', '.')}@{domain}"))

    board = meetings.create_meeting_type(session, by=by, data=MeetingTypeCreate(
        name=SERIES, default_venue=VENUE, default_chair_id=person["PCC"].id,
        default_minute_taker_id=minute_taker.id))
    assert board.id is not None  # saved by create_meeting_type
    _use_board_format(session, board)
    meeting = meetings.create_meeting(session, by=by, data=MeetingCreate(
        meeting_type_id=board.id, starts_at=STARTS_AT, ends_at=ENDS_AT, venue=VENUE,
        chair_id=person["PCC"].id, minute_taker_id=minute_taker.id,
        status=MeetingStatus.planned))
    assert meeting.id is not None  # saved by create_meeting

    items: dict[str, AgendaItem] = {}
    for spec in AGENDA:
        items[spec.title] = agenda.create_item(session, meeting_id=meeting.id, by=by,
                                               data=ItemCreate(
            title=spec.title, kind=spec.kind,
            presenter_id=person[spec.presenter].id if spec.presenter else None,
            purpose=spec.purpose, commission=spec.commission))

    meetings.set_attendance(session, meeting_id=meeting.id, by=by, rows=[
        *(AttendanceIn(person_id=cast(int, person[key].id), status=AttendanceStatus.present)
          for key in ("PCC", "DPCC", "CEX", "CC", "COOPTED")),
        AttendanceIn(person_id=cast(int, person["ACC"].id), status=AttendanceStatus.substitute,
                     substitute_for_id=person["DCC"].id),
        AttendanceIn(person_id=cast(int, person["CONTACT"].id),
                     status=AttendanceStatus.in_attendance,
                     item_ids=[cast(int, items[CALLS.title].id)]),
        AttendanceIn(person_id=cast(int, person["DCC"].id), status=AttendanceStatus.apologies),
    ])

    prepared = {}
    for key, (asker, addressee, source, theme, text) in BOARD_QUESTIONS.items():
        item = next(i for i in (CALLS, VAWG, CUSTODY)
                    if any(p[3] == key for p in i.paragraphs))
        prepared[key] = questions.create_question(session, by=by, data=QuestionCreate(
            text=text, theme=theme, asked_by_id=person[asker].id,
            addressed_to_id=person[addressee].id, meeting_id=meeting.id,
            item_id=items[item.title].id, source=source, status=QuestionStatus.ready))

    meetings.start_meeting(session, meeting_id=meeting.id, by=by)
    for spec in AGENDA:
        item_id = cast(int, items[spec.title].id)  # saved by create_item
        for speaker, kind, text, question in spec.paragraphs:
            entry = entries.create_entry(session, item_id=item_id, by=by, data=EntryCreate(
                kind=kind, text=text, speaker_id=person[speaker].id if speaker else None,
                question_id=prepared[question].id if question else None))
            if kind == EntryKind.assurance:
                _conclude(session, entry, AssuranceLevel.partially_assured)
        for text, owners, due in spec.actions:
            actions.create_action(session, by=by, data=ActionCreate(
                text=text, owner_ids=[cast(int, person[o].id) for o in owners], due_date=due,
                meeting_id=meeting.id, item_id=item_id))
    meetings.close_meeting(session, meeting_id=meeting.id, by=by)
    approval.submit_to_chair(session, meeting_id=meeting.id, by=by)
    approval.approve_by_chair(session, meeting_id=meeting.id, by=by)

    # The schedule and usual attendees, for the meetings still to be made: every other month
    # on the third Tuesday at 14:00.
    meetings.update_meeting_type(session, meeting_type_id=board.id, by=by,
                                 data=MeetingTypeUpdate(
                                     recurrence=Recurrence.monthly, interval=2, weekday=1,
                                     week_of_month=3, start_time="14:00", duration_minutes=150,
                                     starts_on=date(2019, 1, 1)))
    schedule.set_standing_items(session, meeting_type_id=board.id, by=by, items=[
        schedule.StandingItem(title, kind) for title, kind in STANDING_ITEMS])
    schedule.set_series_attendees(session, meeting_type_id=board.id, by=by, invitees=[
        schedule.Invitee(cast(int, person[key].id))
        for key in ("PCC", "DPCC", "CEX", "CC", "DCC", "COOPTED")])
    return meeting.id


def _use_board_format(session: Session, series: MeetingType) -> None:
    # No service sets a series' format yet (the series page will); the demo stores the preset
    # as that page would.
    series.minutes_format = minutes_format.dump(
        minutes_format.PRESETS[minutes_format.Preset.board])
    series.updated_at = utcnow()
    session.add(series)
    session.flush()


def _conclude(session: Session, entry: MinuteEntry, level: AssuranceLevel) -> None:
    # The take-minutes page will record the level with the paragraph; until the entry service
    # takes it, the demo sets it on the paragraph it has just made.
    entry.assurance_level = level.value
    session.add(entry)
    session.flush()
