"""The API reads and sets a series' minutes format; bad options are 422, each by name."""

import pytest

from tests.factories import bearer


def _sec(world):
    return bearer(world.tokens["secretariat"])


def test_a_series_reads_every_option_of_its_format(client, world):
    got = client.get(f"/api/v1/meeting-types/{world.series.id}", headers=_sec(world)).json()
    fmt = got["minutes_format"]
    assert fmt["preset"] == "notes" and fmt["numbering"] == "nested"
    assert fmt["heading"] == "{series} {month_year} – Meeting Notes"
    assert fmt["actions"] == ["column"] and fmt["show_end_time"] is False
    listed = client.get("/api/v1/meeting-types", headers=_sec(world)).json()
    assert all("minutes_format" in series for series in listed)


def test_a_series_is_made_with_a_preset_and_an_option_changed(client, world):
    made = client.post("/api/v1/meeting-types", headers=_sec(world), json={
        "name": "Police and Crime Panel",
        "minutes_format": {"preset": "panel", "first_minute_number": 598}})
    assert made.status_code == 201, made.text
    fmt = made.json()["minutes_format"]
    assert fmt["preset"] == "panel" and fmt["numbering"] == "running"
    assert fmt["first_minute_number"] == 598 and fmt["heading"] == "Minutes of the {series}"


def test_a_series_format_is_changed_and_other_fields_stay(client, world):
    path = f"/api/v1/meeting-types/{world.series.id}"
    changed = client.patch(path, headers=_sec(world), json={
        "minutes_format": {"preset": "board", "naming": "full_name"}})
    assert changed.status_code == 200, changed.text
    again = client.get(path, headers=_sec(world)).json()
    assert again["minutes_format"]["preset"] == "board"
    assert again["minutes_format"]["naming"] == "full_name"
    assert again["minutes_format"]["decision_label"] == "Decision:"
    assert again["name"] == world.series.name
    renamed = client.patch(path, headers=_sec(world), json={"name": "Accountability Board"})
    assert renamed.json()["minutes_format"]["preset"] == "board"  # left alone


@pytest.mark.parametrize("options, field", [
    ({"preset": "council"}, "minutes_format.preset"),
    ({"colour": "blue"}, "minutes_format.colour"),
    ({"show_purpose": "yes"}, "minutes_format.show_purpose"),
    ({"first_minute_number": "598"}, "minutes_format.first_minute_number"),
    ({"heading": "Minutes {when}"}, "minutes_format.heading"),
])
def test_a_bad_option_is_422_by_name_and_nothing_changes(client, world, options, field):
    path = f"/api/v1/meeting-types/{world.series.id}"
    client.patch(path, headers=_sec(world), json={"minutes_format": {"preset": "board"}})
    refused = client.patch(path, headers=_sec(world),
                           json={"name": "Renamed", "minutes_format": options})
    assert refused.status_code == 422, refused.text
    assert field in refused.json()["errors"]
    after = client.get(path, headers=_sec(world)).json()
    assert after["minutes_format"]["preset"] == "board" and after["name"] != "Renamed"
    made = client.post("/api/v1/meeting-types", headers=_sec(world),
                       json={"name": "Another", "minutes_format": options})
    assert made.status_code == 422 and field in made.json()["errors"]


@pytest.mark.parametrize("value", ["board", ["board"], None, 5])
def test_a_format_that_is_not_an_object_is_422(client, world, value):
    refused = client.patch(f"/api/v1/meeting-types/{world.series.id}", headers=_sec(world),
                           json={"minutes_format": value})
    assert refused.status_code == 422, refused.text
    assert "minutes_format" in refused.json()["errors"]


def test_readers_cannot_change_the_format(client, world):
    refused = client.patch(f"/api/v1/meeting-types/{world.series.id}",
                           headers=bearer(world.tokens["chair"]),
                           json={"minutes_format": {"preset": "board"}})
    assert refused.status_code == 403
