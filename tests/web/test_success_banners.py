"""Every page says a change worked in the same words: a GOV.UK success banner titled
"Success", with the message under it."""

import re
from datetime import datetime

import pytest

from app.models import Role
from tests.factories import CommittingClient, make_meeting
from tests.web.test_meeting_pages import sign_in

TITLE = re.compile(r'govuk-notification-banner--success"[^>]*>\s*<div class="govuk-notification'
                   r'-banner__header">\s*<h2 class="govuk-notification-banner__title" '
                   r'id="notice-title">(\w+)</h2>')


@pytest.fixture
def client(app, session):
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          follow_redirects=False, session=session) as test_client:
        yield test_client


def test_the_success_banner_has_one_title_on_every_page(client, session):
    sign_in(client, session, Role.secretariat)
    meeting = make_meeting(session, starts_at=datetime(2026, 5, 12, 10))
    for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/record", "/actions",
                 f"/meetings/{meeting.id}/redaction"):
        html = client.get(f"{path}?notice=It worked.").text
        assert TITLE.findall(html) == ["Success"], path
        assert "It worked." in html, path
