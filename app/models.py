"""Tables. Enum values are stored as readable strings; times are stored in UTC."""

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _ts(nullable: bool = False, **kw) -> Column:
    return Column(UTCDateTime(), nullable=nullable, **kw)


def _fk(target: str, nullable: bool = True, ondelete: str | None = None, index=True) -> Column:
    return Column(
        Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
    )


# --- enumerations -------------------------------------------------------------------------


class Side(StrEnum):
    opcc = "opcc"
    force = "force"
    other = "other"


class Role(StrEnum):
    admin = "admin"
    chair = "chair"
    secretariat = "secretariat"
    force = "force"
    viewer = "viewer"


class MeetingStatus(StrEnum):
    planned = "planned"
    agenda_issued = "agenda_issued"
    in_progress = "in_progress"
    draft = "draft"
    approved = "approved"
    published = "published"
    cancelled = "cancelled"


# A meeting still to come: planned, or its agenda issued (not started, closed or cancelled).
NOT_YET_HELD = (MeetingStatus.planned, MeetingStatus.agenda_issued)


class AttendanceStatus(StrEnum):
    expected = "expected"  # invited, before the meeting is held
    present = "present"
    apologies = "apologies"
    absent = "absent"
    substitute = "substitute"  # came in place of someone (Attendance.substitute_for_id)
    in_attendance = "in_attendance"  # came for some items only (Attendance.item_ids)


class ItemKind(StrEnum):
    outstanding_matters = "outstanding_matters"
    previous_minutes = "previous_minutes"
    holding_to_account = "holding_to_account"
    theme = "theme"
    hmicfrs = "hmicfrs"
    aob = "aob"
    next_meeting = "next_meeting"
    other = "other"


class ItemPurpose(StrEnum):
    information = "information"
    decision = "decision"
    assurance = "assurance"


class EntryKind(StrEnum):
    narrative = "narrative"
    question = "question"
    answer = "answer"
    decision = "decision"
    assurance = "assurance"


class AssuranceLevel(StrEnum):
    """What the Commissioner concluded on an item (an assurance paragraph's level)."""

    assured = "assured"
    partially_assured = "partially_assured"
    not_assured = "not_assured"


class QuestionStatus(StrEnum):
    draft = "draft"
    ready = "ready"
    sent = "sent"
    asked = "asked"
    answered = "answered"
    answered_in_writing = "answered_in_writing"
    carried_forward = "carried_forward"
    withdrawn = "withdrawn"


class QuestionSource(StrEnum):
    commissioner = "commissioner"
    public = "public"
    panel = "panel"
    inspection = "inspection"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    pending_signoff = "pending_signoff"
    closed = "closed"
    paused = "paused"


class Recurrence(StrEnum):
    none = "none"
    weekly = "weekly"  # every `interval` weeks on `weekday`
    monthly = "monthly"  # every `interval` months (3: quarterly) on a weekday or a day


class Screening(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class Rag(StrEnum):
    red = "red"
    amber = "amber"
    green = "green"


# --- tables -------------------------------------------------------------------------------


class OfficeSettings(SQLModel, table=True):
    """The one row that describes the office using this installation."""

    __tablename__ = "office_settings"

    id: int | None = Field(default=None, primary_key=True)
    office_name: str = Field(
        default="Office of the Police and Crime Commissioner", sa_type=String(300)
    )
    office_short_name: str = Field(default="OPCC", sa_type=String(40))
    force_name: str = Field(default="", sa_type=String(300))
    default_marking: str = Field(default="OFFICIAL", sa_type=String(60))
    action_reference_format: str = Field(default="A/{year}/{seq:03d}", sa_type=String(80))
    decision_reference_format: str = Field(default="D/{year}/{seq:03d}", sa_type=String(80))
    publish_within_days: int = Field(default=20)
    reminder_days_before: int = Field(default=7)  # remind owners this many days before due
    owner_link_days: int = Field(default=14)  # how long an owner's emailed link works
    digest_weekday: int = Field(default=0)  # the weekly digest goes on this day (0 Monday)
    # A member of the public's name, email and address, kept with their question this many
    # days after it was sent, then erased (app/services/public_questions.py).
    public_question_retention_days: int = Field(default=365)
    # How the public reaches the office (the accessibility statement, the public meeting
    # pages); "" when not given.
    contact_email: str = Field(default="", sa_type=String(320))
    contact_phone: str = Field(default="", sa_type=String(40))
    contact_address: str = Field(default="", sa_type=String(300))
    # The accessibility statement's dates: first prepared, and last reviewed by the office.
    accessibility_prepared_on: date | None = Field(default=None)
    accessibility_reviewed_on: date | None = Field(default=None)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class WordTemplate(SQLModel, table=True):
    """The office's own Word template, which every generated document starts from (its
    styles, fonts, page set-up and header logo). At most one row; none: the built-in one."""

    __tablename__ = "word_template"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(sa_type=String(255))
    size_bytes: int
    sha256: str = Field(sa_type=String(64))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    uploaded_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))


