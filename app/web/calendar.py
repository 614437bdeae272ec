"""Calendar feeds (.ics) that calendar apps subscribe to, opened by a secret token, not sign-in."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.config import get_settings
from app.db import SessionDep
from app.models import MeetingType, Person, User
from app.schemas import MAX_ID
from app.services.calendar import (
    check_feed_token,
    feed_url,
    ical_feed,
    link_secret_of,
    meetings_for_person,
    meetings_for_series,
)
from app.services.errors import NotFound
from app.services.office import get_office
from app.web.deps import IdPath
from app.web.downloads import safe_filename

router = APIRouter(include_in_schema=False)

ICS_TYPE = "text/calendar; charset=utf-8"
TokenQuery = Annotated[str | None, Query(max_length=200)]
UserQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def feed_secret() -> str:
    """The secret that feed tokens are made with (ASSURE_SECRET_KEY)."""
    return get_settings().signing_key()


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _no_such_feed() -> NotFound:
    # The same answer for a wrong token and a missing object, so ids cannot be probed.
    return NotFound("There is nothing at this address.")


def _ics_response(content: bytes, name: str) -> Response:
    return Response(
        content=content,
        media_type=ICS_TYPE,
        headers={
            "Content-Disposition": f'inline; filename="{safe_filename(name, "", "ics")}"',
            "Cache-Control": "no-store",
        },
    )


def _open_feed(session, model, kind: str, object_id: int, token: str | None,
               user_id: int | None = None):
    """The person or series whose feed the token opens, or the same NotFound for a wrong or
    renewed token and a missing object, so ids cannot be probed."""
    feed = session.get(model, object_id)
    link_secret = link_secret_of(feed, user_id) if feed is not None else ""
    if not check_feed_token(kind, object_id, token, feed_secret(), link_secret) or feed is None:
        raise _no_such_feed()
    return feed


@router.api_route("/calendar/person/{person_id}.ics", methods=["GET", "HEAD"])
def person_feed(request: Request, session: SessionDep, person_id: IdPath,
                token: TokenQuery = None):
    person = _open_feed(session, Person, "person", person_id, token)
    if not person.active:  # read on every request: deactivation stops the feed at once
        raise _no_such_feed()
    name = f"{get_office(session).office_short_name} meetings: {person.full_name}"
    content = ical_feed(session, meetings_for_person(session, person_id), name=name,
                        base_url=_base_url(request))
    return _ics_response(content, name)


@router.api_route("/calendar/series/{meeting_type_id}.ics", methods=["GET", "HEAD"])
def series_feed(request: Request, session: SessionDep, meeting_type_id: IdPath,
                token: TokenQuery = None, user: UserQuery = None):
    if user is None:
        raise _no_such_feed()
    meeting_type = _open_feed(session, MeetingType, "series", meeting_type_id, token, user)
    holder = session.get(User, user)
    if holder is None or not holder.active:  # read on every request, as the person's feed
        raise _no_such_feed()
    content = ical_feed(session, meetings_for_series(session, meeting_type_id),
                        name=meeting_type.name, base_url=_base_url(request))
    return _ics_response(content, meeting_type.name)


def _links(request: Request, kind: str, feed: Person | MeetingType,
           user_id: int | None = None) -> dict[str, str]:
    url = feed_url(_base_url(request), kind, feed, feed_secret(), user_id)
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def feed_links(
    request: Request, person: Person | None = None, series: MeetingType | None = None,
    user_id: int | None = None,
) -> dict[str, dict[str, str]]:
    """Subscription links for a page: {"person": {"url", "webcal"}, "series": {...}}; a
    series' link is the signed-in user's own (`user_id`).

    `url` is the plain web address (https:// behind TLS) for pasting into "subscribe from URL";
    `webcal` is the same feed as a webcal:// link that opens the calendar app.
    """
    links: dict[str, dict[str, str]] = {}
    if person is not None:
        links["person"] = _links(request, "person", person)
    if series is not None:
        links["series"] = _links(request, "series", series, user_id)
    return links
