"""API shapes: *Create and *Update come in, *Read goes out. Validation of form lives here."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
)

from app.models import (
    ActionStatus,
    AssuranceLevel,
    AttendanceStatus,
    EntryKind,
    ItemKind,
    ItemPurpose,
    MeetingStatus,
    QuestionSource,
    QuestionStatus,
    Rag,
    Recurrence,
    Screening,
    Side,
)
from app.services.dates import as_utc, check_date, to_london
from app.services.text import LINE_MAX, NAME_MAX, TEXT_MAX, clean_line, clean_text

MAX_ID = 2_147_483_647

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _line(min_length: int = 0) -> Callable[[str], str]:
    """Cleans one line of text, refusing it when shorter than `min_length`."""

    def check(value: str) -> str:
        value = clean_line(value)
        if len(value) < min_length:
            raise ValueError("must not be empty")
        return value

    return check


# One line of text of at most so many characters (the column's width); declared one by one
# as aliases, since a type checker cannot read a type made by calling a function.
Line: TypeAlias = Annotated[str, StringConstraints(max_length=LINE_MAX), AfterValidator(_line())]
Title: TypeAlias = Annotated[
    str, StringConstraints(max_length=LINE_MAX), AfterValidator(_line(min_length=1))
]
Name: TypeAlias = Annotated[
    str, StringConstraints(max_length=NAME_MAX), AfterValidator(_line(min_length=1))
]
Short: TypeAlias = Annotated[str, StringConstraints(max_length=20), AfterValidator(_line())]
Initials: TypeAlias = Annotated[
    str, StringConstraints(max_length=10), AfterValidator(_line(min_length=1))
]
Marking: TypeAlias = Annotated[
    str, StringConstraints(max_length=60), AfterValidator(_line(min_length=1))
]
Line200: TypeAlias = Annotated[str, StringConstraints(max_length=200), AfterValidator(_line())]
Line300: TypeAlias = Annotated[str, StringConstraints(max_length=300), AfterValidator(_line())]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX), AfterValidator(clean_text)]
RequiredText = Annotated[
    str,
    StringConstraints(max_length=TEXT_MAX),
    AfterValidator(clean_text),
    AfterValidator(lambda v: _non_blank(v)),
]
Email = Annotated[
    str,
    StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(clean_line),
]
# Times without an offset are London local time; responses give London time with its offset.
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(lambda v: _iso_only(v, datetime, "2019-04-30T10:00")),
    AfterValidator(as_utc),
    PlainSerializer(lambda d: to_london(d).isoformat(), return_type=str, when_used="json"),
]
Day = Annotated[
    date,
    BeforeValidator(lambda v: _iso_only(v, date, "2019-05-28")),
    AfterValidator(check_date),
]


def _iso_only(value, kind: type, example: str):
    # Numbers would be read as Unix timestamps; the API speaks ISO 8601 only.
    if isinstance(value, str | kind):
        return value
    raise ValueError(f"must be written in ISO 8601, like {example}")


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class In(BaseModel):
    """Bodies that come in: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- people -------------------------------------------------------------------------------


class PersonCreate(In):
    full_name: Name
    initials: Initials
    title: Short = ""
    role_title: Line200 = ""
    role_abbreviation: Short = ""
    side: Side = Side.opcc
    email: Email | None = None
    active: bool = True


class PersonUpdate(In):
    full_name: Name | None = None
    initials: Initials | None = None
    title: Short | None = None
    role_title: Line200 | None = None
    role_abbreviation: Short | None = None
    side: Side | None = None
    email: Email | None = None
    active: bool | None = None


class PersonRead(Out):
    id: int
    full_name: str
    initials: str
    title: str
    role_title: str
    role_abbreviation: str
    side: Side
    email: str | None
    active: bool


# --- meeting types and meetings -----------------------------------------------------------


Month = Annotated[int, Field(ge=1, le=12)]