class Person(SQLModel, table=True):
    __tablename__ = "person"
    # The people list's keyset order (name, then id): migration 0028.
    __table_args__ = (Index("ix_person_full_name_id", "full_name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(sa_type=String(200))
    initials: str = Field(sa_type=String(10))
    # How the person is addressed by name ("Cllr", "Mrs", "Dr"): the minutes call someone
    # without a role abbreviation "Cllr Jones" rather than by their initials.
    title: str = Field(default="", sa_type=String(20))
    role_title: str = Field(default="", sa_type=String(200))
    role_abbreviation: str = Field(default="", sa_type=String(20))
    side: str = Field(default=Side.opcc, sa_type=String(10))
    email: str | None = Field(default=None, sa_type=String(320))
    active: bool = Field(default=True)
    # Part of the calendar feed link's token: a new value (rotating the link) stops the old
    # link at once; "" is the link made before links could be rotated.
    calendar_secret: str = Field(default="", sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class User(SQLModel, table=True):
    """A person who can sign in. (`user` is a reserved word in PostgreSQL.)"""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(320), unique=True)
    person_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    role: str = Field(sa_type=String(20))
    password_hash: str | None = Field(default=None, sa_type=String(200))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_sign_in_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # The TOTP second factor: the secret encrypted with the installation's key (never in
    # clear at rest), when it was confirmed, and the last time step used (to refuse replays).
    totp_secret: str | None = Field(default=None, sa_type=String(300))
    totp_enabled_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    totp_last_step: int | None = Field(default=None, sa_type=BigInteger)


class Invitation(SQLModel, table=True):
    """An emailed one-time link for a new user to set their password. Only a digest of its
    secret is kept; it works once, until it expires, and ends when the user is deactivated."""

    __tablename__ = "invitation"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("user_account.id", nullable=False, ondelete="CASCADE"))
    token_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the TOTP code; only a salted, slow hash of it is kept
    (codes made before that are a plain SHA-256 digest, and keep working until used)."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("user_account.id", nullable=False, ondelete="CASCADE"))
    code_hash: str = Field(sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class SignInAttempt(SQLModel, table=True):
    """One try at a password, kept in the database so the rate limit holds across processes."""

    __tablename__ = "sign_in_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(320), index=True)
    address: str = Field(default="", sa_type=String(64), index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    succeeded: bool = Field(default=False)


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 digest is kept. It works until it expires or is
    revoked."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("user_account.id", nullable=False, ondelete="CASCADE"))
    token_hash: str = Field(sa_type=String(64), unique=True)
    name: str = Field(default="", sa_type=String(100))  # what it is for: "Power BI report"
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class WebSession(SQLModel, table=True):
    """A signed-in browser; kept in the database so any app process can serve it."""

    __tablename__ = "web_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    user_id: int = Field(sa_column=_fk("user_account.id", nullable=False, ondelete="CASCADE"))
    csrf_token: str = Field(sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # True between a right password and the TOTP code: such a session opens no page.
    second_factor_pending: bool = Field(default=False)
    address: str = Field(default="", sa_type=String(64))
    user_agent: str = Field(default="", sa_type=String(300))


class MeetingType(SQLModel, table=True):
    """A series of meetings ("Monthly Assurance Meeting") and how often it meets."""

    __tablename__ = "meeting_type"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200))
    default_venue: str = Field(default="", sa_type=String(300))
    # The schedule: see app/services/recurrence.py for what each field means.
    recurrence: str = Field(default=Recurrence.none, sa_type=String(20))
    interval: int = Field(default=1)
    weekday: int | None = Field(default=None)  # 0 Monday … 6 Sunday
    week_of_month: int | None = Field(default=None)  # 1–5, or -1 for the last
    day_of_month: int | None = Field(default=None)  # 1–31, instead of a weekday
    start_time: str = Field(default="10:00", sa_type=String(5))  # London wall-clock "HH:MM"
    duration_minutes: int = Field(default=120)
    skip_months: str = Field(default="", sa_type=String(40))  # "8" or "8,12"
    starts_on: date | None = Field(default=None)
    ends_on: date | None = Field(default=None)
    public_question_days: int = Field(default=10)  # public questions close this many days before
    # Who chairs and who takes the minutes of the meetings the schedule makes, unless changed.
    default_chair_id: int | None = Field(default=None, sa_column=_fk("person.id", index=False))
    default_minute_taker_id: int | None = Field(
        default=None, sa_column=_fk("person.id", index=False)
    )
    calendar_secret: str = Field(default="", sa_type=String(64))  # as Person.calendar_secret
    # How its minutes are written: the options of app/services/minutes_format.py as JSON;
    # empty is the reference "Meeting Notes" layout.
    minutes_format: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SeriesAttendee(SQLModel, table=True):
    """Someone invited to every meeting of a series."""

    __tablename__ = "series_attendee"
    __table_args__ = (UniqueConstraint("meeting_type_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_type_id: int = Field(
        sa_column=_fk("meeting_type.id", nullable=False, ondelete="CASCADE")
    )
    person_id: int = Field(sa_column=_fk("person.id", nullable=False))
    capacity: str = Field(default="", sa_type=String(300))
    position: int = Field(default=0)


class SeriesItem(SQLModel, table=True):
    """A standing item that every meeting of a series starts with."""

    __tablename__ = "series_item"

    id: int | None = Field(default=None, primary_key=True)
    meeting_type_id: int = Field(
        sa_column=_fk("meeting_type.id", nullable=False, ondelete="CASCADE")
    )
    position: int = Field(default=1)
    title: str = Field(sa_type=String(500))
    kind: str = Field(default=ItemKind.other, sa_type=String(30))


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    # The meetings lists' keyset order (start, then id): migration 0028; by status, for the
    # few meetings to come or awaiting publication among the years held: migration 0031.
    __table_args__ = (Index("ix_meeting_starts_at_id", "starts_at", "id"),
                      Index("ix_meeting_status", "status"))

    id: int | None = Field(default=None, primary_key=True)
    meeting_type_id: int = Field(sa_column=_fk("meeting_type.id", nullable=False))
    starts_at: datetime = Field(sa_column=_ts(index=True))
    ends_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    venue: str = Field(default="", sa_type=String(300))
    chair_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    minute_taker_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    status: str = Field(default=MeetingStatus.planned, sa_type=String(20))
    marking: str = Field(default="OFFICIAL", sa_type=String(60))
    next_meeting_id: int | None = Field(
        default=None, sa_column=_fk("meeting.id", ondelete="SET NULL")
    )
    # The date the series' schedule gave this meeting; it keeps it when the meeting moves, so
    # the schedule never makes a second one for that date.
    occurrence_on: date | None = Field(default=None)
    # Calendar clients need a higher number each time a meeting's time or place changes.
    sequence: int = Field(default=0)
    # When its agenda was issued (app/services/stages.py issue_agenda): kept once the meeting
    # moves on, since the papers that made public stay public (visibility.agenda_issued_where).
    agenda_issued_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # Why the meeting was cancelled (app/services/meetings.py cancel_meeting); empty otherwise.
    cancelled_reason: str = Field(default="", sa_type=String(2000))
    # The record's life (app/services/approval.py): submitted to the chair, then approved by
    # the chair or at a later meeting, then published.
    submitted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    submitted_by_id: int | None = Field(
        default=None, sa_column=_fk("user_account.id", index=False)
    )
    approved_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    approved_by_id: int | None = Field(
        default=None, sa_column=_fk("user_account.id", index=False)
    )
    approved_at_meeting_id: int | None = Field(
        default=None, sa_column=_fk("meeting.id", ondelete="SET NULL", index=False)
    )
    # Read from an old minutes document (app/services/record_import.py), not taken in Assure;
    # the file it came from is kept in `record_import`.
    imported: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", nullable=False, ondelete="CASCADE"))
    person_id: int = Field(sa_column=_fk("person.id", nullable=False))
    status: str = Field(default=AttendanceStatus.present, sa_type=String(20))
    capacity: str = Field(default="", sa_type=String(300))
    position: int = Field(default=0)
    # A substitute: whom they came in place of ("T/ACC Jones for the DCC").
    substitute_for_id: int | None = Field(
        default=None, sa_column=_fk("person.id", ondelete="SET NULL", index=False))
    # In attendance for some items only: the agenda items' ids, "12,13", in agenda order.
    # An item deleted since is left out when the minutes are written.
    item_ids: str = Field(default="", sa_type=String(500))

    @property
    def items(self) -> list[int]:
        """The agenda items attended for, by id."""
        return [int(i) for i in self.item_ids.split(",") if i.strip().isdigit()]


class AgendaItem(SQLModel, table=True):
    """An item of a meeting's agenda; its number comes from its position among siblings."""

    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", nullable=False, ondelete="CASCADE"))
    parent_id: int | None = Field(
        default=None, sa_column=_fk("agenda_item.id", ondelete="CASCADE")
    )
    position: int = Field(default=1)
    title: str = Field(sa_type=String(500))
    kind: str = Field(default=ItemKind.theme, sa_type=String(30))
    presenter_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    purpose: str | None = Field(default=None, sa_type=String(20))
    commission: str = Field(default="", sa_type=Text)
    paper_due_on: date | None = Field(default=None)  # when the force's paper is due
    exempt: bool = Field(default=False)
    exempt_reason: str = Field(default="", sa_type=String(500))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Paper(SQLModel, table=True):
    """A paper for an agenda item (PDF or Word), kept in the database with its checksum."""

    __tablename__ = "paper"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(sa_column=_fk("agenda_item.id", nullable=False, ondelete="CASCADE"))
    filename: str = Field(sa_type=String(255))
    content_type: str = Field(sa_type=String(100))
    size_bytes: int
    sha256: str = Field(sa_type=String(64))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    uploaded_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))
    # The deadline in force when the paper arrived, and how many days after it the paper came
    # (0: on time); kept as they were, whatever later happens to the meeting or its deadline.
    due_on: date | None = Field(default=None)
    days_late: int | None = Field(default=None)
    # The paper's words, read once when it arrives (PDF and Word), for the search
    # (app/services/search_index.py); "" when it has none that could be read.
    text: str = Field(default="", sa_type=Text)


class MinuteEntry(SQLModel, table=True):
    """A paragraph of the minutes under an item; every save bumps `version`."""

    __tablename__ = "minute_entry"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(sa_column=_fk("agenda_item.id", nullable=False, ondelete="CASCADE"))
    position: int = Field(default=1)
    kind: str = Field(default=EntryKind.narrative, sa_type=String(20))
    speaker_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    question_id: int | None = Field(
        default=None, sa_column=_fk("question.id", ondelete="SET NULL")
    )
    text: str = Field(default="", sa_type=Text)
    exempt: bool = Field(default=False)
    exempt_reason: str = Field(default="", sa_type=String(500))
    # An assurance paragraph's level (AssuranceLevel); None for other kinds or not yet given.
    assurance_level: str | None = Field(default=None, sa_type=String(20))
    version: int = Field(default=1)
    # Chosen by the browser that created the entry, so that a retried creation is not a copy.
    client_id: str | None = Field(default=None, sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Deleted entries are kept (and can be restored); nothing typed is ever lost.
    deleted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class DecisionReference(SQLModel, table=True):
    """The reference a minuted decision was given when its paragraph first became a decision
    ("D/2025/014"; year: the meeting's). It is kept if the paragraph later changes kind, so a
    reference is never given twice; the decisions register lists only current decisions."""

    __tablename__ = "decision_reference"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(sa_column=Column(
        Integer, ForeignKey("minute_entry.id", ondelete="CASCADE"), nullable=False, unique=True))
    reference: str = Field(sa_type=String(60), unique=True)
    year: int
    seq: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Marked by the office as a decision of significant public interest, which it must
    # publish (the Elected Local Policing Bodies (Specified Information) Order 2011): the
    # public register marks it and can be narrowed to those.
    significant: bool = Field(default=False)


class MinuteEntryRevision(SQLModel, table=True):
    """One saved version of an entry. Rows are only ever added."""

    __tablename__ = "minute_entry_revision"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(
        sa_column=_fk("minute_entry.id", nullable=False, ondelete="CASCADE")
    )
    version: int
    kind: str = Field(sa_type=String(20))
    speaker_id: int | None = Field(default=None, sa_column=_fk("person.id", index=False))
    text: str = Field(default="", sa_type=Text)
    exempt: bool = Field(default=False)
    # The assurance level as saved in this version (MinuteEntry.assurance_level).
    assurance_level: str | None = Field(default=None, sa_type=String(20))
    saved_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    saved_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))
    # The browser tab the save came from (chosen by the page, kept for the tab's life): a save
    # made from an older version is not a conflict when every later version came from the same
    # tab, as after a reload during a save that landed late (services/entries.update_entry).
    device: str | None = Field(default=None, sa_type=String(64))
    # The tab's own count of its saves: of two saves from one tab made from the same version
    # (one sent before a reload, landing late; one after), the later-made one is kept.
    device_seq: int | None = Field(default=None)


