from app.models import Role
from tests.factories import bearer, make_user


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_people_api_round_trip(client, session):
    _, token = make_user(session, Role.secretariat)
    response = client.post("/api/v1/people", headers=bearer(token), json={
        "full_name": "Amanda Blakeman", "initials": "AB", "role_title": "Deputy Chief Constable",
        "role_abbreviation": "DCC", "side": "force"})
    assert response.status_code == 201, response.text
    assert response.json()["role_abbreviation"] == "DCC"
