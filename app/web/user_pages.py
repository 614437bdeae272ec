"""Users from the browser: the administrator's list of users, inviting one by email, changing
a role, deactivating and reactivating, resetting two-step verification, everyone's API tokens;
one's own API tokens on the account page; and the invitation link's page, where a new user
chooses their password.

The rules (who may, the last administrator, what a deactivation ends) are the services':
app/services/accounts.py, invitations.py and tokens.py.
"""

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse

from app.config import get_settings
from app.db import SessionDep
from app.models import ApiToken, Role, User
from app.services import accounts, identity, invitations, sign_in_limits, tokens, two_factor
from app.services.common import get_or_404
from app.services.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from app.services.mail import base_url_from_settings, mailer_from_settings
from app.services.permissions import Perm, require
from app.web.account_pages import render_account
from app.web.deps import (
    CsrfSupplied,
    IdPath,
    OptionalPageCaller,
    PageCaller,
    client_address,
)
from app.web.forms import submit
from app.web.templating import render

router = APIRouter(include_in_schema=False)

FormStr = Annotated[str, Form(max_length=2000)]
Password = Annotated[str, Form(max_length=2048)]
TOKENS_PER_PAGE = 50
ROLE_LABELS = {
    Role.admin: "Administrator", Role.secretariat: "Secretariat", Role.chair: "Chair",
    Role.force: "Force", Role.viewer: "Viewer",
}
ROLE_HINTS = {
    Role.admin: "Manages users and settings, and everything the secretariat does.",
    Role.secretariat: "Runs meetings: agendas, minutes, actions, questions and publication.",
    Role.chair: "The Commissioner's side: approves minutes and closes actions.",
    Role.force: "A force officer: updates their own actions and answers questions.",
    Role.viewer: "Reads the record, and nothing more.",
}
DONE = {
    "invited": "The invitation has been sent.",
    "invited-again": "A new invitation has been sent; the earlier link no longer works.",
    "role": "The role has been changed. They have been signed out, and their API tokens "
            "revoked.",
    "deactivated": "The account has been deactivated. Their sessions, API tokens, owner links "
                   "and calendar link have ended.",
    "activated": "The account is active again. They sign in afresh; nothing that was ended "
                 "comes back.",
    "two-factor": "Two-step verification has been reset. They have been signed out and will "
                  "set it up again when they next sign in.",
    "signed-out": "They have been signed out everywhere.",
    "revoked": "The API token has been revoked.",
}


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) <= 100_000 else 1


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _role_options() -> list[tuple[str, str, str]]:
    return [(role.value, ROLE_LABELS[role], ROLE_HINTS[role]) for role in Role]


# --- the list of users ----------------------------------------------------------------------


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.manage_users, "Only an administrator can see the list of users.")
    total = accounts.count_users(session, by=caller.actor)
    pages = _pages(total, accounts.PER_PAGE)
    page = min(_page_number(request.query_params.get("page", "1")), pages)
    rows = accounts.list_users(session, by=caller.actor,
                               idle_minutes=get_settings().session_idle_minutes, page=page)
    return render(request, "admin_users.html", {
        "page_title": "Users", "rows": rows, "total": total, "page": page, "pages": pages,
        "role_labels": ROLE_LABELS, "two_factor_on": two_factor.enabled,
        "notice": DONE.get(request.query_params.get("done", "")),
    })


def _invite_form(request: Request, values: dict, errors: dict[str, str], status: int = 200):
    return render(request, "admin_user_invite.html", {
        "page_title": "Invite a user", "values": values, "errors": errors,
        "roles": _role_options(), "days": invitations.DAYS,
    }, status_code=status)


@router.get("/admin/users/invite")
def invite_page(request: Request, caller: PageCaller):
    require(caller.actor, Perm.manage_users, "Only an administrator can invite a user.")
    return _invite_form(request, {"email": "", "name": "", "role": ""}, {})


@router.post("/admin/users/invite")
def invite(request: Request, session: SessionDep, caller: PageCaller, email: FormStr = "",
           name: FormStr = "", role: FormStr = ""):
    require(caller.actor, Perm.manage_users, "Only an administrator can invite a user.")
    values = {"email": email, "name": name, "role": role}
    return submit(
        session,
        lambda: invitations.invite_user(
            session, email=email, role=role, name=name, by=caller.actor,
            mailer=mailer_from_settings(), base_url=base_url_from_settings()),
        done=lambda made: f"/admin/users/{made.user.id}?done=invited",
        again=lambda errors, status: _invite_form(request, values, errors, status),
        field="email",
    )


