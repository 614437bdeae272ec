"""The series page: an office chooses how the series' minutes look, tries a preset, and
previews the latest minutes in its choices before saving them."""

import io

import docx
import pytest
from sqlmodel import select

from app.models import AuditEvent, Role
from app.services.minutes_format import PRESETS, Naming, Preset, load
from app.web import series_pages
from app.web.series_pages import FormatForm
from tests.factories import CommittingClient, make_meeting_type
from tests.web.test_series_pages import csrf_of, fresh, sign_in

EXEMPT_WORDS = ("A name that must not be published.", "Secret follow-up.")


@pytest.fixture
def client(app, session):
    if not any(getattr(r, "path", "").startswith("/series") for r in app.routes):
        app.include_router(series_pages.router)
    with CommittingClient(app, base_url="https://testserver", raise_server_exceptions=False,
                          session=session) as test_client:
        yield test_client


def format_form(start: Preset = Preset.notes, **changes) -> dict:
    """The minutes format form filled in with a preset's values, then the changes."""
    typed = FormatForm.of(PRESETS[start])
    return {**typed.values, "actions": typed.actions, **changes}


def post(client, series, data, action):
    token = csrf_of(client.get(f"/series/{series.id}").text)
    return client.post(f"/series/{series.id}/minutes-format",
                       data={**data, "action": action, "csrf_token": token},
                       follow_redirects=False)


def test_the_format_is_saved_with_only_what_differs_from_its_preset(client, session, world):
    sign_in(client, session, Role.secretariat)
    saved = post(client, world.series, format_form(Preset.board, naming="full_name"), "save")
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"/series/{world.series.id}?format_saved=1#minutes-format"
    fresh(session)
    session.refresh(world.series)
    assert load(world.series.minutes_format).naming == Naming.full_name
    assert world.series.minutes_format == '{"preset": "board", "naming": "full_name"}'
    page = client.get(saved.headers["location"]).text
    assert "The minutes format has been saved." in page
    assert 'id="format-preset-board" name="preset" type="radio" value="board" checked' in page
    assert 'id="format-naming-full_name" name="naming" type="radio" value="full_name" checked' \
        in page
    event = session.exec(select(AuditEvent).where(AuditEvent.object_type == "meeting_type")
                         .order_by(AuditEvent.id.desc())).first()
    assert "minutes format" in event.summary


def test_use_this_preset_fills_in_its_values_and_saves_nothing(client, session, world):
    sign_in(client, session, Role.secretariat)
    # The panel chosen, the other options still the reference notes' as shown before.
    chosen = post(client, world.series, format_form(Preset.notes, preset="panel"), "preset")
    assert chosen.status_code == 200
    page = chosen.text
    assert 'value="Minutes of the {series}"' in page
    assert 'id="format-numbering-running" name="numbering" type="radio" value="running" checked' \
        in page
    assert 'id="format-actions-summary" name="actions" type="checkbox" value="summary" checked' \
        in page
    assert "in the choices above, not yet saved" in page
    fresh(session)
    session.refresh(world.series)
    assert world.series.minutes_format == ""


@pytest.mark.parametrize("action", ["save", "preview", "download"])
def test_bad_choices_are_linked_from_the_summary_and_kept(client, session, world, action):
    sign_in(client, session, Role.secretariat)
    refused = post(client, world.series, format_form(
        Preset.board, heading="Minutes {when}", first_minute_number="five hundred",
        actions=["column"]), action)
    assert refused.status_code == 422
    page = refused.text
    assert "<title>Error: " in page
    assert 'href="#format-heading"' in page and "unknown placeholder {when}" in page
    assert 'href="#format-first_minute_number"' in page
    assert "Give the first minute number as a whole number, like 598" in page
    assert 'id="format-heading" name="heading" type="text" value="Minutes {when}"' in page
    assert 'value="five hundred"' in page
    assert 'id="format-heading-error"' in page
    if action == "preview":  # the preview says it could not show the choices, and where to go
        assert "Your choices could not be previewed" in page
        assert "not yet saved" not in page
    fresh(session)
    session.refresh(world.series)
    assert world.series.minutes_format == ""
    # the places of the actions, checked once the rest is sound
    refused = post(client, world.series, format_form(Preset.board, actions=["column"]), action)
    assert refused.status_code == 422 and 'href="#format-actions-column"' in refused.text
    assert "The ACTION column exists only in the table layout" in refused.text


