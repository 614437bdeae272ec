"""The app bench_autosave.py serves: Assure's own, plus one minimal write route to compare with.

POST /bench/insert goes through the same stack as a save (the middleware, the per-request
session dependency that opens write requests with BEGIN IMMEDIATE, the bearer-token actor) and
inserts and commits one audit event: the least a write request can do. Used by the benchmark
only; `uvicorn autosave_app:app --app-dir bench`.
"""

from fastapi import status

from app.db import SessionDep
from app.main import create_app
from app.services import audit
from app.web.deps import ActorDep

app = create_app()


@app.post("/bench/insert", status_code=status.HTTP_201_CREATED, include_in_schema=False)
def bench_insert(session: SessionDep, actor: ActorDep) -> dict:
    event = audit.record(session, by=actor, verb="bench", object_type="bench", object_id=None)
    session.commit()
    return {"id": event.id}
