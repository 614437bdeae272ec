"""The people directory: finding people, adding and changing them, a leaver's deactivation,
each person's page (their actions, questions, meetings and calendar link), and importing a
CSV list of officers (upload → preview → confirm; nothing is saved before the confirmation).

The rules are app/services/people.py's and app/services/people_import.py's.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from app.db import SessionDep
from app.export.mentions_xlsx import render_mentions_xlsx
from app.models import Person, Side
from app.schemas import PersonCreate, PersonUpdate
from app.services import actions, people, people_import, questions, subject_access
from app.services.dates import to_london
from app.services.errors import InvalidInput
from app.services.meetings import default_capacity, meeting_title
from app.services.minutes import PUBLIC_MARKING
from app.services.office import get_office
from app.services.permissions import Perm, require
from app.services.visibility import sees_exempt
from app.web.calendar import feed_links
from app.web.deps import IdPath, PageCaller
from app.web.downloads import XLSX_TYPE, file_response, safe_filename
from app.web.forms import error_list, submit, validated
from app.web.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
QueryStr = Annotated[str, Query(max_length=200)]
CsvText = Annotated[str, Form(max_length=people_import.MAX_TEXT_BYTES)]

SIDES = [(Side.opcc.value, "Commissioner's office"), (Side.force.value, "The force"),
         (Side.other.value, "Other")]
SIDE_WORDS = dict(SIDES)
ACTIVE_CHOICES = [("yes", "Active"), ("no", "No longer active"), ("all", "Everyone")]
FRIENDLY = {
    "full_name": "Enter the person's full name, at most 200 characters",
    "initials": "Enter their initials, at most 10 characters, like JS",
    "title": "The title must be at most 20 characters, like Cllr or Dr",
    "role_title": "The role must be at most 200 characters",
    "role_abbreviation": "The abbreviation must be at most 20 characters, like DCC",
    "side": "Choose the Commissioner's office, the force or other",
    "email": "Enter an email address in the correct format, like name@example.org",
}
READ_REFUSAL = "Only the Commissioner's office sees the people directory."
EDIT_REFUSAL = "Only the secretariat and administrators add or change people."


def _may_read(caller) -> None:
    require(caller.actor, Perm.see_exempt, READ_REFUSAL)


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 7 else 1


# --- the directory ----------------------------------------------------------------------------


@router.get("/people")
def directory_page(request: Request, session: SessionDep, caller: PageCaller,
                   q: QueryStr = "", side: QueryStr = "", active: QueryStr = "yes",
                   page: QueryStr = "1", imported: QueryStr = ""):
    _may_read(caller)
    chosen_side = side if side in SIDE_WORDS else ""
    chosen_active = active if active in ("yes", "no", "all") else "yes"
    found = people.search_people(
        session, text=q, side=Side(chosen_side) if chosen_side else None,
        active={"yes": True, "no": False}.get(chosen_active), page=_page_number(page))
    params = {k: v for k, v in (("q", q.strip()), ("side", chosen_side),
                                ("active", chosen_active)) if v}

    def page_link(number: int) -> str:
        return "/people?" + urlencode({**params, "page": number})

    notice = ""
    if imported.isdigit():
        count = int(imported)
        notice = f"{count} {'person' if count == 1 else 'people'} imported."
    return render(request, "people.html", {
        "page_title": "People",
        "found": found,
        "q": q.strip(), "side": chosen_side, "active": chosen_active,
        "filtered": bool(q.strip() or chosen_side or chosen_active != "yes"),
        "sides": SIDES, "side_words": SIDE_WORDS, "active_choices": ACTIVE_CHOICES,
        "can_edit": caller.actor.can(Perm.edit_record),
        "previous_link": page_link(found.page - 1) if found.page > 1 else None,
        "next_link": page_link(found.page + 1) if found.page < found.pages else None,
        "notice": notice,
    })


# --- adding and changing a person -------------------------------------------------------------


def _form_of(person: Person | None) -> dict[str, str]:
    if person is None:
        return {"full_name": "", "initials": "", "title": "", "role_title": "",
                "role_abbreviation": "", "side": Side.opcc.value, "email": ""}
    return {"full_name": person.full_name, "initials": person.initials, "title": person.title,
            "role_title": person.role_title, "role_abbreviation": person.role_abbreviation,
            "side": person.side, "email": person.email or ""}


def _person_form(request, *, person: Person | None, form: dict[str, str],
                 errors: dict[str, str] | None = None, status_code: int = 200):
    errors = errors or {}
    title = f"Change {person.full_name}'s details" if person else "Add a person"
    return render(request, "person_form.html", {
        "page_title": ("Error: " if errors else "") + title, "heading": title,
        "person": person, "form": form, "sides": SIDES,
        "errors": errors, "error_list": error_list(errors, {"side": "side-opcc"}),
    }, status_code=status_code)


def _typed(full_name: str, initials: str, title: str, role_title: str, role_abbreviation: str,
           side: str, email: str) -> dict[str, str]:
    return {"full_name": full_name, "initials": initials, "title": title,
            "role_title": role_title,
            "role_abbreviation": role_abbreviation, "side": side, "email": email}


def _values(form: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The form's values for the schema, and what the form itself finds wrong."""
    errors: dict[str, str] = {}
    values: dict = {k: v for k, v in form.items() if k != "email"}
    values["email"] = form["email"].strip() or None
    if not form["full_name"].strip():
        errors["full_name"] = "Enter the person's full name"
    if not form["initials"].strip():
        errors["initials"] = "Enter their initials, like JS"
    if form["side"] not in SIDE_WORDS:
        errors["side"] = FRIENDLY["side"]
    return values, errors


