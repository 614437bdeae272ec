"""create_app(): routers, static files, security headers and error handlers."""

import gc
import ipaddress
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from app.config import Network, get_settings
from app.db import SessionDep
from app.services import scheduler
from app.web import (
    access_log,
    account_pages,
    action_pages,
    admin_pages,
    agenda_page,
    api,
    attendance_page,
    audit_pages,
    calendar,
    decision_pages,
    errors,
    finding_pages,
    findings_dashboard,
    home_page,
    import_pages,
    inspection_pages,
    meeting_pages,
    minute_taking,
    pages,
    people_pages,
    prepare_page,
    public_pages,
    public_questions,
    public_record_pages,
    question_bank,
    question_form,
    question_page,
    record_pages,
    s55_pages,
    search_page,
    series_pages,
    templating,
    user_pages,
)
from app.web.templating import render

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 21 * 1024 * 1024  # a paper of up to 20 MB, in a form
MAX_REPORT_BYTES = 51 * 1024 * 1024  # an inspection report of up to 50 MB, in a form


def body_limit(path: str) -> int:
    """The largest body a route takes: files where files are uploaded, else 2 MB."""
    if path.endswith("/papers") or path in ("/people/import", "/admin/settings/word-template"):
        # A CSV of people (a Word template) past its own limit gets that limit's plain
        # message, not this one.
        return MAX_UPLOAD_BYTES
    if path == "/inspections/import":
        return MAX_REPORT_BYTES
    return MAX_BODY_BYTES

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def cross_site(headers: dict[bytes, bytes]) -> bool:
    """Whether a browser says the request comes from another site: its Fetch Metadata
    (Sec-Fetch-Site), or, from browsers without it, an Origin that is not this host."""
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site not in (b"same-origin", b"none")
    origin = headers.get(b"origin")
    if origin is None:
        return False  # not a browser's cross-site request: API clients, old browsers' forms
    host = headers.get(b"host", b"").decode("latin-1").lower()
    return urlsplit(origin.decode("latin-1")).netloc.lower() != host


class BodyTooLarge(Exception):
    """The request's body went past the limit while the app was reading it."""


def _too_large(limit: int) -> JSONResponse:
    # The rest of the body is not read: the connection closes after the answer.
    return JSONResponse({"detail": f"The request is larger than {limit // 1024 // 1024} MB."},
                        status_code=413, headers={"Connection": "close"})


class LimitsAndHeaders:
    """Refuse oversized bodies and state-changing requests from other sites (the sign-in form
    and the owner's link pages included), and add the security headers to every response.

    A body's size is judged from its Content-Length and, as it arrives (chunked or not), by
    counting what the app reads: past the limit the app reads no more, and the answer is 413,
    so no one can make the server hold a large body in memory.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware costs more per request than the
    rest of an autosave does (bench/bench_autosave.py).
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (name, value) for name, value in SECURITY_HEADERS if name not in present
                ]
            await send(message)

        headers = dict(scope["headers"])
        length = headers.get(b"content-length", b"")
        limit = body_limit(scope["path"])
        if length and (not length.isdigit() or int(length) > limit):
            await _too_large(limit)(scope, receive, send_with_headers)
            return
        if scope["method"] not in SAFE_METHODS and cross_site(headers):
            message = "This request came from another site, so Assure refused it."
            if scope["path"].startswith("/api/"):
                response = JSONResponse({"detail": message}, status_code=403)
            else:
                response = render(Request(scope), "error.html",
                                  {"title": "You cannot do this", "message": message},
                                  status_code=403)
            await response(scope, receive, send_with_headers)
            return

        received = 0
        cut_off = started = False

        async def receive_within_limit():
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut_off = True
                    raise BodyTooLarge
            return message

        async def send_unless_cut_off(message) -> None:
            nonlocal started
            if cut_off and not started:
                return  # the app's answer to a body cut short (400, 422) gives way to the 413
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive_within_limit, send_unless_cut_off)
        except Exception:
            if not cut_off:
                raise
        if cut_off and not started:
            await _too_large(limit)(scope, receive, send_with_headers)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in "203.0.113.7", "203.0.113.7:443", "[2001:db8::1]:443" or "2001:db8::1"."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def forwarded_client(hops: list[str], proxies: tuple[Network, ...]) -> str | None:
    """The client named by X-Forwarded-For's hops (as a trusted proxy passed them on): the
    right-most that is not one of our proxies, since everything left of it may be made up.
    None when the header is missing or damaged."""
    for hop in reversed(hops):
        address = _ip(hop)
        if address is None:
            return None
        if not _trusted(address, proxies):
            return str(address)
    first = _ip(hops[0]) if hops else None  # every hop is a proxy of ours
    return str(first) if first else None


class ClientAddress:
    """Work out each request's client address once, in scope["client"], for every use (the
    sign-in limits, the audit log, the session list): the peer's own address, unless the peer
    is a proxy in ASSURE_TRUSTED_PROXIES, whose X-Forwarded-For (and X-Forwarded-Proto) is
    then believed. Uvicorn's own proxy handling is off (`assure serve`)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        proxies = get_settings().trusted_proxy_networks() if scope["type"] == "http" else ()
        client = scope.get("client")
        if proxies and client and _trusted(_ip(client[0]), proxies):
            values = [value.decode("latin-1") for name, value in scope["headers"]
                      if name == b"x-forwarded-for"]
            hops = [hop for value in values for hop in value.split(",") if hop.strip()]
            forwarded = forwarded_client(hops, proxies)
            if forwarded:
                scope["client"] = (forwarded, 0)
            proto = dict(scope["headers"]).get(b"x-forwarded-proto", b"")
            proto = proto.decode("latin-1").rsplit(",", 1)[-1].strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto
        await self.app(scope, receive, send)


