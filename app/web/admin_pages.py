"""Administration pages: who is signed in, and signing people out; the office's settings."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.config import get_settings
from app.db import SessionDep
from app.models import OfficeSettings
from app.services import identity, word_template
from app.services.errors import InvalidInput, NotFound
from app.services.office import (
    WEEKDAYS,
    OfficeChanges,
    check_changes,
    get_office,
    update_office,
)
from app.services.permissions import Perm, require
from app.web.deps import IdPath, PageCaller
from app.web.downloads import docx_response
from app.web.forms import DateParts, date_anchors, error_list, parse_date, submit
from app.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/sessions")
def sessions_page(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.manage_users, "Only an administrator can see everyone's sessions.")
    settings = get_settings()
    rows = identity.live_sessions(session, idle_minutes=settings.idle_minutes(),
                                  current_id=caller.web_session.id if caller.web_session else None)
    people: dict[int | None, dict] = {}
    for row in rows:
        entry = people.setdefault(row.user.id, {"user": row.user, "name": row.name, "count": 0})
        entry["count"] += 1
    return render(request, "admin_sessions.html", {
        "page_title": "Signed-in sessions", "rows": rows, "people": list(people.values()),
        "idle_minutes": settings.session_idle_minutes, "max_hours": settings.session_max_hours,
    })


@router.post("/admin/sessions/{session_id}/sign-out")
def sign_out_session(request: Request, session: SessionDep, caller: PageCaller,
                     session_id: IdPath):
    require(caller.actor, Perm.manage_users, "Only an administrator can sign other people out.")
    identity.revoke_session(session, session_id=session_id, by=caller.actor)
    return RedirectResponse("/admin/sessions", status_code=303)


@router.post("/admin/users/{user_id}/sign-out")
def sign_out_user(request: Request, session: SessionDep, caller: PageCaller,
                  user_id: IdPath):
    require(caller.actor, Perm.manage_users, "Only an administrator can sign other people out.")
    identity.revoke_user_sessions(session, user_id=user_id, by=caller.actor)
    return RedirectResponse("/admin/sessions", status_code=303)


# --- the office's settings -------------------------------------------------------------------

SettingsField = Annotated[str, Form(max_length=2000)]
# A setting a page loaded before it existed does not send: kept as it is.
OptionalField = Annotated[str | None, Form(max_length=2000)]


PreparedDay = Annotated[str, Form(alias="accessibility_prepared_on-day", max_length=20)]
PreparedMonth = Annotated[str, Form(alias="accessibility_prepared_on-month", max_length=20)]
PreparedYear = Annotated[str, Form(alias="accessibility_prepared_on-year", max_length=20)]
ReviewedDay = Annotated[str, Form(alias="accessibility_reviewed_on-day", max_length=20)]
ReviewedMonth = Annotated[str, Form(alias="accessibility_reviewed_on-month", max_length=20)]
ReviewedYear = Annotated[str, Form(alias="accessibility_reviewed_on-year", max_length=20)]

# The office's words for each setting, as the form labels them and its messages begin.
SETTING_LABELS = {
    "office_name": "Office name",
    "office_short_name": "Short name",
    "force_name": "Force name",
    "default_marking": "Default protective marking",
    "action_reference_format": "Action reference format",
    "decision_reference_format": "Decision reference format",
    "publish_within_days": "Days after the meeting to publish its minutes",
    "reminder_days_before": "Days before the due date to remind action owners",
    "owner_link_days": "Days an owner's link works for",
    "digest_weekday": "Day of the weekly overdue actions email",
    "public_question_retention_days": "Days to keep the details of a member of the public "
                                      "who asks a question",
    "contact_email": "Email address for the public",
    "contact_phone": "Telephone number for the public",
    "contact_address": "Postal address",
}
# The accessibility statement's dates, each in a GOV.UK date input of three boxes.
DATE_LABELS = {
    "accessibility_prepared_on": "The date the accessibility statement was prepared",
    "accessibility_reviewed_on": "The date the accessibility statement was last reviewed",
}
_NUMBERS = ("publish_within_days", "reminder_days_before", "owner_link_days", "digest_weekday",
            "public_question_retention_days")
SAVED_NOTICE = "The office's settings have been saved."
TEMPLATE_NOTICE = ("The office's Word template has been uploaded: every document Assure makes "
                   "now starts from it.")
BUILT_IN_NOTICE = "Documents now start from the built-in Word template."
_NOTICES = {"1": SAVED_NOTICE, "template": TEMPLATE_NOTICE, "built-in": BUILT_IN_NOTICE}


def _settings_form(office: OfficeSettings) -> dict:
    form: dict = {key: "" if getattr(office, key) is None else str(getattr(office, key))
                  for key in SETTING_LABELS}
    form.update({key: DateParts.of(getattr(office, key)) for key in DATE_LABELS})
    return form


def _settings_page(request: Request, form: dict, *, errors: dict[str, str] | None = None,
                   notice: str = "", status_code: int = 200, session=None):
    errors = errors or {}
    return render(request, "admin_settings.html", {
        "word_template": word_template.current(session) if session is not None else None,
        "page_title": ("Error: " if errors else "") + "Office settings",
        "form": form, "labels": SETTING_LABELS, "date_labels": DATE_LABELS, "errors": errors,
        "error_list": error_list(errors, date_anchors(DATE_LABELS)), "notice": notice,
        "weekdays": [(None, [(str(i), name) for i, name in enumerate(WEEKDAYS)])],
    }, status_code=status_code)


@router.get("/admin/settings")
def settings_page(request: Request, session: SessionDep, caller: PageCaller,
                  saved: Annotated[str, Query(max_length=10)] = ""):
    require(caller.actor, Perm.manage_users, "Only an administrator can change the office's "
            "settings.")
    return _settings_page(request, _settings_form(get_office(session)), session=session,
                          notice=_NOTICES.get(saved, ""))


@router.post("/admin/settings")
def save_settings(request: Request, session: SessionDep, caller: PageCaller,
                  office_name: SettingsField = "", office_short_name: SettingsField = "",
                  force_name: SettingsField = "", default_marking: SettingsField = "",
                  action_reference_format: SettingsField = "",
                  publish_within_days: SettingsField = "", reminder_days_before: SettingsField = "",
                  owner_link_days: SettingsField = "", digest_weekday: SettingsField = "",
                  decision_reference_format: Annotated[str | None, Form(max_length=2000)] = None,
                  public_question_retention_days: Annotated[
                      str | None, Form(max_length=2000)] = None,
                  contact_email: OptionalField = None, contact_phone: OptionalField = None,
                  contact_address: OptionalField = None,
                  prepared_day: PreparedDay = "", prepared_month: PreparedMonth = "",
                  prepared_year: PreparedYear = "", reviewed_day: ReviewedDay = "",
                  reviewed_month: ReviewedMonth = "", reviewed_year: ReviewedYear = ""):
    require(caller.actor, Perm.manage_users, "Only an administrator can change the office's "
            "settings.")
    form: dict[str, Any] = {"office_name": office_name, "office_short_name": office_short_name,
            "force_name": force_name, "default_marking": default_marking,
            "action_reference_format": action_reference_format,
            "publish_within_days": publish_within_days,
            "reminder_days_before": reminder_days_before, "owner_link_days": owner_link_days,
            "digest_weekday": digest_weekday,
            # Left out of the form (as by a page loaded before the setting existed): kept.
            "decision_reference_format": decision_reference_format or "",
            "public_question_retention_days": public_question_retention_days or "",
            "contact_email": contact_email or "", "contact_phone": contact_phone or "",
            "contact_address": contact_address or "",
            "accessibility_prepared_on": DateParts(prepared_day, prepared_month, prepared_year),
            "accessibility_reviewed_on": DateParts(reviewed_day, reviewed_month, reviewed_year)}
    errors: dict[str, str] = {}
    dates = {key: parse_date(form[key], key, label, errors) for key, label in DATE_LABELS.items()}
    numbers: dict[str, int] = {}
    for key in _NUMBERS:
        if key == "public_question_retention_days" and public_question_retention_days is None:
            continue  # left out of the form (a page loaded before the setting existed): kept
        typed = form[key].strip()
        if typed.isdigit() and len(typed) <= 4:
            numbers[key] = int(typed)
        elif key == "digest_weekday":
            errors[key] = f"Choose the {SETTING_LABELS[key][0].lower()}{SETTING_LABELS[key][1:]}"
        else:
            errors[key] = f"{SETTING_LABELS[key]} must be a whole number, like 7"
    changes = OfficeChanges(
        office_name=office_name, office_short_name=office_short_name, force_name=force_name,
        default_marking=default_marking, action_reference_format=action_reference_format,
        publish_within_days=numbers.get("publish_within_days"),
        reminder_days_before=numbers.get("reminder_days_before"),
        owner_link_days=numbers.get("owner_link_days"),
        digest_weekday=numbers.get("digest_weekday"),
        decision_reference_format=decision_reference_format,
        public_question_retention_days=numbers.get("public_question_retention_days"),
        contact_email=contact_email, contact_phone=contact_phone,
        contact_address=contact_address, **dates)
    if errors:  # with what the service would also refuse, so that all is said at once
        _, refused = check_changes(changes)
        errors = {**_worded(refused), **errors}
        return _settings_page(request, form, errors=errors, status_code=422, session=session)
    return submit(
        session, lambda: update_office(session, changes=changes, by=caller.actor),
        done=lambda _: "/admin/settings?saved=1",
        again=lambda problems, status: _settings_page(
            request, form, errors=_worded(problems), status_code=status, session=session),
        words=lambda message: message)


def _worded(problems: dict[str, str]) -> dict[str, str]:
    """The service's complaints ("must not be empty") after the setting's label."""
    labels = {**SETTING_LABELS, **DATE_LABELS}
    return {name: f"{labels[name]} {message}" if name in labels else message
            for name, message in problems.items()}


# --- the office's Word template ---------------------------------------------------------------

TEMPLATE_FIELD = "word_template"  # the file input's id, where a refusal is shown


# A plain def: FastAPI reads the form first, and the checks run in a worker thread.
@router.post("/admin/settings/word-template")
def upload_word_template(request: Request, session: SessionDep, caller: PageCaller,
                         word_template_file: Annotated[UploadFile | None,
                                                       File(alias=TEMPLATE_FIELD)] = None):
    require(caller.actor, Perm.manage_users, word_template.ONLY_ADMINS)

    def upload():
        if word_template_file is None or not word_template_file.filename:
            raise InvalidInput({"file": "Choose the office's Word template (.docx) to upload."})
        content = word_template_file.file.read(word_template.MAX_TEMPLATE_BYTES + 1)
        return word_template.upload(session, filename=word_template_file.filename,
                                    content=content, by=caller.actor)

    return submit(
        session, upload, done=lambda _: "/admin/settings?saved=template",
        again=lambda problems, status: _settings_page(
            request, _settings_form(get_office(session)), session=session, status_code=status,
            errors={TEMPLATE_FIELD: problems.get("file") or next(iter(problems.values()))}),
        words=lambda message: message)


@router.get("/admin/settings/word-template.docx")
def download_word_template(session: SessionDep, caller: PageCaller) -> Response:
    require(caller.actor, Perm.manage_users, word_template.ONLY_ADMINS)
    template = word_template.current(session)
    if template is None:
        raise NotFound("No Word template has been uploaded: documents use the built-in one.")
    name = template.filename.rsplit(".", 1)[0] or "Word template"
    return docx_response(template.content, name, "")


@router.post("/admin/settings/word-template/built-in")
def use_built_in_template(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.manage_users, word_template.ONLY_ADMINS)
    word_template.use_built_in(session, by=caller.actor)
    return RedirectResponse("/admin/settings?saved=built-in", status_code=303)
