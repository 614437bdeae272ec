"""Entries are versioned; every save is kept; a stale save is refused; approved minutes lock."""

import pytest
from sqlmodel import select

from app.models import AuditEvent, MeetingStatus
from app.schemas import EntryUpdate
from app.services import entries
from app.services.errors import Conflict
from tests.factories import SYSTEM, advance_meeting, make_entry, make_item, make_meeting


def test_every_save_is_a_revision_and_the_first_is_kept(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="The PCC asked")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="The PCC asked the CC"))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=2, text="The PCC asked the CC if…"))
    revisions = entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)
    assert [(r.version, r.text) for r in revisions] == [
        (1, "The PCC asked"), (2, "The PCC asked the CC"), (3, "The PCC asked the CC if…")]
    assert entry.version == 3


def test_a_stale_save_is_refused_with_the_current_entry(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Original")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="Officer's words"))
    with pytest.raises(Conflict) as err:
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Colleague's words"))
    assert err.value.current.text == "Officer's words"
    assert entries.get_entry(session, entry_id=entry.id, by=SYSTEM).text == "Officer's words"


def test_a_retried_save_is_idempotent(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Draft")
    for _ in range(3):  # the browser sends the same save again after a lost reply
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Saved once"))
    assert entry.version == 2
    assert len(entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)) == 2


def test_approved_minutes_cannot_be_edited(session):
    meeting = make_meeting(session, status=MeetingStatus.draft)
    item = make_item(session, meeting)
    entry = make_entry(session, item, text="Agreed text")
    advance_meeting(session, meeting, MeetingStatus.approved)
    with pytest.raises(Conflict):
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Rewritten"))
    with pytest.raises(Conflict):
        make_entry(session, item, text="Added later")


def test_changes_leave_audit_events(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Words")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="Better words"))
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "minute_entry")
                          .order_by(AuditEvent.id)).all()
    assert [(e.verb, e.object_id) for e in events] == [("create", entry.id), ("update", entry.id)]
    assert all(e.actor == "tests" and e.occurred_at.tzinfo is not None for e in events)


def test_a_creation_sent_twice_makes_one_entry(session):
    from app.schemas import EntryCreate

    item = make_item(session, make_meeting(session))
    data = EntryCreate(text="The PCC asked", client_id="tab1-0001-abcd")
    first = entries.create_entry(session, item_id=item.id, data=data, by=SYSTEM)
    again = entries.create_entry(session, item_id=item.id, data=data, by=SYSTEM)
    assert again.id == first.id
    assert [e.id for e in entries.entries_of(session, item.id)] == [first.id]
    other = make_item(session, make_meeting(session))
    with pytest.raises(Conflict):
        entries.create_entry(session, item_id=other.id, data=data, by=SYSTEM)


def test_a_deleted_entry_is_kept_and_can_be_restored_in_its_place(session):
    from app.services.errors import NotFound

    item = make_item(session, make_meeting(session))
    first, second, third = (make_entry(session, item, text=t) for t in ("One", "Two", "Three"))
    entries.delete_entry(session, entry_id=second.id, by=SYSTEM)
    assert [e.text for e in entries.entries_of(session, item.id)] == ["One", "Three"]
    with pytest.raises(NotFound):
        entries.get_entry(session, entry_id=second.id, by=SYSTEM)
    entries.restore_entry(session, entry_id=second.id, by=SYSTEM)
    assert [e.text for e in entries.entries_of(session, item.id)] == ["One", "Two", "Three"]
    with pytest.raises(NotFound):  # only a deleted entry can be restored
        entries.restore_entry(session, entry_id=second.id, by=SYSTEM)


