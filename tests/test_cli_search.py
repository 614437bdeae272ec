"""`assure search WORDS [--kind K] [--json]` (issue 18) on the demo office."""

import json

from app.cli import main
from tests.test_cli import fresh_db  # noqa: F401  (the fixture)


def test_search_prints_json_as_the_api_answers(fresh_db, capsys):  # noqa: F811
    assert main(["demo", "load", "--if-empty"]) == 0
    capsys.readouterr()
    assert main(["search", "policing", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["total"] >= 1 and body["results"]
    assert set(body["results"][0]) == {"kind", "id", "meeting_id", "title", "snippet", "url",
                                       "date"}
    assert any("<mark>" in r["snippet"] for r in body["results"])
    assert main(["search", "policing", "--kind", "item", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["results"]
    assert items and {r["kind"] for r in items} == {"item"}
    assert main(["search", "roads", "policing"]) == 0
    assert "found" in capsys.readouterr().out


def test_search_refuses_nothing_to_look_for(fresh_db, capsys):  # noqa: F811
    assert main(["search", "--", "-police"]) == 1
    assert "Nothing searched: q:" in capsys.readouterr().err