def test_the_page_previews_the_latest_minutes_in_the_saved_format(client, session, world):
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{world.series.id}").text
    preview = page.split('id="preview-minutes"')[1]
    assert "The latest meeting held" in preview and "in the format saved" in preview
    assert "Monthly Assurance Meeting April 2019 – Meeting Notes" in preview
    assert "The PCC asked the CC about ANPR." in preview
    assert "as the office's edition, with exempt items" in preview
    assert EXEMPT_WORDS[0] in preview  # the office reads its own edition


@pytest.mark.parametrize("role", [Role.viewer, Role.force])
def test_a_reader_who_may_not_see_exempt_items_previews_the_public_edition(
        client, session, world, role):
    sign_in(client, session, role)
    page = client.get(f"/series/{world.series.id}").text
    assert 'action="/series/' + str(world.series.id) + '/minutes-format' not in page
    preview = page.split('id="preview-minutes"')[1]
    assert "as the public edition (without exempt items)" in preview
    assert "COVERT TACTICS" in preview and "considered in private" in preview
    assert "The PCC asked the CC about ANPR." in preview
    for words in EXEMPT_WORDS:
        assert words not in page
    download = client.get(f"/series/{world.series.id}/minutes-preview.docx")
    assert download.status_code == 200
    document = docx.Document(io.BytesIO(download.content))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "The PCC asked the CC about ANPR." in text
    for words in EXEMPT_WORDS:
        assert words not in text


def test_the_preview_shows_the_chosen_presets_heading_before_it_is_saved(client, session, world):
    sign_in(client, session, Role.secretariat)
    shown = post(client, world.series, format_form(Preset.panel), "preview")
    assert shown.status_code == 200
    preview = shown.text.split('id="preview-minutes"')[1]
    assert "Minutes of the Monthly Assurance Meeting" in preview
    assert "Meeting Notes" not in preview
    fresh(session)
    session.refresh(world.series)
    assert world.series.minutes_format == ""


def test_the_preview_downloads_as_word_in_the_choices_and_is_audited(client, session, world):
    sign_in(client, session, Role.secretariat)
    download = post(client, world.series, format_form(Preset.board), "download")
    assert download.status_code == 200, download.text
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    document = docx.Document(io.BytesIO(download.content))
    assert document.paragraphs[0].text == "Monthly Assurance Meeting – Minutes"
    event = session.exec(select(AuditEvent).where(AuditEvent.verb == "export")
                         .order_by(AuditEvent.id.desc())).first()
    assert event.object_id == world.meeting.id and "preview" in event.summary


def test_a_series_without_meetings_says_there_is_nothing_to_preview(client, session):
    series = make_meeting_type(session, name="Police and Crime Panel")
    sign_in(client, session, Role.secretariat)
    page = client.get(f"/series/{series.id}").text
    assert "This series has no meetings yet, so there are no minutes to preview." in page
    assert "Download this preview" not in page
    assert client.get(f"/series/{series.id}/minutes-preview.docx").status_code == 422


@pytest.mark.parametrize("role", [Role.chair, Role.force, Role.viewer])
def test_only_the_secretariat_and_administrators_change_the_format(client, session, world, role):
    sign_in(client, session, role)
    token = csrf_of(client.get(f"/series/{world.series.id}").text)
    refused = client.post(f"/series/{world.series.id}/minutes-format",
                          data={**format_form(Preset.board), "action": "save",
                                "csrf_token": token})
    assert refused.status_code == 403
    assert "Minutes written as" not in refused.text
    fresh(session)
    session.refresh(world.series)
    assert world.series.minutes_format == ""


def test_the_preview_is_built_once_and_again_when_the_minutes_change(
        client, session, world, monkeypatch):
    """Opening the series page again does not rebuild the minutes document; a changed
    paragraph, or a reader of the other edition, gets a preview of its own."""
    built = []
    real = series_pages.build_minutes_document
    monkeypatch.setattr(series_pages, "build_minutes_document",
                        lambda *args, **kwargs: built.append(1) or real(*args, **kwargs))
    series_pages._PREVIEWS.clear()
    sign_in(client, session, Role.secretariat)
    for _ in range(3):
        assert EXEMPT_WORDS[0] in client.get(f"/series/{world.series.id}").text
    assert len(built) == 1

    world.entry.text = "The PCC asked the CC about speed cameras."
    session.add(world.entry)
    session.commit()
    preview = client.get(f"/series/{world.series.id}").text.split('id="preview-minutes"')[1]
    assert "speed cameras" in preview and "about ANPR" not in preview
    assert len(built) == 2

    sign_in(client, session, Role.viewer)
    page = client.get(f"/series/{world.series.id}").text
    assert "speed cameras" in page and EXEMPT_WORDS[0] not in page
    assert len(built) == 3
