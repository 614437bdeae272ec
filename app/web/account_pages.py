"""Signing in and out, the second factor, and one's own account and sessions."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

from app.config import get_settings
from app.db import SessionDep
from app.models import WebSession, utcnow
from app.services import identity, sign_in_limits, tokens, two_factor
from app.services.errors import InvalidInput, NotFound, TooManyAttempts, Unauthorized
from app.services.permissions import Perm
from app.web.deps import (
    CODE_PATH,
    ENROL_PATH,
    Caller,
    CurrentUser,
    EnrollingCaller,
    IdPath,
    OptionalPageCaller,
    PageCaller,
    PendingCaller,
    clear_session_cookie,
    client_address,
    keep_alive_caller,
    session_status_caller,
    session_token,
    set_session_cookie,
)
from app.web.pages import safe_next
from app.web.templating import render

router = APIRouter(include_in_schema=False)

Code = Annotated[str, Form(max_length=100)]


def _user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]


def _start(request: Request, session, user, *, pending: bool) -> identity.NewWebSession:
    """A new session (a new id) for this browser; the one its cookie named ends."""
    settings = get_settings()
    return identity.start_web_session(
        session, user=user, idle_minutes=settings.idle_minutes(),
        max_hours=settings.session_max_hours, address=client_address(request),
        user_agent=_user_agent(request), second_factor_pending=pending,
        replaces=session_token(request) or None,
    )


def _too_many(response, exc: TooManyAttempts):
    if exc.retry_at is not None:
        response.headers["Retry-After"] = str(
            max(1, int((exc.retry_at - utcnow()).total_seconds())))
    return response


# --- signing in --------------------------------------------------------------------------


@router.get("/sign-in")
def sign_in_page(request: Request, caller: OptionalPageCaller,
                 next: Annotated[str | None, Query(max_length=2000)] = None):
    if caller is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "sign_in.html", {
        "page_title": "Sign in", "next": safe_next(next),
        "welcome": request.query_params.get("welcome") == "1"})


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    caller: OptionalPageCaller,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
):
    def again(message: str, status: int, field: str):
        return render(
            request, "sign_in.html",
            {"page_title": "Sign in", "error": message, "email": email, "error_field": field,
             "next": safe_next(next)},
            status_code=status,
        )

    if not email.strip() or not password:
        return again("Enter your email address and your password.", 401,
                     "email" if not email.strip() else "password")
    try:
        user = identity.authenticate(
            session, email=email, password=password, address=client_address(request),
            limits=sign_in_limits.Limits.from_settings(get_settings()))
    except TooManyAttempts as exc:
        return _too_many(again(exc.message, 429, "email"), exc)
    except Unauthorized as exc:
        return again(exc.message, 401, "password")
    if two_factor.enabled(user):
        started = _start(request, session, user, pending=True)
        target = f"{CODE_PATH}?next={quote(safe_next(next), safe='')}"
    else:
        started = _start(request, session, user, pending=False)
        target = ENROL_PATH if two_factor.required(user) else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, started.raw_token)
    return response


@router.get(CODE_PATH)
def code_page(request: Request, caller: PendingCaller,
              next: Annotated[str | None, Query(max_length=2000)] = None):
    return render(request, "sign_in_code.html",
                  {"page_title": "Enter your code", "next": safe_next(next)})


@router.post(CODE_PATH)
def code_given(
    request: Request,
    session: SessionDep,
    caller: PendingCaller,
    code: Code = "",
    next: Annotated[str, Form(max_length=2000)] = "",
):
    def again(message: str, status: int):
        return render(request, "sign_in_code.html",
                      {"page_title": "Enter your code", "error": message,
                       "next": safe_next(next)}, status_code=status)

    if not code.strip():
        return again("Enter the 6-digit code from your authenticator app.", 401)
    try:
        identity.check_second_factor(
            session, user=caller.user, code=code, address=client_address(request),
            limits=sign_in_limits.Limits.from_settings(get_settings()))
    except TooManyAttempts as exc:
        return _too_many(again(exc.message, 429), exc)
    except Unauthorized as exc:
        return again(exc.message, 401)
    started = _start(request, session, caller.user, pending=False)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, started.raw_token)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, caller: EnrollingCaller):
    identity.end_web_session(session, session_token(request),
                             address=client_address(request))
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session_cookie(response)
    return response


# --- staying signed in ---------------------------------------------------------------------
# Every signed-in page warns before its session's idle limit and offers to stay signed in
# (WCAG 2.2.1; static/assure-session.js). Asking how long is left is not activity; choosing
# to stay is.


def _time_left(caller: Caller) -> dict:
    assert caller.session_ends_at is not None  # a signed-in browser's session
    left = (caller.session_ends_at - utcnow()).total_seconds()
    return {"signed_in": True, "seconds_left": max(0, int(left)),
            "ends_by": caller.session_ends_by}


@router.get("/session/status")
def session_status(caller: Annotated[Caller | None, Depends(session_status_caller)]):
    """How long this browser's session has left, without counting as activity."""
    if caller is None or caller.session_ends_at is None:
        return JSONResponse({"signed_in": False}, headers={"Cache-Control": "no-store"})
    return JSONResponse(_time_left(caller), headers={"Cache-Control": "no-store"})