@router.get("/people/new")
def new_person_page(request: Request, caller: PageCaller):
    require(caller.actor, Perm.edit_record, EDIT_REFUSAL)
    return _person_form(request, person=None, form=_form_of(None))


@router.post("/people/new")
def add_person(request: Request, session: SessionDep, caller: PageCaller,
               full_name: FormStr = "", initials: FormStr = "", title: FormStr = "",
               role_title: FormStr = "", role_abbreviation: FormStr = "", side: FormStr = "",
               email: FormStr = ""):
    require(caller.actor, Perm.edit_record, EDIT_REFUSAL)
    form = _typed(full_name, initials, title, role_title, role_abbreviation, side, email)
    values, errors = _values(form)
    try:
        data = validated(PersonCreate, values, errors, friendly=FRIENDLY)
    except InvalidInput as exc:
        return _person_form(request, person=None, form=form, errors=exc.errors,
                            status_code=422)
    return submit(
        session, lambda: people.create_person(session, data=data, by=caller.actor),
        done=lambda person: f"/people/{person.id}?saved=added",
        again=lambda errs, status: _person_form(request, person=None, form=form, errors=errs,
                                                status_code=status))


@router.get("/people/{person_id}/edit")
def edit_person_page(person_id: IdPath, request: Request, session: SessionDep,
                     caller: PageCaller):
    require(caller.actor, Perm.edit_record, EDIT_REFUSAL)
    person = people.get_person(session, person_id)
    return _person_form(request, person=person, form=_form_of(person))


@router.post("/people/{person_id}/edit")
def edit_person(person_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                full_name: FormStr = "", initials: FormStr = "", title: FormStr = "",
                role_title: FormStr = "", role_abbreviation: FormStr = "", side: FormStr = "",
                email: FormStr = ""):
    require(caller.actor, Perm.edit_record, EDIT_REFUSAL)
    person = people.get_person(session, person_id)
    form = _typed(full_name, initials, title, role_title, role_abbreviation, side, email)
    values, errors = _values(form)
    try:
        data = validated(PersonUpdate, values, errors, friendly=FRIENDLY)
    except InvalidInput as exc:
        return _person_form(request, person=person, form=form, errors=exc.errors,
                            status_code=422)
    return submit(
        session,
        lambda: people.update_person(session, person_id=person_id, data=data, by=caller.actor),
        done=lambda saved: f"/people/{person_id}?saved=changed",
        again=lambda errs, status: _person_form(
            request, person=people.get_person(session, person_id), form=form, errors=errs,
            status_code=status))


@router.post("/people/{person_id}/deactivate")
def deactivate_person(person_id: IdPath, session: SessionDep, caller: PageCaller):
    """A leaver: kept in the minutes that name them, no longer offered for anything new; their
    sign-in, owner links and calendar link end."""
    require(caller.actor, Perm.edit_record, EDIT_REFUSAL)
    people.update_person(session, person_id=person_id, data=PersonUpdate(active=False),
                         by=caller.actor)
    return RedirectResponse(f"/people/{person_id}?saved=deactivated", status_code=303)


