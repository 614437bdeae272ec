"""Dependencies every route uses: who is asking, and ids in paths.

Cross-site request forgery is refused here, by construction: every state-changing route
depends on one of the callers below, and the caller checks the token before the route runs.
A browser's session has a token (page_caller, enrolling_caller, pending_caller, and
api_caller when the API is reached with the cookie); an owner's emailed link has a form token
bound to the link (owner_link_holder). Signing in has no session yet: the form is refused when
the browser says it comes from another site (app/main.py, LimitsAndHeaders), as every
state-changing request is. tests/web/test_csrf.py walks every such route with and without its
token.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Annotated, cast
from urllib.parse import quote

from fastapi import Depends, Path, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import get_settings
from app.db import SessionDep
from app.models import OwnerLink, Person, Role, User, WebSession
from app.schemas import MAX_ID
from app.services import identity, owner_links, tokens, two_factor, waiting
from app.services.errors import Forbidden, Unauthorized
from app.services.office import get_office
from app.services.permissions import Actor, Perm, allowed

# The cookie is `__Host-`: Secure, for this host only, path /. With ASSURE_SECURE_COOKIES off
# (plain http under a name browsers do not trust) it cannot be, and has the plain name.
SESSION_COOKIE = "__Host-assure_session"
PLAIN_SESSION_COOKIE = "assure_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="An id (a positive whole number)")]


@dataclass
class Caller:
    """The signed-in user behind a request, with their browser session if any."""

    user: User
    actor: Actor
    web_session: WebSession | None = None
    # Kept as a plain value: an error page renders it after the request's transaction has
    # been rolled back, when the session's row can no longer be read.
    csrf_token: str | None = None
    # When a signed-in browser's session ends if nothing more is done, and why ("idle" or
    # "lifetime"), for the warning every page gives before it (static/assure-session.js).
    session_ends_at: datetime | None = None
    session_ends_by: str = "idle"

    def __post_init__(self) -> None:
        if self.csrf_token is None and self.web_session is not None:
            self.csrf_token = self.web_session.csrf_token
        if (self.session_ends_at is None and self.web_session is not None
                and not self.web_session.second_factor_pending):
            self.session_ends_at, self.session_ends_by = identity.session_end(
                self.web_session, get_settings().idle_minutes())

    @property
    def second_factor_pending(self) -> bool:
        """A right password, and the TOTP code still to come."""
        return bool(self.web_session and self.web_session.second_factor_pending)

    @property
    def must_enrol(self) -> bool:
        """A role that needs a second factor, without one yet: enrolment comes first."""
        return two_factor.required(self.user) and not two_factor.enabled(self.user)

    @property
    def signed_in(self) -> bool:
        """Fully signed in: every page is open (as far as the role allows)."""
        return not self.second_factor_pending and not self.must_enrol


def cookie_name() -> str:
    """The session cookie's name under the current settings."""
    return SESSION_COOKIE if get_settings().cookies_secure() else PLAIN_SESSION_COOKIE


def set_session_cookie(response, raw_token: str) -> None:
    """Give the browser its session cookie: `__Host-`, Secure, HttpOnly, SameSite=Lax, Path=/,
    no Domain (without Secure when ASSURE_SECURE_COOKIES is off)."""
    settings = get_settings()
    secure = settings.cookies_secure()
    response.set_cookie(
        cookie_name(), raw_token, httponly=True, samesite="lax", secure=secure,
        max_age=settings.session_max_hours * 3600, path="/",
    )


def clear_session_cookie(response) -> None:
    """Tell the browser to forget its session cookie."""
    secure = get_settings().cookies_secure()
    response.delete_cookie(cookie_name(), path="/", secure=secure, httponly=True,
                           samesite="lax")


def session_token(request: Request) -> str:
    """The raw session token the browser sent, or ""."""
    return request.cookies.get(cookie_name(), "")


def client_address(request: Request) -> str:
    """The address the request came from, as app.main.ClientAddress worked it out once (a
    trusted proxy's X-Forwarded-For believed, no one else's); "" when unknown."""
    return request.client.host if request.client else ""


