"""The home page: what waits for the signed-in user (app/services/waiting.py decides what),
and each section's own paged list."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse

from app.db import SessionDep
from app.services import waiting
from app.services.errors import NotFound
from app.web.deps import OptionalPageCaller, PageCaller
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, session: SessionDep, caller: OptionalPageCaller):
    """What waits for the signed-in user; the sign-in page for anyone else."""
    if caller is None:
        return RedirectResponse("/sign-in", status_code=303)
    sections = waiting.home_sections(session, caller.actor)
    return render(request, "home.html", {
        "page_title": "Home",
        "sections": sections,
        "total": sum(s.count for s in sections),
    })


@router.get("/waiting/{key}")
def section_page(key: str, request: Request, session: SessionDep, caller: PageCaller,
                 page: Annotated[str, Query(max_length=12)] = "1"):
    """Every thing of one of the user's sections, a page at a time."""
    rule = waiting.rule_for(caller.actor, key[:60])
    if rule is None:
        raise NotFound("There is no such list of things waiting for you.")
    number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    section = waiting.section_page(session, caller.actor, rule, page=number)
    if number > section.pages:
        section = waiting.section_page(session, caller.actor, rule, page=section.pages)
    return render(request, "waiting.html", {
        "page_title": rule.heading, "section": section,
    })
