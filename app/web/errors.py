"""One place that turns errors into responses: JSON for the API, a page for browsers."""

import logging
import re
from collections.abc import Callable
from functools import partial
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from app.services import audit, publication, refusals
from app.services.errors import Busy, DomainError, Forbidden, NotFound, Unauthorized
from app.services.permissions import Actor
from app.web.deps import SAFE_METHODS, SecondStepRequired, SignInRequired, client_address
from app.web.pages import safe_next
from app.web.templating import render

log = logging.getLogger("assure")

_TITLES = {
    400: "The request could not be read",
    401: "Sign in to continue",
    403: "You cannot do this",
    404: "Page not found",
    405: "Not allowed",
    409: "This changed while you were working",
    410: "This document is not available",
    413: "Too large",
    422: "Check what you entered",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "The service is busy",
}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/session/")) or path == "/openapi.json"


def _is_page(request: Request, target: str) -> bool:
    """Whether the app answers a GET of this path (so a browser can be sent back to it)."""
    scope = {"type": "http", "method": "GET", "path": urlsplit(target).path, "root_path": ""}
    return any(not isinstance(route, Mount) and route.matches(scope)[0] == Match.FULL
               for route in request.app.router.routes)


def _page_of(request: Request, address: str | None) -> str | None:
    """The path (and query) of an address the browser says it was on, when that is a page of
    this site; else None."""
    if not address or len(address) > 2000:
        return None
    parts = urlsplit(address)
    if parts.netloc.lower() != request.url.netloc.lower():
        return None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if safe_next(target) != target or not _is_page(request, target):
        return None
    return target


def return_to(request: Request, path: str) -> str:
    """Where signing in brings the browser back to: the page it asked for; for a form sent
    (whose address may answer POST only) the page the form was on, as the browser's Referer
    says; for htmx, the page around the fragment (HX-Current-URL). Only a page of this site:
    else the address asked for, when it is a page, or the home page."""
    htmx = bool(request.headers.get("HX-Request"))
    if request.method in SAFE_METHODS and not htmx:
        return path
    for said in (request.headers.get("HX-Current-URL") if htmx else None,
                 request.headers.get("Referer")):
        found = _page_of(request, said)
        if found:
            return found
    return path if _is_page(request, path) else "/"


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    message = error.get("msg", "is not valid")
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message


# The record a refused request was after, from its path: /api/v1/items/12/entries -> item 12.
_RECORD_TYPES = {
    "meetings": "meeting", "actions": "action", "questions": "question", "people": "person",
    "items": "agenda_item", "entries": "minute_entry", "meeting-types": "meeting_type",
    "series": "meeting_type", "my-actions": "action",
}
_RECORD_IN_PATH = re.compile(r"/([a-z-]+)/(\d{1,9})(?=/|$)")


def _record_of(path: str) -> tuple[str, int | None]:
    found = [(kind, int(number)) for kind, number in _RECORD_IN_PATH.findall(path)
             if kind in _RECORD_TYPES]
    if not found:
        return "request", None
    kind, number = found[-1]  # the innermost: /meetings/3/agenda/items/5 is item 5
    return _RECORD_TYPES[kind], number


def _refusal_to_audit(request: Request, exc: DomainError) -> Actor | None:
    """Who was refused, when the refusal belongs in the audit log: every 403, a 404 for a
    signed-in caller (an object they may not see, or one that is not there), and a 401 for
    an API token that is not valid. Anonymous 401s and 404s are left out: they are noise."""
    caller = getattr(request.state, "caller", None)
    if isinstance(exc, Forbidden):
        return caller.actor if caller else Actor.system(label="anonymous")
    if isinstance(exc, NotFound) and caller is not None:
        return caller.actor
    if isinstance(exc, Unauthorized) and request.headers.get("authorization"):
        return Actor.system(label="invalid API token")
    return None


def _address(request: Request) -> str | None:
    return client_address(request) or None


def _write_apart(request: Request, what: str, work: Callable[[Session], object]) -> None:
    """Write to the request's database in a short transaction of its own: the request's own
    transaction has been rolled back, and what it has to say must be kept all the same."""
    from app.db import get_engine

    bind = getattr(request.state, "database", None) or get_engine()
    try:
        with Session(bind.execution_options(sqlite_immediate=True)) as session:
            work(session)
            session.commit()
    except SQLAlchemyError as error:  # the answer still goes back to the caller
        log.warning("could not record %s in the audit log: %s", what, error)


