"""The JSON API, version 1."""

from typing import Any

from fastapi import APIRouter

from app.schemas import ErrorRead
from app.web.api import actions, meetings, minutes, people, questions, search, series

_errors: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorRead, "description": text}
    for status, text in {
        400: "The body is not JSON",
        401: "No credentials, or credentials that are not valid",
        403: "The caller may see this but not change it",
        404: "No such object, or one the caller may not see",
        409: "The object changed since it was read, or the change clashes with the record",
        422: "Some fields are not valid; `errors` says which and why",
    }.items()
}

router = APIRouter(prefix="/api/v1", responses=_errors)
for module in (people, series, meetings, minutes, questions, actions, search):
    router.include_router(module.router)
