"""The office's settings on a page (/admin/settings): what `assure settings` sets, changed by an
administrator in the browser, checked as the service checks it, kept in the audit log, and
shown where the office uses it (the page footer, the action log's heading and marking)."""

import io
import re
import zipfile

import pytest
from sqlmodel import select

from app.models import AuditEvent, OfficeSettings, Role
from app.services.office import get_office
from tests.factories import make_user
from tests.web.signing import sign_in_through_form

PASSWORD = "correct horse battery staple"
NAME = "Office of the Police and Crime Commissioner for Anyshire"

GOOD = {
    "office_name": NAME, "office_short_name": "APCC", "force_name": "Anyshire Police",
    "default_marking": "OFFICIAL-SENSITIVE", "action_reference_format": "ACT-{year}-{seq:04d}",
    "publish_within_days": "28", "reminder_days_before": "0", "owner_link_days": "30",
    "digest_weekday": "4",
}


def sign_in(client, session, role: Role) -> str:
    user, _ = make_user(session, role, password=PASSWORD)
    response = sign_in_through_form(client, session, user.email, PASSWORD)
    assert response.status_code == 303, response.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text)[1]


def saved(session) -> dict:
    session.rollback()
    session.expire_all()
    office = get_office(session)
    return {key: getattr(office, key) for key in (
        "office_name", "office_short_name", "force_name", "default_marking",
        "action_reference_format", "publish_within_days", "reminder_days_before",
        "owner_link_days", "digest_weekday")}


def docx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace")
                         for name in archive.namelist() if name.endswith(".xml"))


def test_an_administrator_changes_every_setting_and_the_office_sees_it(client, session):
    token = sign_in(client, session, Role.admin)
    assert 'href="/admin/settings"' in client.get("/account").text
    page = client.get("/admin/settings")
    assert page.status_code == 200
    assert 'value="Office of the Police and Crime Commissioner"' in page.text  # the defaults
    answer = client.post("/admin/settings", data={**GOOD, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/settings?saved=1"
    assert saved(session) == {**GOOD, "publish_within_days": 28, "reminder_days_before": 0,
                              "owner_link_days": 30, "digest_weekday": 4}
    shown = client.get(answer.headers["location"]).text
    assert "The office&#39;s settings have been saved." in shown
    assert f'value="{NAME}"' in shown and '<option value="4" selected>Friday</option>' in shown
    assert f'<p class="govuk-body-s govuk-!-margin-bottom-1">{NAME}</p>' in shown  # footer
    log = client.get("/actions/log.docx")
    assert log.status_code == 200
    assert NAME in docx_text(log.content) and "OFFICIAL-SENSITIVE" in docx_text(log.content)
    event = session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "office_settings")).one()
    assert event.verb == "update" and NAME in event.summary and "APCC" in event.summary


BAD = [
    ({"office_name": ""}, "office_name", "Office name must not be empty"),
    ({"office_name": "   "}, "office_name", "Office name must not be empty"),
    ({"office_short_name": "OP\x07CC"}, "office_short_name", "Short name contains a control"),
    ({"office_name": "Office\nof the PCC"}, "office_name", "Office name must be a single line"),
    ({"force_name": "F" * 301}, "force_name", "Force name must be at most 300 characters"),
    ({"office_name": "O" * 2001}, "office_name", None),  # beyond the form's limit
    ({"action_reference_format": "A/{year}"}, "action_reference_format",
     "Action reference format must contain {year} and {seq}"),
    ({"action_reference_format": "A/{nope}"}, "action_reference_format",
     "Action reference format is not a valid format"),
    ({"publish_within_days": "twenty"}, "publish_within_days",
     "Days after the meeting to publish its minutes must be a whole number"),
    ({"publish_within_days": "0"}, "publish_within_days",
     "Days after the meeting to publish its minutes must be between 1 and 365"),
    ({"publish_within_days": "-5"}, "publish_within_days", "must be a whole number"),
    ({"publish_within_days": "99999999999999999999"}, "publish_within_days",
     "must be a whole number"),
    ({"reminder_days_before": "61"}, "reminder_days_before", "must be between 0"),
    ({"owner_link_days": "1.5"}, "owner_link_days", "must be a whole number"),
    ({"digest_weekday": "7"}, "digest_weekday", "must be a day of the week"),
    ({"digest_weekday": "Monday"}, "digest_weekday", "Choose the day of the weekly"),
    ({"contact_email": "opcc at example"}, "contact_email",
     "Email address for the public must be an email address"),
    ({"contact_phone": "ring the office"}, "contact_phone",
     "Telephone number for the public must be a telephone number"),
    ({"contact_address": "Hindlip\nHall"}, "contact_address",
     "Postal address must be a single line"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD)
def test_bad_settings_are_refused_on_their_field_and_nothing_changes(
        client, session, change, field, message):
    token = sign_in(client, session, Role.admin)
    before = saved(session)
    answer = client.post("/admin/settings", data={**GOOD, **change, "csrf_token": token},
                         follow_redirects=False)
    assert answer.status_code == 422
    assert saved(session) == before
    assert session.exec(select(OfficeSettings)).all() == []  # nothing saved, not even defaults
    assert session.exec(select(AuditEvent).where(
        AuditEvent.object_type == "office_settings")).all() == []
    if message is not None:
        assert answer.text.count(f'href="#{field}"') == 1  # the error summary links the field
        assert "<title>Error: Office settings" in answer.text
        assert message in answer.text.replace("&#39;", "'")
        assert f'id="{field}-error"' in answer.text


def test_every_mistake_is_said_at_once(client, session):
    token = sign_in(client, session, Role.admin)
    answer = client.post("/admin/settings", data={
        **GOOD, "office_name": "", "owner_link_days": "soon", "csrf_token": token})
    assert answer.status_code == 422
    assert 'href="#office_name"' in answer.text and 'href="#owner_link_days"' in answer.text


def test_a_missing_field_is_refused_not_a_server_error(client, session):
    token = sign_in(client, session, Role.admin)
    answer = client.post("/admin/settings", data={"office_name": NAME, "csrf_token": token})
    assert answer.status_code == 422
    assert saved(session)["office_name"] != NAME


@pytest.mark.parametrize("role", [r for r in Role if r != Role.admin])
def test_only_an_administrator_sees_or_changes_the_settings(client, session, role):
    token = sign_in(client, session, role)
    assert client.get("/admin/settings").status_code == 403
    assert "/admin/settings" not in client.get("/account").text
    answer = client.post("/admin/settings", data={**GOOD, "csrf_token": token})
    assert answer.status_code == 403
    assert saved(session)["office_name"] != NAME