def _record_refusal(request: Request, exc: DomainError, by: Actor) -> None:
    """Audit a refusal; a caller nobody knows is counted per address instead, with an event
    for the first of each hour."""
    object_type, object_id = _record_of(request.url.path)
    summary = f"{exc.status_code} {request.method} {request.url.path}: {exc.message}"
    address = _address(request)

    def record(session: Session) -> None:
        if getattr(request.state, "caller", None) is None:
            refusals.count_refusal(session, address=address, summary=summary, label=by.label,
                                   object_type=object_type, object_id=object_id)
        else:
            audit.record(session, by=by, verb="refused", object_type=object_type,
                         object_id=object_id, summary=summary, address=address)

    _write_apart(request, "a refusal", record)


def _respond(request: Request, status: int, detail: str, **extra) -> JSONResponse:
    if _wants_json(request):
        return JSONResponse({"detail": detail, **extra}, status_code=status)
    errors = extra.get("errors")
    # What is wrong with each value, in words ("limit must be from 1 to 100"), when known.
    details = ([str(m) for m in errors.values() if isinstance(m, str)]
               if isinstance(errors, dict) else [])
    return render(
        request, "error.html", {"title": _TITLES.get(status, "Error"), "message": detail,
                                "details": details},
        status_code=status,
    )


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        refused = _refusal_to_audit(request, exc)
        if refused is not None:
            await run_in_threadpool(_record_refusal, request, exc, refused)
        if isinstance(exc, publication.Tampered):
            await run_in_threadpool(_write_apart, request, "a damaged document", partial(
                publication.report_tampered, document_id=exc.document_id,
                address=_address(request)))
        extra = {}
        if errors := getattr(exc, "errors", None):
            extra["errors"] = errors
        current = getattr(exc, "current", None)
        if current is not None and hasattr(current, "model_dump"):
            from app.schemas import EntryRead

            extra["current"] = EntryRead.model_validate(current).model_dump(mode="json")
        # What a caller needs to settle a clash or put deleted words back (plain values).
        for key in ("changed_by", "clashing", "base", "proposal", "deleted_by", "deleted_at"):
            if key in exc.extra:
                extra[key] = exc.extra[key]
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        response = _respond(request, exc.status_code, exc.message, **extra)
        if headers:
            response.headers.update(headers)
        if isinstance(exc, publication.Tampered):
            # 410 may be cached by default; the office will publish the document again.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired):
        target = f"/sign-in?next={quote(return_to(request, exc.next_path), safe='')}"
        if request.headers.get("HX-Request"):
            # htmx would follow a redirect and swap the sign-in page into a fragment: ask it
            # to load the sign-in page as a whole page instead.
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(SecondStepRequired)
    async def second_step_required(request: Request, exc: SecondStepRequired):
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": exc.target})
        return RedirectResponse(exc.target, status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _respond(request, 400, "The request body is not valid JSON.")
        fields: dict[str, str] = {}
        for error in errors:
            fields.setdefault(_field_name(tuple(error.get("loc", ()))), _message(error))
        return _respond(request, 422, "Some of what was sent is not valid.", errors=fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 404:
            detail = "There is nothing at this address."
        response = _respond(request, exc.status_code, detail)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(IntegrityError)
    async def clashing_write(request: Request, exc: IntegrityError):
        # Two requests changed the same record at once; the loser can simply try again.
        log.warning("integrity error: %s", exc)
        return _respond(request, 409, "Someone else changed this at the same moment; "
                        "reload it and try again.")

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError):
        log.warning("database error: %s", exc)
        if "locked" in str(exc).lower() or "serializ" in str(exc).lower():
            busy = Busy("The database is busy; please try again in a moment.")
        else:
            busy = Busy("The database cannot be reached or is not set up "
                        "(run `assure db upgrade`); please try again later.")
        response = _respond(request, busy.status_code, busy.message)
        response.headers["Retry-After"] = "2"
        return response

    @app.exception_handler(PoolTimeout)
    async def no_connection(request: Request, exc: PoolTimeout):
        # More requests than the process has database connections for (ASSURE_DB_POOL_SIZE),
        # for longer than ASSURE_DB_POOL_TIMEOUT: a moment's overload, not a fault.
        log.warning("overloaded: %s", str(exc).split("(Background", 1)[0].strip())
        response = _respond(request, 503, "The service is busy; please try again in a moment.")
        response.headers["Retry-After"] = "2"
        return response