@router.post("/session/keep-alive")
def keep_alive(session: SessionDep, caller: Annotated[Caller, Depends(keep_alive_caller)]):
    """The user chose "Stay signed in": the idle time starts again."""
    assert caller.web_session is not None  # keep_alive_caller: a browser's session
    identity.keep_alive(session, caller.web_session)
    refreshed = Caller(user=caller.user, actor=caller.actor, web_session=caller.web_session)
    return JSONResponse(_time_left(refreshed), headers={"Cache-Control": "no-store"})


# --- two-step verification ---------------------------------------------------------------


def _enrol_page(request: Request, session, caller: Caller, *, error: str | None = None,
                status: int = 200):
    secret = two_factor.pending_secret(session, caller.user)
    uri = two_factor.provisioning_uri(secret, caller.user.email)
    return render(request, "two_factor_enrol.html", {
        "page_title": "Set up two-step verification",
        "required": two_factor.required(caller.user),
        "qr": two_factor.qr_data_uri(uri),
        "secret_groups": [secret[i:i + 4] for i in range(0, len(secret), 4)],
        "error": error,
    }, status_code=status)


@router.get(ENROL_PATH)
def enrol_page(request: Request, session: SessionDep, caller: EnrollingCaller):
    if two_factor.enabled(caller.user):
        return RedirectResponse("/account", status_code=303)
    return _enrol_page(request, session, caller)


@router.post(ENROL_PATH)
def enrol(request: Request, session: SessionDep, caller: EnrollingCaller,
          code: Code = ""):
    if two_factor.enabled(caller.user):
        return RedirectResponse("/account", status_code=303)
    try:
        codes = two_factor.confirm_enrolment(session, user=caller.user, code=code,
                                             by=caller.actor)
    except InvalidInput as exc:
        return _enrol_page(request, session, caller, error=exc.errors.get("code"), status=422)
    # A new session id now that the second factor is in place.
    started = _start(request, session, caller.user, pending=False)
    _now_signed_in(request, session, caller, started)
    response = render(request, "recovery_codes.html", {
        "page_title": "Your recovery codes", "codes": codes, "just_enrolled": True})
    set_session_cookie(response, started.raw_token)
    return response


def _now_signed_in(request: Request, session, caller: Caller, started) -> None:
    """Render the rest of this response as the new session (its CSRF token, its header)."""
    request.state.caller = Caller(user=caller.user, actor=caller.actor,
                                  web_session=started.session)
    request.state.current_user = CurrentUser(
        display_name=identity.display_name(session, caller.user), role=caller.user.role,
        person_id=caller.user.person_id)


@router.post("/account/recovery-codes")
def new_recovery_codes(request: Request, session: SessionDep, caller: PageCaller):
    codes = two_factor.new_recovery_codes(session, user=caller.user, by=caller.actor)
    return render(request, "recovery_codes.html", {
        "page_title": "Your recovery codes", "codes": codes, "just_enrolled": False})


