"""Bad input gets a clear 4xx and leaves the data as it was; never a 5xx."""

import pytest

from tests.factories import bearer
from tests.web.test_api_contract import CASES


def _sec(world):
    return bearer(world.tokens["secretariat"])


def test_a_body_that_is_not_json_is_400(client, world):
    response = client.post("/api/v1/people", headers={**_sec(world),
                           "Content-Type": "application/json"}, content=b"{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_wrong_types_and_unknown_fields_name_the_field(client, world):
    response = client.post("/api/v1/people", headers=_sec(world),
                           json={"full_name": ["x"], "initials": "X", "nickname": "Bob"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "full_name" in errors and "nickname" in errors


def test_control_characters_are_refused_and_nothing_changes(client, world):
    path = f"/api/v1/entries/{world.entry.id}"
    response = client.patch(path, headers=_sec(world),
                            json={"version": 1, "text": "Bell\x07 here"})
    assert response.status_code == 422
    assert "control character (U+0007)" in response.json()["errors"]["text"]
    after = client.get(path, headers=_sec(world)).json()
    assert after["text"] == world.entry.text and after["version"] == 1


def test_line_breaks_tabs_emoji_and_smart_quotes_are_kept(client, world):
    text = "“Quoted” – it’s £30k <fine> & 🚓\n• bullet\r\n- dash\tand tab"
    response = client.post(f"/api/v1/items/{world.item.id}/entries", headers=_sec(world),
                           json={"text": text})
    assert response.status_code == 201
    assert response.json()["text"] == text.replace("\r\n", "\n")


def test_huge_text_and_huge_bodies_are_refused(client, world):
    response = client.post(f"/api/v1/items/{world.item.id}/entries", headers=_sec(world),
                           json={"text": "x" * 100_001})
    assert response.status_code == 422
    response = client.post(f"/api/v1/items/{world.item.id}/entries", headers=_sec(world),
                           json={"text": "x" * 3_000_000})
    assert response.status_code == 413


@pytest.mark.parametrize("value", ["2019-02-30T10:00", "2019-13-01T10:00", "0000-01-01T00:00",
                                   "9999-12-31T23:59", "yesterday", 1556614800])
def test_dates_that_do_not_exist_are_422(client, world, value):
    response = client.post("/api/v1/meetings", headers=_sec(world),
                           json={"meeting_type_id": world.series.id, "starts_at": value})
    assert response.status_code == 422, response.text
    assert "starts_at" in response.json()["errors"]


def test_a_time_the_clocks_skip_is_422(client, world):
    # 31 March 2019: clocks went from 01:00 to 02:00 in London.
    response = client.post("/api/v1/meetings", headers=_sec(world),
                           json={"meeting_type_id": world.series.id,
                                 "starts_at": "2019-03-31T01:30"})
    assert response.status_code == 422
    assert "does not exist in London" in response.json()["errors"]["starts_at"]


@pytest.mark.parametrize(("sent", "shown"), [
    ("2019-04-30T10:00", "2019-04-30T10:00:00+01:00"),
    ("2019-01-15T10:00:00", "2019-01-15T10:00:00+00:00"),
    ("2019-04-30T09:00:00Z", "2019-04-30T10:00:00+01:00"),
    ("2019-10-27T01:30", "2019-10-27T01:30:00+01:00"),  # the hour that happens twice: the first
])
def test_times_without_offset_are_london_time_and_answers_carry_the_offset(
        client, world, sent, shown):
    response = client.post("/api/v1/meetings", headers=_sec(world),
                           json={"meeting_type_id": world.series.id, "starts_at": sent})
    assert response.status_code == 201, response.text
    assert response.json()["starts_at"] == shown


def test_ids_too_large_for_the_database_are_422_not_500(client, world):
    huge = 2**63
    assert client.get(f"/api/v1/meetings/{huge}", headers=_sec(world)).status_code == 422
    response = client.post("/api/v1/actions", headers=_sec(world),
                           json={"text": "x", "owner_ids": [huge]})
    assert response.status_code == 422


def test_unknown_ids_in_a_body_are_422_naming_the_field(client, world):
    response = client.post("/api/v1/meetings", headers=_sec(world),
                           json={"meeting_type_id": 999999, "starts_at": "2019-05-28T10:00",
                                 "chair_id": 888888})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"meeting_type_id", "chair_id"}


def test_null_for_a_field_that_must_have_a_value_is_422(client, world):
    response = client.patch(f"/api/v1/people/{world.pcc.id}", headers=_sec(world),
                            json={"full_name": None})
    assert response.status_code == 422
    assert client.get(f"/api/v1/people/{world.pcc.id}",
                      headers=_sec(world)).json()["full_name"] == "John Campion"


def test_an_end_before_the_start_is_422(client, world):
    response = client.post("/api/v1/meetings", headers=_sec(world),
                           json={"meeting_type_id": world.series.id,
                                 "starts_at": "2019-05-28T10:00", "ends_at": "2019-05-28T09:00"})
    assert response.status_code == 422
    assert "ends_at" in response.json()["errors"]


NASTY = [None, -1, 0, 2**63, 1.5, True, "", "\x00", [], {}, "2019-02-30", "💥",
         "<script>alert(1)</script>", ["a", None]] + [
    # Strings just over each column width: the API must refuse them before the database does.
    "x" * n for n in (11, 21, 41, 61, 81, 201, 301, 321, 501, 5000)]


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.body is not None])
def test_no_field_value_makes_the_server_fail(client, qworld, name):
    case = CASES[name]
    world = qworld
    body = case.body(world)
    rows = body if isinstance(body, list) else [body]
    for field in rows[0]:
        for value in NASTY:
            broken = [dict(row) for row in rows]
            broken[0][field] = value
            payload = broken if isinstance(body, list) else broken[0]
            response = client.request(case.method, case.path(world), headers=_sec(world),
                                      json=payload)
            assert response.status_code < 500, (field, value, response.text)
    for payload in (None, [], "text", 5, [body], {"__proto__": 1}):
        response = client.request(case.method, case.path(world), headers=_sec(world),
                                  json=payload)
        assert response.status_code < 500, (payload, response.text)


def test_a_name_of_only_spaces_is_empty(client, world):
    response = client.post("/api/v1/people", headers=_sec(world),
                           json={"full_name": "   ", "initials": "X"})
    assert response.status_code == 422
    assert response.json()["errors"]["full_name"] == "must not be empty"


def test_a_lone_surrogate_is_refused(client, world):
    response = client.post(f"/api/v1/items/{world.item.id}/entries", headers={
        **_sec(world), "Content-Type": "application/json"}, content=b'{"text": "bad \\ud800"}')
    assert response.status_code == 422
    assert "text" in response.json()["errors"]


def test_a_persons_title_is_saved_read_back_and_refused_when_too_long(client, world):
    made = client.post("/api/v1/people", headers=_sec(world),
                       json={"full_name": "Gareth Jones", "initials": "GJ", "title": "Cllr"})
    assert made.status_code == 201, made.text
    assert made.json()["title"] == "Cllr"
    path = f"/api/v1/people/{made.json()['id']}"
    too_long = client.patch(path, headers=_sec(world), json={"title": "C" * 21})
    assert too_long.status_code == 422 and "title" in too_long.json()["errors"]
    changed = client.patch(path, headers=_sec(world), json={"title": "Dr"})
    assert changed.status_code == 200 and changed.json()["title"] == "Dr"
    assert client.get(path, headers=_sec(world)).json()["title"] == "Dr"
    untitled = client.get(f"/api/v1/people/{world.pcc.id}", headers=_sec(world)).json()
    assert untitled["title"] == ""
