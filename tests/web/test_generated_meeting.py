"""A meeting made from its series' schedule: standing items, what is outstanding from earlier
meetings, and the next meeting, the same on the page, in the agenda and in the minutes."""

import io
from datetime import date

import docx

from app.models import Role
from app.schemas import ActionEdit
from app.services import actions, schedule
from tests.export.reading import rows_of, table_texts
from tests.factories import SYSTEM, bearer, make_action, make_person, make_user
from tests.services.test_schedule import monthly_series, standing
from tests.web.test_live import sign_in


def test_a_generated_meeting_everywhere(client, session):
    series = monthly_series(session)
    standing(session, series)
    march, april, may = schedule.generate_meetings(
        session, meeting_type_id=series.id, by=SYSTEM, from_date=date(2019, 3, 1), days=90).made
    owner = make_person(session, role_abbreviation="DCC")
    still_open = make_action(session, [owner], meeting_id=march.id,
                             text="The DCC to review the ANPR business case.",
                             due_date=date(2019, 5, 28))
    closed = make_action(session, [owner], meeting_id=march.id, text="An action now closed.")
    actions.update_action(session, action_id=closed.id, by=SYSTEM,
                          data=ActionEdit(status="closed"))
    next_line = "Monthly Assurance Meeting, Tuesday 28 May 2019, 10:00am Meeting Room 1.38 Hindlip"

    sign_in(client, session, Role.secretariat)
    page = client.get(f"/meetings/{april.id}").text
    for title in ("APOLOGIES", "MINUTES OF THE LAST MEETING", "HOLDING TO ACCOUNT", "HMICFRS",
                  "AOB"):
        assert title in page
    assert still_open.text in page and closed.text not in page
    assert next_line in page

    _, token = make_user(session, Role.secretariat)
    agenda = docx.Document(io.BytesIO(client.get(
        f"/api/v1/meetings/{april.id}/agenda.docx", headers=bearer(token)).content))
    rows = rows_of([t for t in agenda.tables if "PRESENTER" in table_texts(t)[0]][0])
    outstanding = next(r for r in rows if r.heading == "OUTSTANDING MATTERS / ITEMS BROUGHT "
                                                      "FORWARD")
    assert outstanding.texts[1] == (
        f"{still_open.reference} The DCC to review the ANPR business case. (DCC, due 28 May 2019)")
    assert closed.text not in " ".join(t for r in rows for t in r.texts)
    assert any(next_line in r.texts for r in rows)

    minutes = docx.Document(io.BytesIO(client.get(
        f"/api/v1/meetings/{april.id}/minutes.docx", headers=bearer(token)).content))
    text = " ".join(c.text for t in minutes.tables for row in t.rows for c in row.cells)
    assert still_open.text in text and closed.text not in text and next_line in text
    assert may.id


def test_a_meeting_on_a_bank_holiday_says_so(client, session):
    from datetime import datetime

    from tests.factories import make_meeting

    meeting = make_meeting(session, starts_at=datetime(2026, 5, 4, 10))
    sign_in(client, session, Role.viewer)
    page = client.get(f"/meetings/{meeting.id}").text
    assert "This meeting falls on a bank holiday (Early May bank holiday)." in page