@router.post("/people/{person_id}/reactivate")
def reactivate_person(person_id: IdPath, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.edit_record, EDIT_REFUSAL)
    people.update_person(session, person_id=person_id, data=PersonUpdate(active=True),
                         by=caller.actor)
    return RedirectResponse(f"/people/{person_id}?saved=reactivated", status_code=303)


# --- importing a CSV list ---------------------------------------------------------------------


def _import_form(request, *, errors=None, default_side: str = Side.force.value,
                 status_code: int = 200):
    errors = errors or {}
    return render(request, "people_import.html", {
        "page_title": ("Error: " if errors else "") + "Import people from a CSV file",
        "errors": errors, "error_list": error_list(errors), "sides": SIDES,
        "default_side": default_side,
    }, status_code=status_code)


def _preview(request, session, plan: people_import.Plan, *, text: str, default_side: str,
             notice: str = ""):
    by_id = {p.id: p for p in people.list_people(session)}
    return render(request, "people_import_preview.html", {
        "page_title": "Check the people to import",
        "plan": plan, "text": text, "default_side": default_side,
        "side_words": SIDE_WORDS, "field_words": people_import.FIELD_WORDS,
        "by_id": by_id, "notice": notice,
    })


def _side(value: str) -> Side | None:
    return Side(value) if value in SIDE_WORDS else None


@router.get("/people/import")
def import_page(request: Request, caller: PageCaller):
    require(caller.actor, Perm.edit_record, "Only the secretariat and administrators import "
                                            "people.")
    return _import_form(request)


@router.post("/people/import")
async def import_preview(request: Request, session: SessionDep, caller: PageCaller,
                         file: Annotated[UploadFile | None, File()] = None,
                         default_side: FormStr = ""):
    """Read the file and show what importing it would do; nothing is saved."""
    require(caller.actor, Perm.edit_record, "Only the secretariat and administrators import "
                                            "people.")
    side = _side(default_side)
    if side is None:
        return _import_form(request, errors={"default_side": FRIENDLY["side"]},
                            default_side=default_side, status_code=422)
    if file is None or not file.filename:
        return _import_form(request, errors={"file": "Choose the CSV file to import"},
                            default_side=side.value, status_code=422)
    content = await file.read(people_import.MAX_FILE_BYTES + 1)
    try:
        text = people_import.read_file(file.filename, content)
        plan = people_import.plan_import(session, text, default_side=side)
    except InvalidInput as exc:
        return _import_form(request, errors=exc.errors, default_side=side.value,
                            status_code=422)
    return _preview(request, session, plan, text=text, default_side=side.value)


@router.post("/people/import/confirm")
def import_confirm(request: Request, session: SessionDep, caller: PageCaller,
                   csv_text: CsvText = "", default_side: FormStr = "", count: FormStr = ""):
    """Save what the preview showed; if the directory changed since, show the preview again."""
    require(caller.actor, Perm.edit_record, "Only the secretariat and administrators import "
                                            "people.")
    side = _side(default_side)
    try:
        if side is None:
            raise InvalidInput({"default_side": FRIENDLY["side"]})
        plan = people_import.plan_import(session, csv_text, default_side=side)
    except InvalidInput as exc:
        return _import_form(request, errors=exc.errors, status_code=422)
    if str(plan.count) != count.strip():
        return _preview(request, session, plan, text=csv_text, default_side=side.value,
                        notice="The directory changed since the preview, so what the import "
                               "would do has changed. Check it again.")
    saved = people_import.import_people(session, csv_text, by=caller.actor, default_side=side)
    return RedirectResponse(f"/people?imported={saved.count}", status_code=303)


# --- one person (after /people/import, which its path would take) ------------------------

SAVED = {
    "added": "The person has been added.",
    "changed": "The person's details have been saved.",
    "deactivated": ("The person is no longer active. They stay in the minutes that name them "
                    "but are not offered for new meetings, actions or questions; their "
                    "sign-in, owner links and calendar link have ended."),
    "reactivated": "The person is active again.",
}