def counts_as_activity(request: Request) -> bool:
    """Whether a browser's request starts its session's idle time again: a page opened (a
    navigation) or anything sent (a form, a save) does; a script reading in the background
    (Sec-Fetch-Mode other than navigate: the Take minutes page and the live view looking for
    colleagues' changes every few seconds) does not, so a page left open still ends its
    session. Without the header (an older browser, a script outside one) every request
    counts."""
    if request.method not in SAFE_METHODS:
        return True
    mode = request.headers.get("sec-fetch-mode")
    return mode is None or mode == "navigate"


def _from_cookie(request: Request, session: Session, *, touch: bool = True) -> Caller | None:
    raw = session_token(request)
    if not raw:
        return None
    found = identity.resume_web_session(
        session, raw, idle_minutes=get_settings().idle_minutes(),
        touch=touch and counts_as_activity(request),
    )
    if found is None:
        return None
    web, user = found
    return Caller(user=user, actor=identity.actor_for(session, user), web_session=web)


def check_csrf(caller: Caller, supplied: str | None) -> None:
    """Refuse a state-changing browser request without the session's CSRF token."""
    expected = caller.csrf_token
    if expected is None:
        return
    if not supplied or not hmac.compare_digest(supplied, expected):
        raise Forbidden("This request did not come from an Assure page (missing CSRF token).")


def api_caller(request: Request, session: SessionDep) -> Caller:
    """The caller of an API route: a bearer token, or a signed-in browser."""
    caller: Caller | None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        user = tokens.user_for_token(session, token.strip())
        caller = Caller(user=user, actor=identity.actor_for(session, user))
        request.state.caller = caller
        return caller
    caller = _from_cookie(request, session)
    request.state.caller = caller
    if caller is None:
        raise Unauthorized("Sign in or send an API token ('Authorization: Bearer <token>').")
    if not caller.signed_in:
        raise Unauthorized("Finish signing in (two-step verification) first.")
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


class SecondStepRequired(Exception):
    """Signed in with a password, but the second factor (a code, or enrolment) comes first;
    the handler redirects to `target`."""

    def __init__(self, target: str) -> None:
        self.target = target


ENROL_PATH = "/account/two-factor"
CODE_PATH = "/sign-in/code"


@dataclass
class CurrentUser:
    """What the page header shows of the signed-in user."""

    display_name: str
    role: str
    person_id: int | None = None
    # How many things wait for the user (app/services/waiting.py), counted only when a page's
    # navigation shows it: one query, never for a fragment or a refusal.
    count_waiting: Callable[[], int] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def waiting_count(self) -> int | None:
        """The things waiting for the user, for "Home" in the navigation; None if unknown."""
        if self.count_waiting is None:
            return None
        try:
            return self.count_waiting()
        except SQLAlchemyError:  # a page rendered after its transaction failed
            return None

    def can(self, perm: str) -> bool:
        """Whether the user's role holds the permission over any record, as the permission
        table says: for the links a page offers (each route checks again)."""
        return allowed(Actor(role=Role(self.role)), Perm(perm))


def _any_page_caller(request: Request, session: Session) -> Caller | None:
    caller = _from_cookie(request, session)
    request.state.caller = caller
    request.state.office_name = get_office(session).office_name
    return caller


