"""Templates: one per page; jinja2-fragments renders a whole page or one of its blocks."""

from pathlib import Path

from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
templates = Jinja2Blocks(directory=str(TEMPLATES_DIR))


def render(request: Request, name: str, context: dict, *, status_code: int = 200,
           block: str | None = None):
    """Render a page (or, for htmx, one block of it) with the context every page needs."""
    caller = getattr(request.state, "caller", None)
    office_name = getattr(request.state, "office_name", "")
    values = {
        "request": request,
        "current_user": getattr(request.state, "current_user", None),
        "csrf_token": caller.csrf_token if caller else None,
        "office_name": office_name,
        **context,
    }
    kwargs = {"block_name": block} if block else {}
    return templates.TemplateResponse(request, name, values, status_code=status_code, **kwargs)
