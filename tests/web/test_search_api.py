"""GET /api/v1/search: the contract, paging and bad input (issue 18)."""

import pytest

from tests.factories import bearer


def test_the_answer_has_the_contract_fields(client, world):
    response = client.get("/api/v1/search?q=ANPR", headers=bearer(world.tokens["secretariat"]))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "total", "next"}
    assert body["total"] == len(body["results"]) >= 2
    first = body["results"][0]
    assert set(first) == {"kind", "id", "meeting_id", "title", "snippet", "url", "date"}
    kinds = {(r["kind"], r["id"]) for r in body["results"]}
    assert ("paragraph", world.entry.id) in kinds and ("action", world.action.id) in kinds
    paragraph = next(r for r in body["results"] if r["kind"] == "paragraph")
    assert paragraph["meeting_id"] == world.meeting.id
    assert paragraph["date"] == "2019-04-30"
    assert "<mark>ANPR</mark>" in paragraph["snippet"]
    assert paragraph["url"] == f"/meetings/{world.meeting.id}"


def test_pages_carry_next_and_a_link_header(client, world):
    headers = bearer(world.tokens["secretariat"])
    first = client.get("/api/v1/search?q=ANPR&limit=1", headers=headers)
    assert first.status_code == 200 and first.json()["next"]
    assert first.headers["Link"].endswith('rel="next"')
    second = client.get(first.json()["next"], headers=headers)
    assert second.status_code == 200
    assert second.json()["results"][0] != first.json()["results"][0]
    assert second.json()["total"] == first.json()["total"]


def test_filters_by_kind(client, world):
    body = client.get("/api/v1/search?q=ANPR&kind=action",
                      headers=bearer(world.tokens["viewer"])).json()
    assert [(r["kind"], r["id"]) for r in body["results"]] == [("action", world.action.id)]


def test_exempt_content_is_neither_found_nor_counted(client, world):
    office = client.get("/api/v1/search?q=published OR secret",
                        headers=bearer(world.tokens["secretariat"])).json()
    viewer = client.get("/api/v1/search?q=published OR secret",
                        headers=bearer(world.tokens["viewer"])).json()
    assert office["total"] == 2  # the exempt paragraph and the exempt action
    assert viewer == {"results": [], "total": 0, "next": None}
    # the exempt action's owner finds their own action
    force = client.get("/api/v1/search?q=published OR secret",
                       headers=bearer(world.tokens["force"])).json()
    assert [(r["kind"], r["id"]) for r in force["results"]] == [
        ("action", world.exempt_action.id)]


@pytest.mark.parametrize("query", [
    "", "?q=", "?q=%20", "?q=" + "x" * 201, "?q=ANPR&kind=widget", "?q=ANPR&from=2026-02-30",
    "?q=ANPR&to=yesterday", "?q=ANPR&from=2020-01-02&to=2020-01-01", "?q=ANPR&cursor=abc",
    "?q=ANPR&limit=501", "?q=ANPR&limit=0", "?q=ANPR&series_id=0", "?q=-ANPR",
    "?q=ANPR&person_id=x",
])
def test_bad_input_is_422(client, world, query):
    response = client.get(f"/api/v1/search{query}", headers=bearer(world.tokens["viewer"]))
    assert response.status_code == 422, response.text
    assert response.json()["errors"]


@pytest.mark.parametrize("q", ['"unclosed', "a) OR (b", "NEAR(x y)", "col:x", "x*", "AND",
                               "^x", "\u0000"])
def test_search_syntax_never_fails(client, world, q):
    response = client.get("/api/v1/search", params={"q": q},
                          headers=bearer(world.tokens["viewer"]))
    assert response.status_code in (200, 422), response.text


def test_without_credentials_401(client):
    assert client.get("/api/v1/search?q=ANPR").status_code == 401