class ScheduleFields(In):
    """How often a series meets (see app/services/recurrence.py)."""

    recurrence: Recurrence | None = None
    interval: Annotated[int, Field(ge=1, le=52)] | None = None
    weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    week_of_month: Annotated[int, Field(ge=-1, le=5)] | None = None
    day_of_month: Annotated[int, Field(ge=1, le=31)] | None = None
    start_time: Annotated[str, StringConstraints(pattern=r"^\d\d:\d\d$")] | None = None
    duration_minutes: Annotated[int, Field(ge=5, le=720)] | None = None
    skip_months: Annotated[list[Month], Field(max_length=11)] | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    public_question_days: Annotated[int, Field(ge=0, le=90)] | None = None


# How a series writes its minutes, agenda and question pack: a preset ("notes", "board",
# "panel") and the options that change it (app/services/minutes_format.py), checked there.
MinutesFormatIn = Annotated[dict[str, Any], Field(
    max_length=40,
    description='The minutes format: {"preset": "board", "naming": "role", ...}; the options '
                "left out take the preset's values.")]


class MeetingTypeCreate(ScheduleFields):
    name: Name
    default_venue: Line300 = ""
    default_chair_id: Id | None = None
    default_minute_taker_id: Id | None = None
    minutes_format: MinutesFormatIn | None = None


class MeetingTypeUpdate(ScheduleFields):
    name: Name | None = None
    default_venue: Line300 | None = None
    default_chair_id: Id | None = None
    default_minute_taker_id: Id | None = None
    minutes_format: MinutesFormatIn | None = None


class MeetingTypeRead(Out):
    id: int
    name: str
    default_venue: str
    recurrence: Recurrence
    interval: int
    weekday: int | None
    week_of_month: int | None
    day_of_month: int | None
    start_time: str
    duration_minutes: int
    skip_months: list[int]
    starts_on: date | None
    ends_on: date | None
    public_question_days: int
    default_chair_id: int | None = None
    default_minute_taker_id: int | None = None
    schedule: str  # in words: "Monthly on the last Tuesday at 10:00, no meeting in August"
    # Every option of the series' minutes format, the preset's values included.
    minutes_format: dict[str, Any] = Field(default_factory=dict)


class StandingItemIn(In):
    title: Title
    kind: ItemKind = ItemKind.other


class StandingItemRead(Out):
    title: str
    kind: ItemKind


class InviteeIn(In):
    person_id: Id
    capacity: Line300 = ""


class InviteeRead(Out):
    person_id: int
    full_name: str
    capacity: str


class MeetingCreate(In):
    meeting_type_id: Id
    starts_at: LocalDateTime
    ends_at: LocalDateTime | None = None
    venue: Line300 | None = None
    chair_id: Id | None = None
    minute_taker_id: Id | None = None
    status: MeetingStatus = MeetingStatus.planned
    marking: Marking | None = None
    next_meeting_id: Id | None = None


class MeetingUpdate(In):
    meeting_type_id: Id | None = None
    starts_at: LocalDateTime | None = None
    ends_at: LocalDateTime | None = None
    venue: Line300 | None = None
    chair_id: Id | None = None
    minute_taker_id: Id | None = None
    status: MeetingStatus | None = None
    marking: Marking | None = None
    next_meeting_id: Id | None = None


class MeetingRead(Out):
    id: int
    meeting_type_id: int
    meeting_type_name: str
    title: str
    starts_at: LocalDateTime
    ends_at: LocalDateTime | None
    venue: str
    chair_id: int | None
    minute_taker_id: int | None
    status: MeetingStatus
    marking: str
    next_meeting_id: int | None
    # The record's life: when the draft went to the chair, and when and where it was approved.
    submitted_at: LocalDateTime | None = None
    approved_at: LocalDateTime | None = None
    approved_at_meeting_id: int | None = None
    # Read from an old minutes document rather than minuted in Assure (issue 18).
    imported: bool = False
    created_at: LocalDateTime
    updated_at: LocalDateTime


class AttendanceIn(In):
    person_id: Id
    status: AttendanceStatus = AttendanceStatus.present
    capacity: Line300 | None = None
    # Status `substitute`: whom they came in place of. Status `in_attendance`: the agenda
    # items they came for (none: in attendance throughout). Left out (null): a row already
    # recorded keeps what it had, as with the capacity.
    substitute_for_id: Id | None = None
    item_ids: Annotated[list[Id], Field(max_length=100)] | None = None


