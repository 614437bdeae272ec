"""The API's lists come a page at a time: `limit` rows and a `next` link (also in the Link
header) to the rest. A client walking the pages gets every row it may see exactly once, in
order, even when rows are added while it walks; a cursor only works for the list and filters
it was made for, and a bad limit or cursor is refused with a message naming it."""

from datetime import datetime

import pytest

from app.schemas import ActionUpdateCreate, EntryUpdate, QuestionCreate
from app.services import actions, entries, questions
from tests.factories import SYSTEM, bearer, make_action, make_meeting, make_person

SECRETARIAT = "secretariat"


def _paths(world) -> dict[str, str]:
    return {
        "actions": "/api/v1/actions",
        "meetings": "/api/v1/meetings",
        "people": "/api/v1/people",
        "questions": "/api/v1/questions",
        "updates": f"/api/v1/actions/{world.action.id}/updates",
        "revisions": f"/api/v1/entries/{world.entry.id}/revisions",
    }


def _grow(session, world, n: int = 1, tag: str = "") -> None:
    """Add n rows to every list."""
    for i in range(n):
        make_person(session, full_name=f"{tag}Paged Person {i:02d}")
        # Two meetings at the same time: the id settles their order.
        make_meeting(session, world.series, starts_at=datetime(2020, 1 + i % 12, 7, 10))
        make_action(session, [world.cc], meeting_id=world.meeting.id, text=f"{tag}Action {i}")
        questions.create_question(session, by=SYSTEM, data=QuestionCreate(
            text=f"{tag}Question {i}?", asked_by_id=world.pcc.id, addressed_to_id=world.cc.id,
            meeting_id=world.meeting.id, status="sent"))
        actions.add_update(session, action_id=world.action.id, by=SYSTEM,
                           data=ActionUpdateCreate(text=f"{tag}Update {i}"))
        entry = entries.get_entry(session, entry_id=world.entry.id, by=SYSTEM)
        entries.update_entry(session, entry_id=world.entry.id, by=SYSTEM,
                             data=EntryUpdate(version=entry.version, text=f"{tag}Words {i}"))
    session.commit()
    make_meeting(session, world.series, starts_at=datetime(2020, 1, 7, 10))


def _get(client, url, role=SECRETARIAT, world=None, **params):
    return client.get(url, headers=bearer(world.tokens[role]), params=params or None)