def test_question_and_answer_entries_keep_their_question_in_step(session):
    from app.models import Answer, EntryKind, QuestionStatus
    from app.schemas import QuestionCreate
    from app.services.questions import answers_of, create_question
    from tests.factories import make_person

    meeting = make_meeting(session)
    item = make_item(session, meeting)
    pcc, cc = make_person(session, role_abbreviation="PCC"), make_person(session,
                                                                         role_abbreviation="CC")
    question = create_question(session, by=SYSTEM, data=QuestionCreate(
        text="Is the force ready?", asked_by_id=pcc.id, addressed_to_id=cc.id,
        meeting_id=meeting.id, item_id=item.id, status=QuestionStatus.sent))
    make_entry(session, item, kind=EntryKind.question, question_id=question.id,
               speaker_id=pcc.id, text="The PCC asked the CC if the force is ready.")
    assert question.status == QuestionStatus.asked
    answer = make_entry(session, item, kind=EntryKind.answer, question_id=question.id,
                        speaker_id=cc.id, text="The CC said it")
    entries.update_entry(session, entry_id=answer.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="The CC said it was ready."))
    recorded = answers_of(session, [question.id])[question.id]
    assert [(a.text, a.respondent_id, a.entry_id) for a in recorded] == [
        ("The CC said it was ready.", cc.id, answer.id)]
    assert question.status == QuestionStatus.answered
    entries.delete_entry(session, entry_id=answer.id, by=SYSTEM)
    assert session.exec(select(Answer)).all() == []
    assert question.status == QuestionStatus.asked


def test_own_later_saves_from_the_same_tab_are_not_a_conflict(session):
    """A tab reloaded while its save was on the way was built from version 1; that save then
    landed (version 2). The reloaded tab's next save, made from version 1, is its own work
    going on, not someone else's change."""
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="The DCC", device="tab-a")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="The DCC replied", device="tab-a"))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=2, text="The DCC replied that", device="tab-a"))
    saved = entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="The DCC replied that the benefits", device="tab-a"))
    assert (saved.version, saved.text) == (4, "The DCC replied that the benefits")
    revisions = entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)
    assert [(r.version, r.device) for r in revisions] == [
        (1, "tab-a"), (2, "tab-a"), (3, "tab-a"), (4, "tab-a")]


def test_a_save_sent_before_a_reload_that_lands_late_does_not_undo_the_later_one(session):
    """The tab sent save 1 ("A B", from version 1) and was reloaded before it landed; the
    reloaded tab's save 2 ("A B C", also from version 1: its text and more) landed first.
    When save 1 lands at last it is older than what the tab has had kept: nothing changes."""
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="A", device="tab-a", device_seq=1)
    later = entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="A B C", device="tab-a", device_seq=3))
    assert later.version == 2
    late = entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="A B", device="tab-a", device_seq=2))
    assert (late.version, late.text) == (2, "A B C")
    assert [r.text for r in entries.list_revisions(session, entry_id=entry.id, by=SYSTEM)] == [
        "A", "A B C"]
    # Without its count (an older page) it is saved as before, and the tab's next save
    # (made from version 2) brings the text back.
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=1, text="A B", device="tab-a"))
    saved = entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
        version=2, text="A B C D", device="tab-a", device_seq=4))
    assert (saved.version, saved.text) == (4, "A B C D")


@pytest.mark.parametrize("colleague", ["tab-b", None])
def test_a_colleagues_save_in_between_is_still_a_conflict(session, colleague):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="The DCC", device="tab-a")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="The DCC replied", device="tab-a"))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=2, text="The DCC said", device=colleague))
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=3, text="The DCC said so", device="tab-a"))
    for device in ("tab-a", None):
        with pytest.raises(Conflict) as err:
            entries.update_entry(session, entry_id=entry.id, by=SYSTEM, data=EntryUpdate(
                version=1, text="The DCC replied that", device=device))
        assert (err.value.current.version, err.value.current.text) == (4, "The DCC said so")
    # Saves from a version after the colleague's are the tab's own again.
    saved = entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                                 data=EntryUpdate(version=3, text="The DCC said so.",
                                                  device="tab-a"))
    assert saved.version == 5