def settle_memory() -> None:
    """Compile the templates, then set everything made so far (modules, routes, templates)
    aside from Python's garbage collector (gc.freeze).

    Without it each full collection walked every object the server had ever made: 150 to 240
    ms in which no request of the process moved, and with fifty readers of the live view
    making garbage those came every few seconds, in the middle of the minute-takers' saves
    (bench/bench_live.py: the saves' p99 went from 15 ms to 150–250 ms). Once a process:
    the tests start an app for each test."""
    if _settled:
        return
    _settled.append(True)
    templating.compile_all()
    gc.collect()
    gc.freeze()


_settled: list[bool] = []


@asynccontextmanager
async def lifespan(_app: FastAPI):
    """Start the reminders scheduler when ASSURE_SCHEDULER asks for it; stop it at shutdown."""
    # A request that holds one of the database's places (app/db.py, Turnstile) may need a
    # worker thread while other requests wait in threads for SQLite's write lock: keep more
    # threads than places, so that the one holding the lock can always finish.
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(limiter.total_tokens, get_settings().db_pool_size + 10)
    scheduler.start_scheduler()
    settle_memory()
    try:
        yield
    finally:
        scheduler.stop_scheduler()


def create_app() -> FastAPI:
    """The Assure web application: pages, the v1 API and /healthz."""
    app = FastAPI(
        lifespan=lifespan,
        title="Assure",
        version="1",
        summary="Holding-to-account meetings, minutes and actions for a PCC's office.",
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN; the office may be offline
        redoc_url=None,
    )
    errors.install(app)
    # Here rather than in `assure serve`, so that however uvicorn is started the log is clean.
    access_log.install()

    app.add_middleware(LimitsAndHeaders)
    app.add_middleware(ClientAddress)  # the outermost: every other part sees its address

    @app.get("/healthz", include_in_schema=False)
    def healthz(session: SessionDep):
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]  # typed for select() only
        return {"status": "ok"}

    app.include_router(api.router)
    app.include_router(meeting_pages.router)  # before pages: /meetings/new is no id
    app.include_router(pages.router)
    app.include_router(account_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(user_pages.router)
    app.include_router(action_pages.router)
    app.include_router(minute_taking.router)
    app.include_router(calendar.router)
    app.include_router(agenda_page.router)
    # the form's /questions/{id}/edit before the bank's /questions/themes/{theme:path}, as
    # they were in one module; one question's /questions/{id} last
    app.include_router(question_form.router)
    app.include_router(question_bank.router)
    app.include_router(question_page.router)
    app.include_router(series_pages.router)
    app.include_router(prepare_page.router)
    app.include_router(audit_pages.router)
    app.include_router(record_pages.router)
    app.include_router(public_questions.router)
    app.include_router(public_pages.router)
    # before any router with /findings/{id}, so /findings/panel.docx is not taken for an id
    app.include_router(findings_dashboard.router)
    app.include_router(inspection_pages.router)
    app.include_router(import_pages.router)
    app.include_router(s55_pages.router)
    app.include_router(people_pages.router)
    app.include_router(finding_pages.router)
    app.include_router(home_page.router)
    app.include_router(attendance_page.router)
    app.include_router(decision_pages.router)
    app.include_router(public_record_pages.router)
    app.include_router(search_page.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
