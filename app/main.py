"""create_app(): routers, static files, security headers and error handlers."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from app.db import SessionDep
from app.web import api, errors, minute_taking, pages

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
MAX_BODY_BYTES = 2 * 1024 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)


def create_app() -> FastAPI:
    """The Assure web application: pages, the v1 API and /healthz."""
    app = FastAPI(
        title="Assure",
        version="1",
        summary="Holding-to-account meetings, minutes and actions for a PCC's office.",
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN; the office may be offline
        redoc_url=None,
    )
    errors.install(app)

    @app.middleware("http")
    async def limits_and_headers(request: Request, call_next):
        length = request.headers.get("content-length", "")
        if length and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                {"detail": f"The request is larger than {MAX_BODY_BYTES // 1024 // 1024} MB."},
                status_code=413,
            )
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz(session: SessionDep):
        session.exec(text("SELECT 1"))
        return {"status": "ok"}

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(minute_taking.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