class Question(SQLModel, table=True):
    __tablename__ = "question"
    # a theme's questions, whatever the case it was typed in, and those of one meeting on it
    # (issue 17; migration 0030)
    __table_args__ = (Index("ix_question_lower_theme_meeting_id", func.lower(text("theme")),
                            "meeting_id"),
                      # an address's questions of the last hour (the public form's rate limit)
                      Index("ix_question_submitted_from_submitted_at", "submitted_from",
                            "submitted_at"))

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=Text)
    theme: str = Field(default="", sa_type=String(200))
    asked_by_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    addressed_to_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    meeting_id: int | None = Field(default=None, sa_column=_fk("meeting.id", ondelete="SET NULL"))
    item_id: int | None = Field(
        default=None, sa_column=_fk("agenda_item.id", ondelete="SET NULL")
    )
    source: str = Field(default=QuestionSource.commissioner, sa_type=String(20))
    status: str = Field(default=QuestionStatus.draft, sa_type=String(30))
    follow_up_action_id: int | None = Field(
        default=None, sa_column=_fk("action.id", ondelete="SET NULL")
    )
    # The meeting at which the question was last carried forward; it is then taken at the next
    # meeting of the series that is not cancelled (app/services/questions.py questions_at).
    carried_from_meeting_id: int | None = Field(
        default=None, sa_column=_fk("meeting.id", ondelete="SET NULL")
    )
    # The inspection finding the question was put about (source "inspection").
    finding_id: int | None = Field(default=None, sa_column=_fk("finding.id", ondelete="SET NULL"))
    # Questions from the public: who asked, when, and whether the office put it to the force.
    submitter_name: str = Field(default="", sa_type=String(200))
    submitter_email: str = Field(default="", sa_type=String(320))
    # A keyed digest of the address the public form was sent from (never the address itself),
    # for the form's rate limit; erased with the name and email.
    submitted_from: str = Field(default="", sa_type=String(64))
    submitted_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    # When the submitter's details were erased, the office's retention period being over.
    submitter_erased_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    screening: str | None = Field(default=None, sa_type=String(20))
    screening_reason: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Answer(SQLModel, table=True):
    __tablename__ = "answer"

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(sa_column=_fk("question.id", nullable=False, ondelete="CASCADE"))
    respondent_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    # The minute entry that records this answer, when it was minuted in the meeting.
    entry_id: int | None = Field(
        default=None, sa_column=_fk("minute_entry.id", ondelete="SET NULL")
    )
    text: str = Field(sa_type=Text)
    in_meeting: bool = Field(default=True)
    answered_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class Action(SQLModel, table=True):
    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        # the actions not closed (by status, then due date) and those closed after a day,
        # found without reading every action (issue 17; migration 0030)
        Index("ix_action_status_due_date", "status", "due_date"),
        Index("ix_action_closed_at", "closed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_type=String(60), unique=True)
    year: int
    seq: int
    text: str = Field(sa_type=Text)
    due_date: date | None = Field(default=None)
    meeting_id: int | None = Field(default=None, sa_column=_fk("meeting.id", ondelete="SET NULL"))
    item_id: int | None = Field(
        default=None, sa_column=_fk("agenda_item.id", ondelete="SET NULL")
    )
    status: str = Field(default=ActionStatus.open, sa_type=String(20))
    exempt: bool = Field(default=False)
    exempt_reason: str = Field(default="", sa_type=String(500))
    closed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    closed_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))
    # The inspection finding the action was raised about.
    finding_id: int | None = Field(default=None, sa_column=_fk("finding.id", ondelete="SET NULL"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Indexed: the live view's poll asks for the latest change to any action (carried forward
    # actions come from every meeting) on every poll (app/services/live.py).
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))


