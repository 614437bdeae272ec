"""Administration pages: who is signed in, and signing people out."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.config import get_settings
from app.db import SessionDep
from app.services import identity
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/sessions")
def sessions_page(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.manage_users, "Only an administrator can see everyone's sessions.")
    settings = get_settings()
    rows = identity.live_sessions(session, idle_minutes=settings.idle_minutes(),
                                  current_id=caller.web_session.id if caller.web_session else None)
    people: dict[int | None, dict] = {}
    for row in rows:
        entry = people.setdefault(row.user.id, {"user": row.user, "name": row.name, "count": 0})
        entry["count"] += 1
    return render(request, "admin_sessions.html", {
        "page_title": "Signed-in sessions", "rows": rows, "people": list(people.values()),
        "idle_minutes": settings.session_idle_minutes, "max_hours": settings.session_max_hours,
    })


@router.post("/admin/sessions/{session_id}/sign-out")
def sign_out_session(request: Request, session: SessionDep, caller: PageCaller,
                     session_id: IdPath):
    require(caller.actor, Perm.manage_users, "Only an administrator can sign other people out.")
    identity.revoke_session(session, session_id=session_id, by=caller.actor)
    return RedirectResponse("/admin/sessions", status_code=303)


@router.post("/admin/users/{user_id}/sign-out")
def sign_out_user(request: Request, session: SessionDep, caller: PageCaller,
                  user_id: IdPath):
    require(caller.actor, Perm.manage_users, "Only an administrator can sign other people out.")
    identity.revoke_user_sessions(session, user_id=user_id, by=caller.actor)
    return RedirectResponse("/admin/sessions", status_code=303)