# --- one's own account and sessions -------------------------------------------------------


@router.get("/account")
def account_page(request: Request, session: SessionDep, caller: PageCaller):
    return render_account(request, session, caller)


ACCOUNT_DONE = {"token-revoked": "The API token has been revoked."}


def render_account(request: Request, session, caller: Caller, *, extra: dict | None = None,
                   status: int = 200):
    """One's own account page; `extra` adds a new token shown once, or the token form's
    errors."""
    settings = get_settings()
    rows = identity.live_sessions(session, idle_minutes=settings.idle_minutes(),
                                  user_id=caller.user.id, current_id=caller.web_session.id
                                  if caller.web_session else None)
    return render(request, "account.html", {
        "page_title": "Your account",
        "user": caller.user,
        "can_see_sessions": caller.actor.can(Perm.manage_users),
        "totp_enabled": two_factor.enabled(caller.user),
        "totp_required": two_factor.required(caller.user),
        "codes_left": two_factor.recovery_codes_left(session, caller.user),
        "rows": rows,
        "idle_minutes": settings.session_idle_minutes,
        "max_hours": settings.session_max_hours,
        "tokens": tokens.list_tokens(session, by=caller.actor, user_id=caller.user.id),
        "token_days": tokens.DEFAULT_DAYS,
        "token_max_days": tokens.MAX_DAYS,
        "token_needs_code": two_factor.required(caller.user),
        "token_errors": {},
        "token_values": {"name": "", "days": str(tokens.DEFAULT_DAYS)},
        "notice": ACCOUNT_DONE.get(request.query_params.get("done", "")),
        **(extra or {}),
    }, status_code=status)


@router.post("/account/sessions/{session_id}/sign-out")
def sign_out_own_session(request: Request, session: SessionDep, caller: PageCaller,
                         session_id: IdPath):
    web = session.get(WebSession, session_id)
    if web is None or web.user_id != caller.user.id:
        raise NotFound("There is no such session of yours.")
    identity.revoke_session(session, session_id=session_id, by=caller.actor)
    if caller.web_session is not None and session_id == caller.web_session.id:
        response = RedirectResponse("/sign-in", status_code=303)
        clear_session_cookie(response)
        return response
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sessions/sign-out-others")
def sign_out_other_sessions(request: Request, session: SessionDep, caller: PageCaller):
    assert caller.user.id is not None  # a signed-in (saved) user
    identity.revoke_user_sessions(session, user_id=caller.user.id, by=caller.actor,
                                  keep_id=caller.web_session.id if caller.web_session else None)
    return RedirectResponse("/account", status_code=303)


@router.get("/account/password")
def password_page(request: Request, caller: PageCaller):
    return render(request, "change_password.html", {"page_title": "Change your password"})


@router.post("/account/password")
def change_password(
    request: Request,
    session: SessionDep,
    caller: PageCaller,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=2048)] = "",
):
    try:
        if not current_password:
            raise InvalidInput({"current_password": "Enter your current password."})
        if not new_password:
            raise InvalidInput({"new_password": "Enter a new password."})
        identity.change_password(
            session, user=caller.user, current=current_password, new=new_password,
            by=caller.actor, address=client_address(request),
            limits=sign_in_limits.Limits.from_settings(get_settings()))
    except InvalidInput as exc:
        return render(request, "change_password.html", {
            "page_title": "Change your password", "errors": exc.errors}, status_code=422)
    except TooManyAttempts as exc:
        return _too_many(render(request, "change_password.html", {
            "page_title": "Change your password",
            "errors": {"current_password": exc.message}}, status_code=429), exc)
    # Whoever else had the old password is signed out; this browser stays in.
    assert caller.user.id is not None  # a signed-in (saved) user
    identity.revoke_user_sessions(session, user_id=caller.user.id, by=caller.actor,
                                  keep_id=caller.web_session.id if caller.web_session else None)
    return render(request, "change_password.html", {
        "page_title": "Password changed", "changed": True})