class ActionOwner(SQLModel, table=True):
    __tablename__ = "action_owner"

    action_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
        )
    )
    person_id: int = Field(
        sa_column=Column(Integer, ForeignKey("person.id"), primary_key=True, index=True)
    )
    is_lead: bool = Field(default=False)
    position: int = Field(default=0)
    # When this person became an owner (None: before it was recorded); the "assigned" email
    # goes only to owners given the action recently, not to those of long-standing actions.
    assigned_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class ActionUpdate(SQLModel, table=True):
    """A progress note on an action. Rows are only ever added."""

    __tablename__ = "action_update"
    # Each action's updates in order, the latest read first (latest_updates_of), and the
    # updates list's keyset: migration 0028.
    __table_args__ = (Index("ix_action_update_action_id_created_at_id", "action_id",
                            "created_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(sa_column=_fk("action.id", nullable=False, ondelete="CASCADE"))
    text: str = Field(default="", sa_type=Text)
    status_from: str | None = Field(default=None, sa_type=String(20))
    status_to: str | None = Field(default=None, sa_type=String(20))
    author_user_id: int | None = Field(
        default=None, sa_column=_fk("user_account.id", index=False)
    )
    author_person_id: int | None = Field(default=None, sa_column=_fk("person.id", index=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class OwnerLink(SQLModel, table=True):
    """A link emailed to an action owner that opens their open actions without an account.
    Only a digest of its secret is kept; it expires and can be revoked."""

    __tablename__ = "owner_link"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(sa_column=_fk("person.id", nullable=False))
    token_hash: str = Field(sa_type=String(64), unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: datetime = Field(sa_column=_ts())
    revoked_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    last_used_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))


class Notification(SQLModel, table=True):
    """An email the system sent (or is sending). The unique key makes each reminder go once,
    however many processes run the reminders at the same moment."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=String(200))  # "due_soon:action 12:person 3:2019-05-21"
    kind: str = Field(sa_type=String(30))  # assigned, due_soon, due_today, digest
    person_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    action_id: int | None = Field(default=None, sa_column=_fk("action.id", ondelete="SET NULL"))
    # A calendar invitation (app/services/invites.py): its meeting, and the meeting's sequence
    # it carries; a newer sequence supersedes it before it is sent.
    meeting_id: int | None = Field(default=None,
                                   sa_column=_fk("meeting.id", ondelete="CASCADE"))
    sequence: int | None = Field(default=None)
    # An email to a member of the public about their question (app/services/public_questions.py)
    question_id: int | None = Field(default=None,
                                    sa_column=_fk("question.id", ondelete="CASCADE"))
    recipient: str = Field(sa_type=String(320))
    subject: str = Field(sa_type=String(300))
    # sending, sent, failed; an invitation is first pending (recorded with the change that
    # calls for it, then sent), and superseded when a newer one replaces it unsent.
    status: str = Field(default="sending", sa_type=String(20))
    error: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class CarriedAction(SQLModel, table=True):
    """An action chosen from the action log to be taken up at a particular meeting, beyond
    the open actions of that meeting's own series."""

    __tablename__ = "carried_action"
    __table_args__ = (UniqueConstraint("action_id", "meeting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(sa_column=_fk("action.id", nullable=False, ondelete="CASCADE"))
    meeting_id: int = Field(sa_column=_fk("meeting.id", nullable=False, ondelete="CASCADE"))
    added_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    added_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))


class MinuteAmendment(SQLModel, table=True):
    """A change to an entry of approved minutes, with its reason and the text it replaced.
    Rows are only ever added."""

    __tablename__ = "minute_amendment"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", nullable=False, ondelete="CASCADE"))
    entry_id: int = Field(sa_column=_fk("minute_entry.id", nullable=False, ondelete="CASCADE"))
    reason: str = Field(sa_type=Text)
    original_text: str = Field(default="", sa_type=Text)
    amended_text: str = Field(default="", sa_type=Text)
    original_exempt: bool = Field(default=False)
    amended_exempt: bool = Field(default=False)
    entry_version: int  # the entry's version that the amendment made
    amended_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    amended_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))


class PublishedDocument(SQLModel, table=True):
    """A document exactly as it was published: its bytes and their SHA-256. Rows are only
    ever added; publishing again (after an amendment) adds the next version. Each version is
    published in up to three forms (app.services.publication.Form): the Word file, the web
    page's minutes (an HTML fragment) and a PDF, each with its own checksum."""

    __tablename__ = "published_document"
    __table_args__ = (UniqueConstraint("meeting_id", "edition", "version", "form"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(sa_column=_fk("meeting.id", nullable=False))
    edition: str = Field(default="public", sa_type=String(20))
    version: int = Field(default=1)
    form: str = Field(default="docx", sa_type=String(10))  # docx, html or pdf
    title: str = Field(sa_type=String(300))
    filename: str = Field(sa_type=String(255))
    content_type: str = Field(sa_type=String(100))
    size_bytes: int
    sha256: str = Field(sa_type=String(64))
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    published_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    published_by_id: int | None = Field(
        default=None, sa_column=_fk("user_account.id", index=False)
    )


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, when (UTC)."""

    __tablename__ = "audit_event"
    # The log's keyset order (newest first: time, then id): migration 0028.
    __table_args__ = (Index("ix_audit_event_occurred_at_id", "occurred_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=_ts(index=True))
    user_id: int | None = Field(default=None, sa_column=_fk("user_account.id"))
    actor: str = Field(default="", sa_type=String(320))
    # Indexed so that the log's filters can list the verbs and record types without reading
    # the whole log (audit.filter_choices skips from one value to the next).
    verb: str = Field(sa_type=String(40), index=True)
    object_type: str = Field(sa_type=String(40), index=True)
    object_id: int | None = Field(default=None)
    summary: str = Field(default="", sa_type=Text)
    # Where the request came from (the client's IP address), when there was a request.
    address: str | None = Field(default=None, sa_type=String(64))


# --- the inspection register (HMICFRS reports and their findings) ---------------------------


class RefusalTally(SQLModel, table=True):
    """Refused requests from callers nobody knows (no session, no token), counted per address
    and window rather than written one audit event each, so that a flood of them cannot
    grow the audit log without bound."""

    __tablename__ = "refusal_tally"
    __table_args__ = (UniqueConstraint("address", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(default="", sa_type=String(64))
    window_start: datetime = Field(sa_column=_ts(index=True))
    count: int = Field(default=0)
    first_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    last_summary: str = Field(default="", sa_type=String(500))


class Inspection(SQLModel, table=True):
    """An HMICFRS inspection report: the s55 dates (the Commissioner's response is due 56 days
    after publication, counting the day of publication) and the findings."""

    __tablename__ = "inspection"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=String(500))
    force: str = Field(default="", sa_type=String(200))
    kind: str = Field(default="", sa_type=String(200))
    published_on: date | None = Field(default=None)
    cc_comments_requested_on: date | None = Field(default=None)
    cc_comments_received_on: date | None = Field(default=None)
    response_published_on: date | None = Field(default=None)
    response_sent_on: date | None = Field(default=None)
    # The s55 response document's text, entered in the app (the structure of the office's
    # published responses: summary, grade, recommendations, areas for improvement, the
    # Commissioner's initial response, the Chief Constable's response, overall comments).
    summary: str = Field(default="", sa_type=Text)
    grade: str = Field(default="", sa_type=String(100))
    recommendations_intro: str = Field(default="", sa_type=Text)
    pcc_initial_response: str = Field(default="", sa_type=Text)
    cc_response_intro: str = Field(default="", sa_type=Text)
    pcc_overall_comments: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    created_by_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))


class InspectionJudgment(SQLModel, table=True):
    __tablename__ = "inspection_judgment"

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(
        sa_column=_fk("inspection.id", nullable=False, ondelete="CASCADE")
    )
    area: str = Field(sa_type=String(300))
    grade: str = Field(sa_type=String(100))
    position: int = Field(default=0)


class Finding(SQLModel, table=True):
    """A recommendation, area for improvement or cause of concern in an inspection report."""

    __tablename__ = "finding"
    # What the findings dashboard counts, so that it reads this index rather than every
    # finding's text (migration 0031).
    __table_args__ = (Index("ix_finding_counted", "inspection_id", "area", "force_status",
                            "opcc_status", "superseded_by_id", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(
        sa_column=_fk("inspection.id", nullable=False, ondelete="CASCADE")
    )
    kind: str = Field(sa_type=String(40))
    number: str = Field(default="", sa_type=String(20))
    text: str = Field(sa_type=Text)
    addressee: str = Field(default="", sa_type=String(300))
    deadline_text: str = Field(default="", sa_type=String(300))
    source_paragraph: str = Field(default="", sa_type=String(40))
    position: int = Field(default=0)
    owner_id: int | None = Field(default=None, sa_column=_fk("person.id"))
    due_date: date | None = Field(default=None)
    force_status: str = Field(default="not_started", sa_type=String(30))
    opcc_status: str = Field(default="not_assessed", sa_type=String(30))
    opcc_evidence: str = Field(default="", sa_type=Text)
    # The area of the report it falls under (matches a judgment's area for its grade) and the
    # theme it is followed under (a theme's history lists its findings with its questions).
    area: str = Field(default="", sa_type=String(300))
    theme: str = Field(default="", sa_type=String(200))
    # A later finding that replaces this one (a national recommendation replacing a local AFI).
    superseded_by_id: int | None = Field(
        default=None, sa_column=_fk("finding.id", ondelete="SET NULL")
    )
    # For the s55 response: the Commissioner's and the Chief Constable's response to it.
    pcc_response: str = Field(default="", sa_type=Text)
    cc_response: str = Field(default="", sa_type=Text)


class FindingEvent(SQLModel, table=True):
    """A change to a finding: who, when, what. Rows are only ever added."""

    __tablename__ = "finding_event"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(sa_column=_fk("finding.id", nullable=False, ondelete="CASCADE"))
    at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    by_user_id: int | None = Field(default=None, sa_column=_fk("user_account.id", index=False))
    by_label: str = Field(default="", sa_type=String(320))
    summary: str = Field(default="", sa_type=Text)
    # The question or action the event tells of: a reader who may not see that question or
    # action does not see the event either (app/services/visibility.py).
    question_id: int | None = Field(
        default=None, sa_column=_fk("question.id", ondelete="SET NULL"))
    action_id: int | None = Field(default=None, sa_column=_fk("action.id", ondelete="SET NULL"))


class RecordImport(SQLModel, table=True):
    """An old minutes document or action log read into the record: the file exactly as it
    was uploaded, its SHA-256 (the same file uploaded again is recognised by it), and what it
    became: a meeting, or the actions of an action log."""

    __tablename__ = "record_import"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(20))  # "minutes" or "actions"
    filename: str = Field(sa_type=String(255))
    content_type: str = Field(sa_type=String(100))
    size_bytes: int
    sha256: str = Field(sa_type=String(64), index=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    meeting_id: int | None = Field(default=None, sa_column=_fk("meeting.id", ondelete="SET NULL"))
    # The actions made, by id: "12,13,14" (an action log's import makes no meeting).
    action_ids: str = Field(default="", sa_type=Text)
    summary: str = Field(default="", sa_type=String(500))
    imported_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    # None while the upload waits on the review page (the page keeps the file here, not in
    # the form); set when what it holds was saved.
    completed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    imported_by_id: int | None = Field(
        default=None, sa_column=_fk("user_account.id", index=False)
    )

    @property
    def actions(self) -> list[int]:
        """The actions made, by id."""
        return [int(i) for i in self.action_ids.split(",") if i.strip().isdigit()]


# --- the search index (issue 18) -----------------------------------------------------------


class SearchDocument(SQLModel, table=True):
    """One searchable thing of the record (a paragraph, an item, a question, an answer, an
    action, an update, a finding, a paper), as app/services/search_index.py writes it whenever
    the thing itself is written.

    The words are `title` and `body`; the rest is for filtering and for deciding who may see
    it (app/services/visibility.py). Each source row it comes from is a foreign key that
    cascades, so that whatever deletes the source deletes its document too. On SQLite an FTS5
    table (`search_fts`, external content, kept in step by triggers) indexes the words; on
    PostgreSQL a generated tsvector column (`tsv`) with a GIN index (migration 0032): both are
    outside this model, as they exist on one database only."""

    __tablename__ = "search_document"
    __table_args__ = (UniqueConstraint("kind", "object_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(20))
    object_id: int
    meeting_id: int | None = Field(default=None,
                                   sa_column=_fk("meeting.id", ondelete="SET NULL"))
    series_id: int | None = Field(default=None, sa_column=_fk("meeting_type.id",
                                                                ondelete="SET NULL"))
    # The item it sits under (for Part 2: an exempt item hides what is under it).
    item_id: int | None = Field(default=None, sa_column=_fk("agenda_item.id",
                                                              ondelete="SET NULL"))
    on_date: date | None = Field(default=None, index=True)
    theme: str = Field(default="", sa_type=String(200))
    person_ids: str = Field(default="", sa_type=String(500))  # ",3,17," for LIKE
    exempt: bool = Field(default=False)  # a paragraph marked exempt of its own
    label: str = Field(default="", sa_type=String(500))  # what a result is called
    title: str = Field(default="", sa_type=Text)
    body: str = Field(default="", sa_type=Text)
    # The source rows (each deletes the document with it).
    entry_id: int | None = Field(default=None, sa_column=_fk("minute_entry.id",
                                                               ondelete="CASCADE"))
    own_item_id: int | None = Field(default=None, sa_column=_fk("agenda_item.id",
                                                                  ondelete="CASCADE"))
    paper_id: int | None = Field(default=None, sa_column=_fk("paper.id", ondelete="CASCADE"))
    question_id: int | None = Field(default=None, sa_column=_fk("question.id",
                                                                  ondelete="CASCADE"))
    answer_id: int | None = Field(default=None, sa_column=_fk("answer.id", ondelete="CASCADE"))
    action_id: int | None = Field(default=None, sa_column=_fk("action.id", ondelete="CASCADE"))
    update_id: int | None = Field(default=None, sa_column=_fk("action_update.id",
                                                                ondelete="CASCADE"))
    finding_id: int | None = Field(default=None, sa_column=_fk("finding.id",
                                                                 ondelete="CASCADE"))
