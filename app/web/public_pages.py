"""Public pages beside /public, for anyone, without signing in: the accessibility statement,
the meetings still to be held with their public agenda and papers, and the feeds (Atom of
published minutes and decisions, iCalendar of public meetings).

What the public may see is decided in app/services/public_meetings.py and public_feed.py;
these routes read the address, call them and render.
"""

from fastapi import APIRouter, Request, Response

from app.db import SessionDep
from app.services import public_meetings
from app.services.office import get_office
from app.services.public_feed import ATOM_TYPE, atom_feed
from app.web import paged
from app.web.calendar import ICS_TYPE
from app.web.deps import IdPath
from app.web.downloads import file_response
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# Feeds are read by feed readers and calendar apps every few minutes: a short cache is enough
# for the news to travel and spares the database.
FEED_CACHE = "public, max-age=300"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/accessibility")
def accessibility_statement(request: Request, session: SessionDep):
    return render(request, "accessibility.html", {
        "page_title": "Accessibility statement",
        "office": get_office(session),
        "site": _base_url(request),
    })


@router.get("/public/meetings")
def forthcoming_meetings(request: Request, session: SessionDep):
    wanted = paged.asked(request.query_params, size=public_meetings.PAGE_SIZE)
    found = public_meetings.forthcoming_page(session, limit=wanted.limit, after=wanted.after,
                                             before=wanted.before, most=paged.MOST)
    links = paged.links("/public/meetings", {}, found.page, wanted,
                        size=public_meetings.PAGE_SIZE)
    return render(request, "public_meetings.html", {
        "page_title": "Forthcoming meetings",
        "meetings": found.meetings, "total": found.total,
        "previous_link": links.previous, "next_link": links.next,
        "office": get_office(session),
    })


@router.get("/public/meetings/{meeting_id}")
def forthcoming_meeting(meeting_id: IdPath, request: Request, session: SessionDep):
    found = public_meetings.public_meeting(session, meeting_id)
    return render(request, "public_meeting.html", {
        "page_title": found.listing.title,
        "found": found,
        "office": get_office(session),
    })


@router.get("/public/papers/{paper_id}")
def public_paper(paper_id: IdPath, session: SessionDep):
    paper = public_meetings.public_paper(session, paper_id)
    response = file_response(bytes(paper.content), paper.filename, paper.content_type)
    response.headers["X-Checksum-SHA256"] = paper.sha256
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@router.api_route("/public/feed.atom", methods=["GET", "HEAD"])
def public_atom_feed(request: Request, session: SessionDep):
    return Response(content=atom_feed(session, base_url=_base_url(request)),
                    media_type=ATOM_TYPE, headers={"Cache-Control": FEED_CACHE})


@router.api_route("/public/meetings.ics", methods=["GET", "HEAD"])
def public_calendar_feed(request: Request, session: SessionDep):
    content = public_meetings.public_calendar(session, base_url=_base_url(request))
    return Response(content=content, media_type=ICS_TYPE, headers={
        "Content-Disposition": 'inline; filename="public-meetings.ics"',
        "Cache-Control": FEED_CACHE})
