"""Dependencies every route uses: who is asking, and ids in paths."""

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlmodel import Session

from app.config import get_settings
from app.db import SessionDep
from app.models import User, WebSession
from app.schemas import MAX_ID
from app.services import identity
from app.services.errors import Forbidden, Unauthorized
from app.services.office import get_office
from app.services.permissions import Actor

SESSION_COOKIE = "assure_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="An id (a positive whole number)")]


@dataclass
class Caller:
    """The signed-in user behind a request, with their browser session if any."""

    user: User
    actor: Actor
    web_session: WebSession | None = None

    @property
    def csrf_token(self) -> str | None:
        return self.web_session.csrf_token if self.web_session else None


def _from_cookie(request: Request, session: Session) -> Caller | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    found = identity.resume_web_session(
        session, raw, idle_minutes=get_settings().session_idle_minutes
    )
    if found is None:
        return None
    web, user = found
    return Caller(user=user, actor=identity.actor_for(session, user), web_session=web)


def remember_database(request: Request, session: Session) -> None:
    """Note the request's database, so that a refusal can be audited in a transaction of its
    own after the request's transaction has been rolled back (app/web/errors.py)."""
    request.state.database = session.get_bind()


def check_csrf(caller: Caller, supplied: str | None) -> None:
    """Refuse a state-changing browser request without the session's CSRF token."""
    expected = caller.csrf_token
    if expected is None:
        return
    if not supplied or not hmac.compare_digest(supplied, expected):
        raise Forbidden("This request did not come from an Assure page (missing CSRF token).")


def api_caller(request: Request, session: SessionDep) -> Caller:
    """The caller of an API route: a bearer token, or a signed-in browser."""
    remember_database(request, session)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        user = identity.user_for_token(session, token.strip())
        if user is None:
            raise Unauthorized("The API token is not valid or has been revoked.")
        caller = Caller(user=user, actor=identity.actor_for(session, user))
        request.state.caller = caller
        return caller
    caller = _from_cookie(request, session)
    request.state.caller = caller
    if caller is None:
        raise Unauthorized("Sign in or send an API token ('Authorization: Bearer <token>').")
    if request.method not in SAFE_METHODS:
        check_csrf(caller, request.headers.get(CSRF_HEADER))
    return caller


def api_actor(caller: Annotated[Caller, Depends(api_caller)]) -> Actor:
    """The actor of an API request."""
    return caller.actor


ActorDep = Annotated[Actor, Depends(api_actor)]


class SignInRequired(Exception):
    """A page needs a signed-in user; the handler redirects to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


@dataclass
class CurrentUser:
    """What the page header shows of the signed-in user."""

    display_name: str
    role: str
    person_id: int | None = None


def optional_page_caller(request: Request, session: SessionDep) -> Caller | None:
    """The signed-in user of a page, if any; the page header learns who it is."""
    remember_database(request, session)
    caller = _from_cookie(request, session)
    request.state.caller = caller
    request.state.office_name = get_office(session).office_name
    if caller is not None:
        request.state.current_user = CurrentUser(
            display_name=identity.display_name(session, caller.user), role=caller.user.role,
            person_id=caller.user.person_id,
        )
    return caller


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def supplied_csrf(request: Request) -> str | None:
    """The CSRF token a state-changing request carries: the X-CSRF-Token header (htmx and
    scripts send it) or the form's csrf_token field. Nothing is read for safe methods."""
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    try:
        form = await request.form()  # Starlette keeps it: the route reads the same form
    except Exception:  # a body that is not a readable form carries no token
        return None
    value = form.get("csrf_token")
    return value if isinstance(value, str) else None


def page_caller(
    request: Request, session: SessionDep,
    csrf: Annotated[str | None, Depends(supplied_csrf)],
) -> Caller:
    """The signed-in user of a page; without one, the browser goes to the sign-in page.
    A state-changing request must carry the session's CSRF token, whatever the route."""
    caller = optional_page_caller(request, session)
    if caller is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(path)
    if request.method not in SAFE_METHODS:
        check_csrf(caller, csrf)
    return caller


PageCaller = Annotated[Caller, Depends(page_caller)]
OptionalPageCaller = Annotated[Caller | None, Depends(optional_page_caller)]
