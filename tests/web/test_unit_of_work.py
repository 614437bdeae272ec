"""A request is one unit of work: what its route wrote is committed once, after the route has
made its answer, and only when the answer is not a refusal. A route that raises, or that
answers its form again with what was wrong (status 400 and above), leaves nothing behind; a
commit that fails is never answered "saved"."""

import pytest
from fastapi import Request
from sqlalchemy import event
from sqlmodel import select

from app.db import SessionDep
from app.models import Person, Side
from app.services.errors import Conflict
from app.web.templating import render


@pytest.fixture
def routes(app):
    """Routes of the real app's kind, each writing a person and then answering in one way."""

    def add(session, name: str) -> None:
        session.add(Person(full_name=name, initials="T", role_title="Tester", side=Side.opcc))
        session.flush()

    @app.post("/_uow/saved")
    def saved(session: SessionDep) -> dict:
        add(session, "Saved")
        return {"ok": True}

    @app.post("/_uow/raised")
    def raised(session: SessionDep) -> dict:
        add(session, "Raised")
        raise Conflict("Someone else changed this first.")

    @app.post("/_uow/rendered")
    def rendered(request: Request, session: SessionDep):
        add(session, "Rendered")
        return render(request, "sign_in.html", {"errors": {"email": "wrong"}, "email": ""},
                      status_code=422)

    @app.post("/_uow/pending")
    def pending(session: SessionDep) -> dict:
        # Not flushed: the person is written by the commit at the end of the request.
        session.add(Person(full_name="Pending", initials="T", role_title="Tester",
                           side=Side.opcc))
        return {"ok": True}

    @app.get("/_uow/read")
    def read(session: SessionDep) -> dict:
        add(session, "Read")  # what a read records (a "last seen" time) is kept too
        return {"ok": True}

    return app


def names(session) -> list[str]:
    session.rollback()
    return sorted(p.full_name for p in session.exec(select(Person)))


def test_what_a_route_wrote_is_committed_when_it_answers(client, session, routes):
    assert client.post("/_uow/saved").status_code == 200
    assert client.get("/_uow/read").status_code == 200
    assert names(session) == ["Read", "Saved"]


def test_a_route_that_raises_leaves_nothing(client, session, routes):
    response = client.post("/_uow/raised")
    assert response.status_code == 409
    assert names(session) == []


def test_a_form_answered_again_with_its_errors_leaves_nothing(client, session, routes):
    response = client.post("/_uow/rendered")
    assert response.status_code == 422
    assert names(session) == []


def test_a_commit_that_fails_is_not_answered_saved(client, session, routes, engine):
    def refuse(_connection, _cursor, statement, *_):
        if statement.lstrip().upper().startswith("INSERT INTO PERSON"):
            raise RuntimeError("the disk is full")

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        response = client.post("/_uow/pending")
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
    assert response.status_code >= 500
    assert names(session) == []