def _walk(client, world, url, role=SECRETARIAT, between=None, **params):
    """Every row of a list, a page at a time; `between` runs after the first page."""
    rows, pages = [], 0
    response = _get(client, url, role, world, **params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        link = response.headers.get("link")
        if body["next"] is None:
            assert link is None
        else:
            assert link == f'<{body["next"]}>; rel="next"'
        rows.extend(body["results"])
        pages += 1
        if body["next"] is None:
            return rows, pages
        if between and pages == 1:
            between()
        response = client.get(body["next"], headers=bearer(world.tokens[role]))


def _ids(rows) -> list[int]:
    """Each row's id (a revision's version: revisions have no id of their own)."""
    return [r["id"] if "id" in r else r["version"] for r in rows]


def _everything(client, world, url, role=SECRETARIAT, **params):
    body = _get(client, url, role, world, limit=500, **params).json()
    assert body["next"] is None
    return body["results"]


@pytest.mark.parametrize("name", ["actions", "meetings", "people", "questions", "updates",
                                  "revisions"])
def test_walking_the_pages_gives_every_row_once_in_order(client, world, session, name):
    _grow(session, world, 5)
    url = _paths(world)[name]
    whole = _everything(client, world, url)
    assert len(whole) >= 5
    walked, pages = _walk(client, world, url, limit=2)
    assert _ids(walked) == _ids(whole)
    assert pages == -(-len(whole) // 2)
    first = _get(client, url, world=world, limit=2).json()
    assert len(first["results"]) == 2 and first["next"]


def test_each_list_keeps_its_documented_order(client, world, session):
    _grow(session, world, 3)
    paths = _paths(world)
    people = _everything(client, world, paths["people"])
    assert [(p["full_name"], p["id"]) for p in people] == sorted(
        (p["full_name"], p["id"]) for p in people)
    held = _everything(client, world, paths["meetings"])
    keys = [(datetime.fromisoformat(m["starts_at"]), m["id"]) for m in held]
    assert keys == sorted(keys, reverse=True)
    revisions = _everything(client, world, paths["revisions"])
    assert [r["version"] for r in revisions] == sorted(r["version"] for r in revisions)


@pytest.mark.parametrize("name", ["actions", "meetings", "people", "questions", "updates",
                                  "revisions"])
def test_rows_added_between_pages_neither_shift_nor_repeat_rows(client, world, session, name):
    _grow(session, world, 3)
    url = _paths(world)[name]
    before = _ids(_everything(client, world, url))
    walked, _ = _walk(client, world, url, limit=2,
                      between=lambda: _grow(session, world, 2, tag="A"))
    ids = _ids(walked)
    assert len(ids) == len(set(ids)), "a row came twice"
    assert [i for i in ids if i in before] == before, "a row was skipped or moved"


def test_filters_are_kept_in_the_next_link(client, world, session):
    _grow(session, world, 4)
    walked, pages = _walk(client, world, "/api/v1/actions", limit=2,
                          meeting_id=world.meeting.id, status="open")
    assert pages > 1
    assert all(a["meeting_id"] == world.meeting.id and a["status"] == "open" for a in walked)
    assert [a["id"] for a in walked] == [a["id"] for a in _everything(
        client, world, "/api/v1/actions", meeting_id=world.meeting.id, status="open")]
    nxt = _get(client, "/api/v1/actions", world=world, limit=2, meeting_id=world.meeting.id,
               status="open").json()["next"]
    assert f"meeting_id={world.meeting.id}" in nxt and "status=open" in nxt and "limit=2" in nxt
    themed, _ = _walk(client, world, "/api/v1/questions", limit=1, meeting_id=world.meeting.id)
    assert themed and all(q["meeting_id"] == world.meeting.id for q in themed)


def test_a_cursor_from_another_list_or_other_filters_is_refused(client, world, session):
    _grow(session, world, 3)
    cursor = _get(client, "/api/v1/actions", world=world, limit=1,
                  status="open").json()["next"].split("cursor=")[1]
    for url, params in (("/api/v1/actions", {"status": "closed"}),
                        ("/api/v1/actions", {}),
                        ("/api/v1/people", {}),
                        (f"/api/v1/actions/{world.other_action.id}/updates", {})):
        response = _get(client, url, world=world, cursor=cursor, **params)
        assert response.status_code == 422, (url, response.text)
        assert "cursor" in response.json()["errors"]
    updates = _get(client, _paths(world)["updates"], world=world, limit=1).json()["next"]
    other = _get(client, f"/api/v1/actions/{world.other_action.id}/updates", world=world,
                 cursor=updates.split("cursor=")[1])
    assert other.status_code == 422 and "cursor" in other.json()["errors"]


@pytest.mark.parametrize("cursor", ["garbage", "", "eyJ9", "x" * 100, "%%%", "eyJiIjoxfQ"])
def test_a_garbled_cursor_is_refused(client, world, cursor):
    response = _get(client, "/api/v1/people", world=world, cursor=cursor)
    if cursor == "":
        assert response.status_code == 200  # an empty cursor is the first page
        return
    assert response.status_code == 422, response.text
    assert "cursor" in response.json()["errors"]


def test_a_cursor_altered_by_hand_is_refused(client, world, session):
    import base64
    import json
    _grow(session, world, 3)
    cursor = _get(client, "/api/v1/people", world=world, limit=1).json()["next"] \
        .split("cursor=")[1]
    signed = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    body = json.loads(signed["b"])
    body["k"][-1][1] = 1  # start from another row
    signed["b"] = json.dumps(body, separators=(",", ":"))
    forged = base64.urlsafe_b64encode(json.dumps(signed).encode()).decode()
    response = _get(client, "/api/v1/people", world=world, cursor=forged)
    assert response.status_code == 422 and "cursor" in response.json()["errors"]


@pytest.mark.parametrize("name", ["actions", "meetings", "people", "questions", "updates",
                                  "revisions"])
@pytest.mark.parametrize("limit", ["0", "501", "abc", "-1"])
def test_a_limit_out_of_range_is_refused_naming_it(client, world, name, limit):
    response = _get(client, _paths(world)[name], world=world, limit=limit)
    assert response.status_code == 422, response.text
    assert list(response.json()["errors"]) == ["limit"]


def test_the_largest_and_default_limits(client, world, session):
    assert _get(client, "/api/v1/people", world=world, limit=500).status_code == 200
    body = _get(client, "/api/v1/people", world=world).json()
    assert body["next"] is None and len(body["results"]) <= 100


def test_pages_do_not_reveal_exempt_actions(client, world, session):
    """A viewer paging one action at a time gets full pages of what they may see; the exempt
    action is neither listed nor leaves a short or empty page behind."""
    _grow(session, world, 2)
    everything = _everything(client, world, "/api/v1/actions")
    seen = _everything(client, world, "/api/v1/actions", role="viewer")
    assert world.exempt_action.id in [a["id"] for a in everything]
    assert world.exempt_action.id not in [a["id"] for a in seen]
    walked, pages = _walk(client, world, "/api/v1/actions", role="viewer", limit=1)
    assert [a["id"] for a in walked] == [a["id"] for a in seen]
    assert pages == len(seen)


def test_pages_do_not_reveal_questions_kept_from_the_force(client, world, session):
    _grow(session, world, 2)
    draft = questions.create_question(session, by=SYSTEM, data=QuestionCreate(
        text="Not yet sent?", asked_by_id=world.pcc.id, addressed_to_id=world.cc.id,
        meeting_id=world.meeting.id))
    _grow(session, world, 2, tag="B")
    seen = _everything(client, world, "/api/v1/questions", role="viewer")
    assert draft.id not in [q["id"] for q in seen]
    walked, pages = _walk(client, world, "/api/v1/questions", role="viewer", limit=1)
    assert [q["id"] for q in walked] == [q["id"] for q in seen] and pages == len(seen)


def test_the_contract_documents_paging(client, world):
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/actions", "/api/v1/meetings", "/api/v1/people", "/api/v1/questions",
                 "/api/v1/actions/{action_id}/updates", "/api/v1/entries/{entry_id}/revisions"):
        operation = spec["paths"][path]["get"]
        names = {p["name"]: p for p in operation["parameters"]}
        assert names["limit"]["schema"]["maximum"] == 500
        assert names["limit"]["schema"]["default"] == 100
        assert "cursor" in names and names["cursor"]["description"]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        model = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert set(model["properties"]) == {"results", "next"}
        assert "Link" in operation["responses"]["200"]["headers"]
