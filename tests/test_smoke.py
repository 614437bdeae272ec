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


def test_the_server_compiles_every_template_as_it_starts():
    """A template with a mistake in it stops the server starting, instead of a page failing
    the first time someone opens it; and nothing is left for the first page to compile."""
    import gc
    from pathlib import Path

    from fastapi.testclient import TestClient

    from app import main
    from app.web import templating

    on_disk = {p.name for p in Path(templating.TEMPLATES_DIR).glob("*.html")}
    assert templating.compile_all() == len(on_disk) > 60
    settled = list(main._settled)
    main._settled.clear()
    try:
        with TestClient(main.create_app()):
            # what the server made as it started is set aside from the garbage collector
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        main._settled[:] = settled or [True]