def test_a_save_without_a_tab_from_an_older_version_is_a_conflict(session):
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="One")
    entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                         data=EntryUpdate(version=1, text="Two"))
    with pytest.raises(Conflict):
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=1, text="Three"))
    with pytest.raises(Conflict):  # a version the entry has not reached yet
        entries.update_entry(session, entry_id=entry.id, by=SYSTEM,
                             data=EntryUpdate(version=7, text="Three", device="tab-a"))


@pytest.mark.parametrize("device", ["", "has space", "ü-tab", "x" * 65, "a/b", 12, ["tab"]])
def test_a_bad_device_is_refused_422_and_nothing_changes(client, session, device):
    from app.models import Role
    from tests.factories import bearer, make_user

    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Kept")
    _, token = make_user(session, Role.secretariat)
    response = client.patch(f"/api/v1/entries/{entry.id}", headers=bearer(token),
                            json={"version": 1, "text": "Changed", "device": device})
    assert response.status_code == 422
    assert "device" in response.json()["errors"]
    response = client.post(f"/api/v1/items/{item.id}/entries", headers=bearer(token),
                           json={"text": "New", "device": device})
    assert response.status_code == 422
    assert "device" in response.json()["errors"]
    after = client.get(f"/api/v1/entries/{entry.id}", headers=bearer(token)).json()
    assert (after["text"], after["version"]) == ("Kept", 1)
    assert len(client.get(f"/api/v1/items/{item.id}/entries", headers=bearer(token)).json()) == 1


def test_a_good_device_is_accepted_through_the_api(client, session):
    from app.models import Role
    from tests.factories import bearer, make_user

    item = make_item(session, make_meeting(session))
    _, token = make_user(session, Role.secretariat)
    created = client.post(f"/api/v1/items/{item.id}/entries", headers=bearer(token),
                          json={"text": "One", "device": "c0123abcdef-_XYZ"})
    assert created.status_code == 201
    entry_id = created.json()["id"]
    client.patch(f"/api/v1/entries/{entry_id}", headers=bearer(token),
                 json={"version": 1, "text": "Two", "device": "c0123abcdef-_XYZ"})
    response = client.patch(f"/api/v1/entries/{entry_id}", headers=bearer(token),
                            json={"version": 1, "text": "Three", "device": "c0123abcdef-_XYZ"})
    assert response.status_code == 200 and response.json()["version"] == 3
    response = client.patch(f"/api/v1/entries/{entry_id}", headers=bearer(token),
                            json={"version": 1, "text": "Four", "device": "another-tab"})
    assert response.status_code == 409


@pytest.mark.parametrize("count", [0, -1, "x", 2**40, 1.5, [1]])
def test_a_bad_save_count_is_refused_422_and_nothing_changes(client, session, count):
    from app.models import Role
    from tests.factories import bearer, make_user

    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Kept")
    _, token = make_user(session, Role.secretariat)
    response = client.patch(f"/api/v1/entries/{entry.id}", headers=bearer(token), json={
        "version": 1, "text": "Changed", "device": "tab-a", "device_seq": count})
    assert response.status_code == 422
    assert "device_seq" in response.json()["errors"]
    after = client.get(f"/api/v1/entries/{entry.id}", headers=bearer(token)).json()
    assert (after["text"], after["version"]) == ("Kept", 1)


def _colleagues(session):
    """Two officers with names, signed in on two pages."""
    from app.models import Role
    from app.services.identity import actor_for
    from tests.factories import make_person, make_user

    users = [make_user(session, Role.secretariat, person=make_person(session, full_name=name))[0]
             for name in ("Nadia Ahmed", "Tom Reid")]
    return [actor_for(session, user) for user in users]


def test_a_colleagues_change_to_other_words_is_merged_with_nothing_lost(session):
    me, colleague = _colleagues(session)
    item = make_item(session, make_meeting(session))
    base = "The CC said that resources are sufficient. The PCC thanked him."
    entry = make_entry(session, item, text=base)
    entries.update_entry(session, entry_id=entry.id, by=colleague, data=EntryUpdate(
        version=1, text=base.replace("thanked", "praised"), kind="decision", device="tab-b"))
    saved = entries.update_entry(session, entry_id=entry.id, by=me, data=EntryUpdate(
        version=1, text=base.replace("sufficient", "adequate"), kind="narrative",
        device="tab-a", device_seq=1))
    assert saved.version == 3
    assert saved.text == "The CC said that resources are adequate. The PCC praised him."
    assert saved.kind == "decision"  # my page did not change the kind: the colleague's stays
    revisions = entries.list_revisions(session, entry_id=entry.id, by=me)
    assert (revisions[-1].text, revisions[-1].device) == (saved.text, "tab-a")