# --- one user -------------------------------------------------------------------------------


def _user_page(request: Request, session, caller, user_id: int, *,
               errors: dict[str, str] | None = None, status: int = 200):
    require(caller.actor, Perm.manage_users, "Only an administrator can manage users.")
    user = get_or_404(session, User, user_id, "user")
    settings = get_settings()
    assert user.id is not None  # loaded from the database
    return render(request, "admin_user.html", {
        "page_title": identity.display_name(session, user),
        "user": user,
        "name": identity.display_name(session, user) if user.person_id else "",
        "role_labels": ROLE_LABELS,
        "roles": _role_options(),
        "is_self": user.id == caller.user.id,
        "totp_enabled": two_factor.enabled(user),
        "totp_required": two_factor.required(user),
        "invitation": invitations.pending(session, user.id),
        "sessions": identity.live_sessions(session, idle_minutes=settings.session_idle_minutes,
                                           user_id=user.id),
        "tokens": tokens.list_tokens(session, by=caller.actor, user_id=user.id),
        "notice": DONE.get(request.query_params.get("done", "")),
        "errors": errors or {},
    }, status_code=status)


@router.get("/admin/users/{user_id}")
def user_page(request: Request, session: SessionDep, caller: PageCaller, user_id: IdPath):
    return _user_page(request, session, caller, user_id)


def _on_user(request: Request, session, caller, user_id: int, work, done: str):
    require(caller.actor, Perm.manage_users, "Only an administrator can manage users.")
    return submit(
        session, work, done=lambda _: f"/admin/users/{user_id}?done={done}",
        again=lambda errors, status: _user_page(request, session, caller, user_id,
                                                errors=errors, status=status))


@router.post("/admin/users/{user_id}/role")
def change_role(request: Request, session: SessionDep, caller: PageCaller, user_id: IdPath,
                role: FormStr = ""):
    errors = {} if role in Role.__members__ else {"role": "Choose a role"}
    if errors:
        require(caller.actor, Perm.manage_users, "Only an administrator can manage users.")
        return _user_page(request, session, caller, user_id, errors=errors, status=422)
    return _on_user(request, session, caller, user_id, lambda: accounts.set_role(
        session, user_id=user_id, role=role, by=caller.actor), "role")


@router.post("/admin/users/{user_id}/deactivate")
def deactivate(request: Request, session: SessionDep, caller: PageCaller, user_id: IdPath):
    return _on_user(request, session, caller, user_id, lambda: accounts.deactivate_user(
        session, user_id=user_id, by=caller.actor), "deactivated")


@router.post("/admin/users/{user_id}/activate")
def activate(request: Request, session: SessionDep, caller: PageCaller, user_id: IdPath):
    return _on_user(request, session, caller, user_id, lambda: accounts.activate_user(
        session, user_id=user_id, by=caller.actor), "activated")


@router.post("/admin/users/{user_id}/two-factor/reset")
def reset_two_factor(request: Request, session: SessionDep, caller: PageCaller,
                     user_id: IdPath):
    return _on_user(request, session, caller, user_id, lambda: accounts.reset_two_factor(
        session, user_id=user_id, by=caller.actor), "two-factor")


@router.post("/admin/users/{user_id}/invite-again")
def invite_again(request: Request, session: SessionDep, caller: PageCaller, user_id: IdPath):
    return _on_user(request, session, caller, user_id, lambda: invitations.invite_again(
        session, user_id=user_id, by=caller.actor, mailer=mailer_from_settings(),
        base_url=base_url_from_settings()), "invited-again")


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke_user_token(request: Request, session: SessionDep, caller: PageCaller,
                      user_id: IdPath, token_id: IdPath):
    require(caller.actor, Perm.manage_users, "Only an administrator can manage users.")
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound(f"There is no API token with id {token_id} for this user.")
    tokens.revoke_token(session, token_id=token_id, by=caller.actor)
    return RedirectResponse(f"/admin/users/{user_id}?done=revoked", status_code=303)


# --- everyone's API tokens ------------------------------------------------------------------


