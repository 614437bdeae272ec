"""How the minutes name the people who speak: by role abbreviation ("The PCC asked the CC"),
else by title and surname ("Cllr Jones asked"), else by full name ("Jane Smith asked"), and
never by initials alone, in the minutes' text and in the Word document made from it."""

import io
from datetime import UTC, datetime

import docx

from app.export.minutes_docx import render_minutes
from app.models import Answer, Person, Question, QuestionSource, QuestionStatus
from app.services.common import person_label, person_named, speaker_label
from app.services.minutes import Edition, load_record, minutes_of
from tests.factories import committed, make_item, make_meeting, make_person, make_top_team


def test_a_role_is_named_by_its_abbreviation_a_titled_person_by_title_and_surname():
    pcc = Person(full_name="John Campion", initials="JC", role_abbreviation="PCC", title="Mr")
    councillor = Person(full_name="Gareth Rhys Jones", initials="GRJ", title="Cllr")
    public = Person(full_name="Jane Smith", initials="JS")
    assert [speaker_label(p) for p in (pcc, councillor, public, None)] == [
        "PCC", "Cllr Jones", "Jane Smith", ""]
    # An action's owner is still named as the action log names them ("Action – GRJ to…").
    assert [person_label(p) for p in (pcc, councillor, public)] == ["PCC", "GRJ", "JS"]
    assert [person_named(p, start=True) for p in (pcc, councillor, public)] == [
        "The PCC", "Cllr Jones", "Jane Smith"]
    assert [person_named(p) for p in (pcc, councillor, public)] == [
        "the PCC", "Cllr Jones", "Jane Smith"]


def _ask(session, item, asker, addressee, text, answer_by, answer):
    question = Question(text=text, asked_by_id=asker.id, addressed_to_id=addressee.id,
                        meeting_id=item.meeting_id, item_id=item.id,
                        status=QuestionStatus.answered)
    session.add(question)
    session.flush()
    session.add(Answer(question_id=question.id, respondent_id=answer_by.id, text=answer,
                       in_meeting=True, answered_at=datetime(2024, 3, 12, 11, tzinfo=UTC)))
    committed(session, question)


def _minutes(session, meeting, edition: Edition):
    record = load_record(session, meeting_id=meeting.id, redact=edition == Edition.public)
    return minutes_of(record, office_short_name="OPCC", office_name="Office", edition=edition)


def _texts(minutes) -> list[str]:
    return [entry.text for item in minutes.items for entry in item.entries]


def test_a_panel_member_and_a_member_of_the_public_are_named_not_initialled(session):
    pcc = make_person(session, full_name="John Campion", initials="JC",
                      role_title="Police and Crime Commissioner", role_abbreviation="PCC")
    councillor = make_person(session, full_name="Gareth Jones", initials="GJ", title="Cllr",
                             role_title="Panel member")
    public = make_person(session, full_name="Jane Smith", initials="JS", role_title="")
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Questions to the Commissioner")
    _ask(session, item, councillor, pcc, "How many officers patrol the villages?", pcc,
         "Forty, on three shifts.")
    _ask(session, item, public, pcc, "When will the station reopen?", pcc, "In the spring.")

    minutes = _minutes(session, meeting, Edition.internal)
    assert _texts(minutes) == [
        "Cllr Jones asked the PCC: How many officers patrol the villages?",
        "The PCC responded: Forty, on three shifts.",
        "Jane Smith asked the PCC: When will the station reopen?",
        "The PCC responded: In the spring.",
    ]

    document = docx.Document(io.BytesIO(render_minutes(minutes)))
    words = "\n".join(p.text for table in document.tables for row in table.rows
                      for cell in row.cells for p in cell.paragraphs)
    assert "Cllr Jones asked the PCC: How many officers patrol the villages?" in words
    assert "Jane Smith asked the PCC: When will the station reopen?" in words
    assert "GJ" not in words and "JS" not in words


def test_a_question_sent_by_the_public_is_a_member_of_the_publics_never_by_the_name_given(
        session):
    """The name on the public form is erased after the office's retention period and the
    minutes are kept for good: they say "a member of the public"; someone the office records
    as putting the question at the meeting is named, the question marked as the public's."""
    pcc, cc, _ = make_top_team(session)
    meeting = make_meeting(session)
    item = make_item(session, meeting, title="Questions to the Commissioner")
    for asker, text in ((None, "When will the station reopen?"),
                        (pcc, "How many cameras work?")):
        question = Question(text=text, asked_by_id=asker.id if asker else None,
                            addressed_to_id=(cc if asker else pcc).id,
                            meeting_id=meeting.id, item_id=item.id,
                            status=QuestionStatus.answered, source=QuestionSource.public,
                            submitter_name="Jane Qzxsender", submitter_email="j@example.org",
                            submitted_at=datetime(2024, 3, 1, tzinfo=UTC))
        session.add(question)
        session.flush()
        session.add(Answer(question_id=question.id, respondent_id=cc.id, text="Soon.",
                           in_meeting=True, answered_at=datetime(2024, 3, 12, 11, tzinfo=UTC)))
    session.commit()
    for edition in Edition:
        minutes = _minutes(session, meeting, edition)
        assert _texts(minutes) == [
            "A member of the public asked the PCC: When will the station reopen?",
            "The CC responded: Soon.",
            "The PCC asked the CC (a question from the public): How many cameras work?",
            "The CC responded: Soon.",
        ]
        assert "Qzxsender" not in repr(minutes) and "j@example.org" not in repr(minutes)