class AttendanceRead(Out):
    person_id: int
    full_name: str
    status: AttendanceStatus
    capacity: str
    substitute_for_id: int | None = None
    item_ids: list[int] = []


# --- agenda and minutes -------------------------------------------------------------------


class ItemCreate(In):
    title: Title
    kind: ItemKind = ItemKind.theme
    parent_id: Id | None = None
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None
    presenter_id: Id | None = None
    purpose: ItemPurpose | None = None
    commission: Text = ""
    paper_due_on: Day | None = None
    exempt: bool = False
    exempt_reason: Line = ""


class ItemUpdate(In):
    title: Title | None = None
    kind: ItemKind | None = None
    parent_id: Id | None = None
    position: Annotated[int, Field(ge=1, le=10_000)] | None = None
    presenter_id: Id | None = None
    purpose: ItemPurpose | None = None
    commission: Text | None = None
    paper_due_on: Day | None = None
    exempt: bool | None = None
    exempt_reason: Line | None = None


ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# The browser tab a save comes from; kept on the revision (see MinuteEntryRevision.device).
Device = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
# The tab's count of its own saves (MinuteEntryRevision.device_seq).
DeviceSeq = Annotated[int, Field(ge=1, le=MAX_ID)]


class EntryCreate(In):
    kind: EntryKind = EntryKind.narrative
    text: Text = ""
    speaker_id: Id | None = None
    exempt: bool = False
    exempt_reason: Line = ""
    # Only for an assurance statement (kind "assurance"): what the Commissioner concluded.
    assurance_level: AssuranceLevel | None = None
    position: Annotated[int, Field(ge=1, le=100_000)] | None = None
    question_id: Id | None = None
    # Chosen by the client; sending the same creation again returns the entry made the first
    # time instead of a copy.
    client_id: ClientId | None = None
    device: Device | None = None
    device_seq: DeviceSeq | None = None


class EntryUpdate(In):
    version: Annotated[int, Field(ge=1, le=MAX_ID)]
    kind: EntryKind | None = None
    text: Text | None = None
    speaker_id: Id | None = None
    exempt: bool | None = None
    exempt_reason: Line | None = None
    # Only for an assurance statement; null takes the level away. A paragraph whose kind
    # changes away from "assurance" loses its level (the saved versions keep it).
    assurance_level: AssuranceLevel | None = None
    position: Annotated[int, Field(ge=1, le=100_000)] | None = None
    question_id: Id | None = None
    # The tab the save comes from: a save from an older version is accepted when every later
    # version came from this same tab (its own saves that landed after it was reloaded).
    device: Device | None = None
    # The tab's count of its saves: a save older than one the tab has had kept since is late.
    device_seq: DeviceSeq | None = None


class EntryRead(Out):
    id: int
    item_id: int
    position: int
    kind: EntryKind
    speaker_id: int | None
    question_id: int | None
    client_id: str | None
    text: str
    exempt: bool
    exempt_reason: str = ""
    assurance_level: AssuranceLevel | None = None
    version: int
    created_at: LocalDateTime
    updated_at: LocalDateTime


class AmendmentCreate(In):
    """An amendment to an entry of approved minutes: the reason, and what changes."""

    reason: Text = ""  # at most 2,000 characters (the service says so per field)
    text: Text | None = None
    exempt: bool | None = None
    exempt_reason: Line | None = None


class AmendmentRead(Out):
    id: int
    meeting_id: int
    entry_id: int
    reason: str
    original_text: str
    amended_text: str
    original_exempt: bool
    amended_exempt: bool
    entry_version: int
    amended_at: LocalDateTime
    amended_by_id: int | None


class RevisionRead(Out):
    entry_id: int
    version: int
    kind: EntryKind
    speaker_id: int | None
    text: str
    exempt: bool
    assurance_level: AssuranceLevel | None = None
    saved_at: LocalDateTime
    saved_by_id: int | None


class PaperRead(Out):
    id: int
    item_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_at: LocalDateTime
    due_on: date | None = None  # the paper's due date when it arrived
    days_late: int | None = None  # days after that date it arrived (0 on time)