@router.get("/people/{person_id}")
def person_page(person_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                saved: QueryStr = ""):
    _may_read(caller)
    person = people.get_person(session, person_id)
    views = actions.list_actions(session, by=caller.actor, owner_id=person_id)
    asked = questions.visible_to(session, people.questions_of(session, person_id),
                                 caller.actor)
    held = people.meetings_of(session, person_id)
    return render(request, "person.html", {
        "page_title": person.full_name,
        "person": person,
        "side_words": SIDE_WORDS,
        "capacity": default_capacity(person),
        "actions": views,
        "questions": asked,
        "question_words": questions.STATUS_WORDS,
        "meetings": [{"meeting": m, "title": meeting_title(m, t),
                      "when": to_london(m.starts_at)} for m, t in held],
        "links": feed_links(request, person=person)["person"] if person.active else None,
        "can_edit": caller.actor.can(Perm.edit_record),
        "notice": SAVED.get(saved, ""),
    })


# --- everything about a person (a subject access request) ---------------------------------

DayQuery = Annotated[str, Query(max_length=40)]


def _period(start: str, end: str) -> subject_access.Period:
    """The dates asked for; each one wrong is named (422)."""
    errors: dict[str, str] = {}
    days: list = []
    for value, name, label in ((start, "from", "The start date"), (end, "to", "The end date")):
        try:
            days.append(subject_access.parse_day(value, name, label))
        except InvalidInput as exc:
            errors.update(exc.errors)
            days.append(None)
    if errors:
        raise InvalidInput(errors)
    return subject_access.Period(start=days[0], end=days[1])


@router.get("/people/{person_id}/mentions")
def mentions_page(person_id: IdPath, request: Request, session: SessionDep, caller: PageCaller,
                  start: Annotated[str, Query(alias="from", max_length=40)] = "",
                  end: Annotated[str, Query(alias="to", max_length=40)] = "",
                  page: QueryStr = "1"):
    require(caller.actor, Perm.see_exempt, subject_access.REFUSAL)
    person = people.get_person(session, person_id)
    asked = "from" in request.query_params or "to" in request.query_params
    context: dict = {"page_title": f"Everything about {person.full_name}", "person": person,
                     "form": {"from": start.strip(), "to": end.strip()}, "errors": {},
                     "found": None, "kinds": subject_access.KINDS,
                     "terms": subject_access.terms_for(person)}
    if not asked:
        return render(request, "person_mentions.html", context)
    try:
        period = _period(start, end)
    except InvalidInput as exc:
        context["errors"] = exc.errors
        context["page_title"] = "Error: " + context["page_title"]
        return render(request, "person_mentions.html", context, status_code=422)
    found = subject_access.search(session, person_id=person_id, period=period,
                                  by=caller.actor)
    rows, number, pages = subject_access.page_of(found, _page_number(page))
    params = {"from": start.strip(), "to": end.strip()}
    base = f"/people/{person_id}/mentions"

    def page_link(to: int) -> str:
        return f"{base}?" + urlencode({**params, "page": to})

    context.update({
        "found": found, "groups": subject_access.grouped(rows), "page": number, "pages": pages,
        "previous_link": page_link(number - 1) if number > 1 else None,
        "next_link": page_link(number + 1) if number < pages else None,
        "download_link": f"{base}.xlsx?" + urlencode(params),
        "when_words": subject_access.when_words,
    })
    return render(request, "person_mentions.html", context)


@router.get("/people/{person_id}/mentions.xlsx")
def mentions_xlsx(person_id: IdPath, session: SessionDep, caller: PageCaller,
                  start: Annotated[str, Query(alias="from", max_length=40)] = "",
                  end: Annotated[str, Query(alias="to", max_length=40)] = ""):
    require(caller.actor, Perm.see_exempt, subject_access.REFUSAL)
    period = _period(start, end)
    found = subject_access.search(session, person_id=person_id, period=period,
                                  by=caller.actor, purpose="exported")
    marking = (get_office(session).default_marking if sees_exempt(caller.actor)
               else PUBLIC_MARKING)
    title = f"Everything about {found.person.full_name} {period.describe()}"
    return file_response(render_mentions_xlsx(found, title=title, marking=marking),
                         safe_filename(f"mentions of {found.person.full_name}", "", "xlsx"),
                         XLSX_TYPE)