@router.get("/admin/tokens")
def all_tokens_page(request: Request, session: SessionDep, caller: PageCaller):
    require(caller.actor, Perm.manage_users, "Only an administrator can see everyone's API "
                                             "tokens.")
    rows = tokens.list_tokens(session, by=caller.actor)
    pages = _pages(len(rows), TOKENS_PER_PAGE)
    page = min(_page_number(request.query_params.get("page", "1")), pages)
    start = (page - 1) * TOKENS_PER_PAGE
    return render(request, "admin_tokens.html", {
        "page_title": "API tokens", "rows": rows[start:start + TOKENS_PER_PAGE],
        "total": len(rows), "page": page, "pages": pages,
        "notice": DONE.get(request.query_params.get("done", "")),
    })


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_any_token(request: Request, session: SessionDep, caller: PageCaller,
                     token_id: IdPath):
    require(caller.actor, Perm.manage_users, "Only an administrator can revoke another "
                                             "user's API token.")
    tokens.revoke_token(session, token_id=token_id, by=caller.actor)
    return RedirectResponse("/admin/tokens?done=revoked", status_code=303)


# --- one's own API tokens -------------------------------------------------------------------


@router.post("/account/tokens")
def create_own_token(request: Request, session: SessionDep, caller: PageCaller,
                     name: FormStr = "", days: FormStr = "", code: FormStr = ""):
    values = {"name": name, "days": days}
    errors: dict[str, str] = {}
    if not name.strip():
        errors["token_name"] = "Enter what the token is for, like “Power BI report”"  # noqa: S105 - a message  # noqa: S105
    days = days.strip()
    if not (days.isdigit() and 1 <= int(days) <= tokens.MAX_DAYS):
        errors["token_days"] = f"Enter how many days the token works: 1 to {tokens.MAX_DAYS}"

    def again(found: dict[str, str], status: int):
        renamed = {("token_" + key if key in ("name", "days", "code") else key): message
                   for key, message in found.items()}
        return render_account(request, session, caller, extra={
            "token_errors": renamed, "token_values": values}, status=status)

    return submit(
        session,
        lambda: tokens.create_token(
            session, user=caller.user, by=caller.actor, name=name, days=int(days), code=code,
            address=client_address(request),
            limits=sign_in_limits.Limits.from_settings(get_settings())),
        errors=errors,
        done=lambda raw: render_account(request, session, caller, extra={
            "new_token": raw, "new_token_name": name.strip()}),
        again=again,
        field="token_name",
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_own_token(request: Request, session: SessionDep, caller: PageCaller,
                     token_id: IdPath):
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != caller.user.id:
        raise NotFound("There is no such API token of yours.")
    tokens.revoke_token(session, token_id=token_id, by=caller.actor)
    return RedirectResponse("/account?done=token-revoked#api-tokens", status_code=303)


# --- the invitation link --------------------------------------------------------------------


InvitationToken = Annotated[str, Path(max_length=200)]


def invitation_form_token(token: str) -> str:
    """The CSRF token of the invitation page's form: bound to the link (there is no session
    yet), so only a page opened from the link carries it."""
    key = get_settings().signing_key().encode()
    return hmac.new(key, b"invitation-form:" + token.encode(), hashlib.sha256).hexdigest()


def _unusable(request: Request, exc: NotFound | Gone):
    return render(request, "invitation.html", {
        "page_title": "This invitation link does not work", "problem": exc.message,
    }, status_code=exc.status_code)


def _invitation_form(request: Request, token: str, user: User, errors: dict[str, str],
                     status: int = 200):
    return render(request, "invitation.html", {
        "page_title": "Choose your password", "email": user.email, "token": token,
        "form_token": invitation_form_token(token), "errors": errors,
        "needs_two_factor": two_factor.required(user),
    }, status_code=status)


@router.get("/invitation/{token}")
def invitation_page(request: Request, session: SessionDep, caller: OptionalPageCaller,
                    token: InvitationToken):
    try:
        _, user = invitations.open_invitation(session, token)
    except (NotFound, Gone) as exc:
        return _unusable(request, exc)
    return _invitation_form(request, token, user, {})


@router.post("/invitation/{token}")
def accept_invitation(request: Request, session: SessionDep, csrf: CsrfSupplied,
                      token: InvitationToken, password: Password = "", confirm: Password = ""):
    if not csrf or not hmac.compare_digest(csrf, invitation_form_token(token)):
        raise Forbidden("This request did not come from the invitation page (missing form "
                        "token). Open the link from your email again.")
    try:
        _, user = invitations.open_invitation(session, token)
    except (NotFound, Gone) as exc:
        return _unusable(request, exc)
    try:
        invitations.accept_invitation(session, raw=token, password=password, confirm=confirm,
                                      address=client_address(request))
    except InvalidInput as exc:
        session.rollback()
        return _invitation_form(request, token, user, exc.errors, 422)
    except Conflict as exc:  # pragma: no cover - accept refuses only with InvalidInput
        return _unusable(request, Gone(exc.message))
    return RedirectResponse("/sign-in?welcome=1", status_code=303)