class ItemRead(Out):
    id: int
    meeting_id: int
    parent_id: int | None
    position: int
    number: str
    title: str
    kind: ItemKind
    presenter_id: int | None
    purpose: ItemPurpose | None
    commission: str
    paper_due_on: date | None
    exempt: bool
    exempt_reason: str


# --- questions ----------------------------------------------------------------------------


class QuestionCreate(In):
    text: RequiredText
    theme: Line200 = ""
    asked_by_id: Id | None = None
    addressed_to_id: Id | None = None
    meeting_id: Id | None = None
    item_id: Id | None = None
    source: QuestionSource = QuestionSource.commissioner
    status: QuestionStatus = QuestionStatus.draft
    # For questions from the public:
    submitter_name: Line200 = ""
    submitted_at: LocalDateTime | None = None


class QuestionUpdate(In):
    text: RequiredText | None = None
    theme: Line200 | None = None
    asked_by_id: Id | None = None
    addressed_to_id: Id | None = None
    meeting_id: Id | None = None
    item_id: Id | None = None
    source: QuestionSource | None = None
    status: QuestionStatus | None = None
    submitter_name: Line200 | None = None
    screening: Screening | None = None
    screening_reason: Text | None = None


class AnswerCreate(In):
    respondent_id: Id | None = None
    text: RequiredText
    in_meeting: bool = True


class AnswerRead(Out):
    id: int
    question_id: int
    respondent_id: int | None
    entry_id: int | None
    text: str
    in_meeting: bool
    answered_at: LocalDateTime


class QuestionRead(Out):
    id: int
    text: str
    theme: str
    asked_by_id: int | None
    addressed_to_id: int | None
    meeting_id: int | None
    item_id: int | None
    source: QuestionSource
    status: QuestionStatus
    follow_up_action_id: int | None
    submitter_name: str
    submitted_at: LocalDateTime | None
    screening: Screening | None
    screening_reason: str
    answers: list[AnswerRead] = []
    created_at: LocalDateTime
    updated_at: LocalDateTime


# --- actions ------------------------------------------------------------------------------


class ActionCreate(In):
    text: Annotated[RequiredText, StringConstraints(max_length=10_000)]
    owner_ids: Annotated[list[Id], Field(min_length=1, max_length=20)]
    due_date: Day | None = None
    meeting_id: Id | None = None
    item_id: Id | None = None
    exempt: bool = False
    exempt_reason: Line = ""


class ActionEdit(In):
    text: Annotated[RequiredText, StringConstraints(max_length=10_000)] | None = None
    owner_ids: Annotated[list[Id], Field(min_length=1, max_length=20)] | None = None
    due_date: Day | None = None
    status: ActionStatus | None = None
    exempt: bool | None = None
    exempt_reason: Line | None = None


class ActionUpdateCreate(In):
    text: Text = ""
    status: ActionStatus | None = None


class ActionUpdateRead(Out):
    id: int
    action_id: int
    text: str
    status_from: ActionStatus | None
    status_to: ActionStatus | None
    author_user_id: int | None
    author_person_id: int | None
    created_at: LocalDateTime


class ActionRead(Out):
    id: int
    reference: str
    text: str
    owner_ids: list[int]
    due_date: date | None
    meeting_id: int | None
    item_id: int | None
    status: ActionStatus
    rag: Rag | None
    exempt: bool
    exempt_reason: str = ""
    closed_at: LocalDateTime | None
    closed_by_id: int | None
    latest_update: ActionUpdateRead | None = None
    created_at: LocalDateTime
    updated_at: LocalDateTime


# --- the whole meeting --------------------------------------------------------------------


class ItemDetail(ItemRead):
    entries: list[EntryRead] = []
    actions: list[ActionRead] = []
    children: list["ItemDetail"] = []


class MeetingDetail(MeetingRead):
    attendance: list[AttendanceRead] = []
    items: list[ItemDetail] = []


class ErrorRead(BaseModel):
    detail: str
    errors: dict[str, str] | None = None


class GeneratedRead(BaseModel):
    made: list[MeetingRead]
    already: int  # dates of the coming year that already had their meeting