def optional_page_caller(request: Request, session: SessionDep) -> Caller | None:
    """The signed-in user of a page, if any; the page header learns who it is. A browser that
    has given its password but not yet its code counts as not signed in."""
    caller = _from_cookie(request, session)
    if caller is not None and caller.second_factor_pending:
        caller = None
    request.state.caller = caller
    request.state.office_name = get_office(session).office_name
    if caller is not None:
        actor = caller.actor
        request.state.current_user = CurrentUser(
            display_name=identity.display_name(session, caller.user), role=caller.user.role,
            person_id=caller.user.person_id,
            count_waiting=lambda: waiting.waiting_count(session, actor),
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


CsrfSupplied = Annotated[str | None, Depends(supplied_csrf)]


def page_caller(request: Request, session: SessionDep, csrf: CsrfSupplied) -> Caller:
    """The signed-in user of a page; without one, the browser goes to the sign-in page.
    A state-changing request must carry the session's CSRF token, whatever the route."""
    caller = enrolling_caller(request, session, csrf)
    if caller.must_enrol:
        raise SecondStepRequired(ENROL_PATH)
    return caller


def enrolling_caller(request: Request, session: SessionDep, csrf: CsrfSupplied) -> Caller:
    """A signed-in user who may still have to set up their second factor (the enrolment
    pages and signing out are open to them, nothing else)."""
    caller = optional_page_caller(request, session)
    if caller is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if _from_cookie(request, session) is not None:
            raise SecondStepRequired(f"{CODE_PATH}?next={quote(path, safe='')}")
        raise SignInRequired(path)
    if request.method not in SAFE_METHODS:
        check_csrf(caller, csrf)
    return caller


def pending_caller(request: Request, session: SessionDep, csrf: CsrfSupplied) -> Caller:
    """A browser between its password and its code; anyone else starts from the sign-in page.
    Its session has a CSRF token already, which the code form must carry."""
    caller = _any_page_caller(request, session)
    if caller is None or not caller.second_factor_pending:
        raise SecondStepRequired("/sign-in")
    if request.method not in SAFE_METHODS:
        check_csrf(caller, csrf)
    return caller


def session_status_caller(request: Request, session: SessionDep) -> Caller | None:
    """The signed-in browser asking how long its session has left, or None; asking is not
    activity, so the session's idle time goes on running."""
    caller = _from_cookie(request, session, touch=False)
    if caller is not None and caller.second_factor_pending:
        caller = None
    request.state.caller = caller
    return caller


def keep_alive_caller(request: Request, session: SessionDep, csrf: CsrfSupplied) -> Caller:
    """A signed-in browser whose user chose to stay signed in: refused with 401 (not sent to
    the sign-in page: a script asks) when the session has ended, and without the session's
    CSRF token. Only a request that passes counts as activity (the route touches it)."""
    caller = _from_cookie(request, session, touch=False)
    request.state.caller = caller
    if caller is None or caller.second_factor_pending:
        request.state.caller = None
        raise Unauthorized("You have been signed out. Sign in again to carry on.")
    check_csrf(caller, csrf)
    return caller


PageCaller = Annotated[Caller, Depends(page_caller)]
OptionalPageCaller = Annotated[Caller | None, Depends(optional_page_caller)]
EnrollingCaller = Annotated[Caller, Depends(enrolling_caller)]
PendingCaller = Annotated[Caller, Depends(pending_caller)]


def link_form_token(token: str) -> str:
    """The CSRF token of the forms on an owner's link page: bound to the link (there is no
    session), so only a page opened from the link carries it."""
    key = get_settings().signing_key().encode()
    return hmac.new(key, b"owner-link-form:" + token.encode(), hashlib.sha256).hexdigest()


def check_link_form(token: str, supplied: str | None) -> None:
    """Refuse a post to an owner's link page without the link's form token."""
    if not supplied or not hmac.compare_digest(supplied, link_form_token(token)):
        raise Forbidden("This request did not come from your actions page (missing form "
                        "token). Open your link again and resend.")


@dataclass
class LinkHolder:
    """Whoever holds an owner's emailed link: no account and no session, the link is the
    credential, and they act as its person."""

    token: str
    link: OwnerLink
    actor: Actor
    person: Person

    @property
    def form_token(self) -> str:
        """The token the link page's forms carry."""
        return link_form_token(self.token)


def owner_link_holder(token: Annotated[str, Path()], request: Request, session: SessionDep,
                      csrf: CsrfSupplied) -> LinkHolder:
    """The holder of the link in the path (its use audited, a link that does not work 404).
    A state-changing request must carry the link's form token, checked before the link is
    used."""
    token = token[:200]
    if request.method not in SAFE_METHODS:
        check_link_form(token, csrf)
    link, actor = owner_links.open_link(session, token, address=client_address(request))
    return LinkHolder(token=token, link=link, actor=actor,  # open_link checked the person
                      person=cast(Person, session.get(Person, link.person_id)))


OwnerLinkHolder = Annotated[LinkHolder, Depends(owner_link_holder)]