def test_overlapping_changes_are_refused_with_both_sides_and_who_changed_it(session):
    me, colleague = _colleagues(session)
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="The CC responded")
    entries.update_entry(session, entry_id=entry.id, by=colleague, data=EntryUpdate(
        version=1, text="The CC responded that campaigns are national.", kind="answer"))
    with pytest.raises(Conflict) as err:
        entries.update_entry(session, entry_id=entry.id, by=me, data=EntryUpdate(
            version=1, text="The CC responded that resources are sufficient.",
            kind="decision", device="tab-a"))
    details = err.value.extra
    assert details["changed_by"] == ["Tom Reid"]
    assert details["clashing"] == ["text", "kind"]
    assert details["base"]["text"] == "The CC responded"
    proposal = details["proposal"]["text"]
    assert "resources are sufficient." in proposal and "campaigns are national." in proposal
    assert str(err.value).startswith("Tom Reid changed this paragraph")
    after = entries.get_entry(session, entry_id=entry.id, by=me)
    assert (after.version, after.text) == (2, "The CC responded that campaigns are national.")


def test_a_save_of_a_paragraph_a_colleague_deleted_says_who_deleted_it(session):
    from app.services.errors import Gone, NotFound

    me, colleague = _colleagues(session)
    item = make_item(session, make_meeting(session))
    entry = make_entry(session, item, text="Words")
    entries.delete_entry(session, entry_id=entry.id, by=colleague)
    with pytest.raises(Gone) as err:
        entries.update_entry(session, entry_id=entry.id, by=me,
                             data=EntryUpdate(version=1, text="Words and more"))
    assert err.value.extra["deleted_by"] == "Tom Reid"
    with pytest.raises(NotFound):  # an entry that never was is still not found
        entries.update_entry(session, entry_id=entry.id + 1000, by=me,
                             data=EntryUpdate(version=1, text="Words"))


def test_the_api_gives_the_page_what_it_needs_to_settle_a_clash_or_a_deletion(client, session):
    from app.models import Role
    from tests.factories import bearer, make_person, make_user

    item = make_item(session, make_meeting(session))
    _, mine = make_user(session, Role.secretariat)
    _, theirs = make_user(session, Role.secretariat,
                          person=make_person(session, full_name="Tom Reid"))
    entry_id = client.post(f"/api/v1/items/{item.id}/entries", headers=bearer(mine),
                           json={"text": "The CC said"}).json()["id"]
    client.patch(f"/api/v1/entries/{entry_id}", headers=bearer(theirs),
                 json={"version": 1, "text": "The CC said no."})
    response = client.patch(f"/api/v1/entries/{entry_id}", headers=bearer(mine),
                            json={"version": 1, "text": "The CC said yes.", "device": "tab-a"})
    assert response.status_code == 409
    body = response.json()
    assert body["changed_by"] == ["Tom Reid"] and body["clashing"] == ["text"]
    assert body["current"]["text"] == "The CC said no."
    assert body["base"]["text"] == "The CC said"
    assert body["proposal"]["text"] == "The CC said yes. no."
    assert client.delete(f"/api/v1/entries/{entry_id}", headers=bearer(theirs)).status_code == 204
    response = client.patch(f"/api/v1/entries/{entry_id}", headers=bearer(mine),
                            json={"version": 2, "text": "The CC said no, twice."})
    assert response.status_code == 410
    assert response.json()["deleted_by"] == "Tom Reid"
    assert "Tom Reid deleted this paragraph" in response.json()["detail"]
