"""The `assure` command: the same services as the web pages and the API.

Each command imports what it uses inside its function, on purpose (start-up cost): importing
every service and document builder takes several times as long as starting the command, and
`assure --help` or a small command should not wait for what it does not use.
"""

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.config import get_settings


@contextmanager
def _session() -> Iterator[Session]:
    """A command's unit of work: its one transaction, committed when the block ends and rolled
    back when it raises, a refusal (DomainError) included, so that nothing of a refused command
    is kept. Catch the refusal outside the block."""
    from app.db import get_engine, open_session

    with open_session(get_engine(), write=True) as session:
        yield session
        session.commit()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    print(f"Assure is serving at http://{args.host}:{args.port}  (Ctrl+C stops it)")
    # The app itself decides which proxies' X-Forwarded-For to believe (ASSURE_TRUSTED_PROXIES);
    # uvicorn's own handling would believe any from 127.0.0.1.
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                proxy_headers=False, log_level="info")
    return 0


def schema_out_of_date() -> str:
    """Why the database cannot be used as it is (not migrated to this version), or ""."""
    from alembic.runtime.migration import MigrationContext

    from app.db import get_engine
    from app.migrations_config import head_revisions

    with get_engine().connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == head_revisions():
        return ""
    if not current:
        return ("The database has not been set up yet: run `assure db upgrade` first "
                "(`make run` does it).")
    return ("The database is from another version of Assure: run `assure db upgrade` to bring "
            "it up to date (it keeps every record).")


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from alembic import command

    from app.migrations_config import alembic_config

    command.upgrade(alembic_config(), args.revision)
    print(f"The database is at revision {args.revision}.")
    return 0


def cmd_demo_load(args: argparse.Namespace) -> int:
    from app.services import demo

    with _session() as session:
        if demo.has_data(session):
            if args.if_empty:
                print("The database already holds meetings; the demo was not loaded. Sign in "
                      "with your account, or make one with `.venv/bin/assure users create "
                      "EMAIL --name NAME --role admin`.")
                return 0
            print("The database already holds meetings; the demo loads only into an empty one.",
                  file=sys.stderr)
            return 1
        result = demo.load_demo(session)
    print("Loaded the demo: the Monthly Assurance Meeting of April 2019 and its next meeting,")
    print("and the Accountability Board of March 2019, whose minutes follow the board format.")
    print()
    print("  Sign in at http://127.0.0.1:8000/sign-in")
    print(f"  Email:    {result.admin_email}")
    print(f"  Password: {result.admin_password}")
    print()
    print("  On the first sign-in you set up two-step verification: have an authenticator app")
    print("  (Microsoft Authenticator, Google Authenticator...) ready to scan a QR code.")
    print()
    print("  This password is shown only now. Keep it, or make another user with")
    print("  `.venv/bin/assure users create EMAIL --name NAME --role admin`.")
    return 0


def cmd_users_create(args: argparse.Namespace) -> int:
    from app.models import Role
    from app.services import identity
    from app.services.errors import DomainError
    from app.services.permissions import Actor

    generated = False
    if sys.stdin.isatty():
        password = identity.generate_password()
        generated = True
    else:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            password, generated = identity.generate_password(), True
    try:
        with _session() as session:
            user = identity.create_user(
                session, email=args.email, role=Role(args.role), password=password,
                name=args.name, person_id=args.person_id, by=Actor.system(),
            )
    except DomainError as exc:
        return _refused("Not created", exc)
    print(f"Created user {user.email} ({user.role}).")
    if user.role in ("admin", "chair", "secretariat"):
        print("They set up two-step verification (an authenticator app) at their first sign-in.")
    if generated:
        print(f"Password (shown only now): {password}")
    return 0


def _refused(prefix: str, exc) -> int:
    """Say on stderr why a service refused, field by field when it says so; the exit code."""
    detail = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())
    print(f"{prefix}: {detail or exc.message}", file=sys.stderr)
    return 1


def _user_or_none(session: Session, email: str):
    from app.services import identity

    user = identity.find_user(session, email)
    if user is None:
        print(f"There is no user with the email {email}.", file=sys.stderr)
    return user


def _on_user(email: str, refused: str, work):
    """Run `work(session, user)` for the user with this email, as the command line; the exit
    code, the user and what `work` returned. A missing user or a refusal is said on stderr."""
    from app.services.errors import DomainError

    user = None
    try:
        with _session() as session:
            user = _user_or_none(session, email)
            if user is None:
                return 1, None, None
            done = work(session, user)
    except DomainError as exc:
        return _refused(refused, exc), user, None
    return 0, user, done


def _when(value) -> str:
    """A time as the lists print it (London, to the minute), or "-"."""
    from app.services.dates import to_london

    return f"{to_london(value):%Y-%m-%d %H:%M}" if value else "-"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def cmd_tokens_create(args: argparse.Namespace) -> int:
    from app.services import tokens
    from app.services.permissions import Actor

    code, _, raw = _on_user(args.email, "No token made", lambda session, user: (
        tokens.create_token(session, user=user, name=args.name or "", days=args.days,
                            by=Actor.system())))
    if raw:
        print(raw)
    return code


def cmd_tokens_list(args: argparse.Namespace) -> int:
    import json

    from app.services import tokens
    from app.services.permissions import Actor

    with _session() as session:
        user_id = None
        if args.email:
            user = _user_or_none(session, args.email)
            if user is None:
                return 1
            user_id = user.id
        rows = tokens.list_tokens(session, by=Actor.system(), user_id=user_id)
    if args.json:
        print(json.dumps([{
            "id": row.token.id, "email": row.email, "name": row.token.name, "state": row.state,
            "created_at": _iso(row.token.created_at), "expires_at": _iso(row.token.expires_at),
            "last_used_at": _iso(row.token.last_used_at),
            "revoked_at": _iso(row.token.revoked_at)} for row in rows], indent=2))
        return 0
    if not rows:
        print("No API tokens.")
        return 0
    print(f"{'ID':>6}  {'STATE':<8} {'EMAIL':<32} {'NAME':<24} {'EXPIRES':<16} LAST USED")
    for row in rows:
        token = row.token
        print(f"{token.id:>6}  {row.state:<8} {row.email:<32} {token.name or '-':<24} "
              f"{_when(token.expires_at):<16} {_when(token.last_used_at)}")
    return 0


def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    from app.services import tokens
    from app.services.errors import DomainError
    from app.services.permissions import Actor

    try:
        with _session() as session:
            token = tokens.revoke_token(session, token_id=args.token_id, by=Actor.system())
    except DomainError as exc:
        return _refused("Nothing revoked", exc)
    print(f"API token {token.id} is revoked: it no longer works.")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    import json

    from app.services import accounts
    from app.services.permissions import Actor

    with _session() as session:
        rows = accounts.list_users(session, by=Actor.system(),
                                   idle_minutes=get_settings().idle_minutes())
    if args.json:
        print(json.dumps([{
            "id": row.user.id, "email": row.user.email, "name": row.name,
            "role": row.user.role, "active": row.user.active,
            "last_sign_in_at": _iso(row.user.last_sign_in_at),
            "live_sessions": row.live_sessions, "live_tokens": row.live_tokens}
            for row in rows], indent=2))
        return 0
    print(f"{'EMAIL':<32} {'NAME':<24} {'ROLE':<12} {'ACTIVE':<7} {'LAST SIGN-IN':<16} "
          "SESSIONS TOKENS")
    for row in rows:
        user = row.user
        print(f"{user.email:<32} {row.name or '-':<24} {user.role:<12} "
              f"{'yes' if user.active else 'no':<7} {_when(user.last_sign_in_at):<16} "
              f"{row.live_sessions:>8} {row.live_tokens:>6}")
    return 0


def cmd_users_deactivate(args: argparse.Namespace) -> int:
    from app.services import accounts
    from app.services.permissions import Actor

    code, user, ended = _on_user(args.email, "Not deactivated", lambda session, user: (
        accounts.deactivate_user(session, user_id=user.id, by=Actor.system())))
    if ended:
        print(f"{user.email} is deactivated: {ended.words()}"
              + (", and their calendar link no longer works." if user.person_id else "."))
    return code


def cmd_users_activate(args: argparse.Namespace) -> int:
    from app.services import accounts
    from app.services.permissions import Actor

    code, user, done = _on_user(args.email, "Not made active", lambda session, user: (
        accounts.activate_user(session, user_id=user.id, by=Actor.system())))
    if done is not None:
        print(f"{user.email} can sign in again; their old sessions, tokens and links stay "
              "ended." if done else f"{user.email} is already active.")
    return code


def cmd_users_set_role(args: argparse.Namespace) -> int:
    from app.services import accounts
    from app.services.permissions import Actor

    before = {}

    def change(session, user):
        before["role"] = user.role
        return accounts.set_role(session, user_id=user.id, role=args.role, by=Actor.system())

    code, user, ended = _on_user(args.email, "Role not changed", change)
    if ended is None:
        return code
    if before["role"] == args.role:
        print(f"{user.email} already has the role {args.role}; nothing changed.")
    else:
        print(f"{user.email} is now {args.role} (was {before['role']}): {ended.words()}; they "
              "sign in again under the new role.")
    return code


def cmd_calendar_rotate(args: argparse.Namespace) -> int:
    from app.models import MeetingType
    from app.services import calendar
    from app.services.errors import DomainError
    from app.services.mail import base_url_from_settings
    from app.services.permissions import Actor

    kind, object_id = ("person", args.person) if args.person else ("series", args.series)
    try:
        with _session() as session:
            feed = calendar.new_link(session, kind=kind, object_id=object_id,
                                     by=Actor.system())
    except DomainError as exc:
        return _refused("No new link", exc)
    if kind == "series":
        assert isinstance(feed, MeetingType)  # new_link gives the series
        # Each user has a link of their own to a series: there is no one link to print.
        print(f"Every calendar link to {feed.name} now stops working; each user finds their "
              "new link on the series' page.")
        return 0
    print(calendar.feed_url(base_url_from_settings(), kind, feed,
                            get_settings().signing_key()))
    return 0


def _add_access_parsers(commands, users, tokens) -> None:
    """Users' and tokens' life cycle, and calendar links."""
    from app.models import Role
    from app.services.tokens import DEFAULT_DAYS

    listed = users.add_parser("list", help="every user: role, whether active, last sign-in, "
                              "live sessions and API tokens")
    listed.add_argument("--json", action="store_true")
    listed.set_defaults(func=cmd_users_list)
    deactivate = users.add_parser(
        "deactivate", help="stop a user signing in and end, at once, their sessions, API "
        "tokens, owner links and calendar link")
    deactivate.add_argument("email")
    deactivate.set_defaults(func=cmd_users_deactivate)
    activate = users.add_parser(
        "activate", help="let a deactivated user sign in again (nothing that was ended comes "
        "back: new sessions, tokens and links are made afresh)")
    activate.add_argument("email")
    activate.set_defaults(func=cmd_users_activate)
    role = users.add_parser("set-role", help="give a user another role (it signs them out and "
                            "revokes their API tokens)")
    role.add_argument("email")
    role.add_argument("role", choices=[r.value for r in Role])
    role.set_defaults(func=cmd_users_set_role)

    token = tokens.add_parser("create", help="create an API token and print it (only it)")
    token.add_argument("email")
    token.add_argument("--name", help='what it is for, e.g. "Power BI report"')
    token.add_argument("--days", type=int, default=DEFAULT_DAYS,
                       help=f"how long it works (default {DEFAULT_DAYS})")
    token.set_defaults(func=cmd_tokens_create)
    listed = tokens.add_parser("list", help="API tokens (never their secrets), newest first")
    listed.add_argument("email", nargs="?", help="one user's tokens")
    listed.add_argument("--json", action="store_true")
    listed.set_defaults(func=cmd_tokens_list)
    revoke = tokens.add_parser("revoke", help="stop an API token working at once")
    revoke.add_argument("token_id", type=int)
    revoke.set_defaults(func=cmd_tokens_revoke)

    calendar = commands.add_parser("calendar", help="calendar feed links").add_subparsers(
        dest="calendar", required=True)
    rotate = calendar.add_parser(
        "rotate", help="give a person's or a series' calendar a new link and print it; the "
        "old link stops working")
    which = rotate.add_mutually_exclusive_group(required=True)
    which.add_argument("--person", type=int, metavar="ID")
    which.add_argument("--series", type=int, metavar="ID")
    rotate.set_defaults(func=cmd_calendar_rotate)


def cmd_users_reset_two_factor(args: argparse.Namespace) -> int:
    from app.services import identity, two_factor
    from app.services.permissions import Actor

    with _session() as session:
        user = identity.find_user(session, args.email)
        if user is None:
            print(f"There is no user with the email {args.email}.", file=sys.stderr)
            return 1
        two_factor.reset(session, user=user, by=Actor.system())
        assert user.id is not None  # loaded from the database
        identity.revoke_user_sessions(session, user_id=user.id, by=Actor.system())
    print(f"Two-step verification reset for {user.email}: they set it up again when they "
          "next sign in, and every session of theirs has ended.")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from app.services.errors import DomainError
    from app.services.office import WEEKDAYS, OfficeChanges, get_office, update_office
    from app.services.permissions import Actor

    changes = OfficeChanges(
        office_name=args.office_name, office_short_name=args.short_name,
        force_name=args.force_name, default_marking=args.marking,
        action_reference_format=args.action_reference_format,
        decision_reference_format=args.decision_reference_format,
        publish_within_days=args.publish_within_days,
        reminder_days_before=args.reminder_days_before, owner_link_days=args.owner_link_days,
        digest_weekday=args.digest_day,
    )
    try:
        with _session() as session:
            if any(v is not None for v in vars(changes).values()):
                update_office(session, changes=changes, by=Actor.system())
            office = get_office(session)
    except DomainError as exc:
        return _refused("Not changed", exc)
    for label, value in (
        ("Office", office.office_name), ("Short name", office.office_short_name),
        ("Force", office.force_name), ("Default marking", office.default_marking),
        ("Action references", office.action_reference_format),
        ("Decision references", office.decision_reference_format),
        ("Publish minutes within (days)", office.publish_within_days),
        ("Remind action owners (days before due)", office.reminder_days_before),
        ("Owners' links work for (days)", office.owner_link_days),
        ("Weekly overdue digest on", WEEKDAYS[office.digest_weekday]),
    ):
        print(f"{label}: {value}")
    return 0


def _export(args: argparse.Namespace, build, render, suffix: str) -> int:
    """Build a document from the record, write it, and say where."""
    from app.services.errors import DomainError
    from app.services.permissions import Actor
    from app.services.word_template import template_bytes
    from app.web.downloads import safe_filename

    try:
        with _session() as session:
            record = build(session, Actor.system())
            template = template_bytes(session)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    content = render(record, template)
    if args.output:
        target = Path(args.output)
    else:
        target = get_settings().export_dir / safe_filename(record.title, suffix, "docx")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    described = f", {suffix} edition" if suffix else ""
    print(f"Wrote {target} ({len(content):,} bytes{described}).")
    return 0


def cmd_export_minutes(args: argparse.Namespace) -> int:
    from app.export.minutes_docx import render_minutes
    from app.services.minutes import Edition, minutes_for_export

    edition = Edition(args.edition)
    return _export(args, lambda session, by: minutes_for_export(
        session, meeting_id=args.meeting_id, edition=edition, by=by), render_minutes, edition)


def cmd_export_agenda(args: argparse.Namespace) -> int:
    from app.export.agenda_docx import render_agenda
    from app.services.meeting_papers import agenda_for
    from app.services.minutes import Edition

    edition = Edition(args.edition)
    return _export(args, lambda session, by: agenda_for(
        session, meeting_id=args.meeting_id, edition=edition, by=by), render_agenda, edition)


def cmd_export_questions(args: argparse.Namespace) -> int:
    from app.export.questions_docx import render_question_pack
    from app.services.meeting_papers import question_pack_for

    return _export(args, lambda session, by: question_pack_for(
        session, meeting_id=args.meeting_id, by=by), render_question_pack, "")


def cmd_export_actions(args: argparse.Namespace) -> int:
    from app.export.action_log_docx import render_action_log
    from app.export.action_log_xlsx import render_action_log_xlsx
    from app.models import ActionStatus, Rag
    from app.services.action_log import LogFilters, action_log_for
    from app.services.errors import DomainError
    from app.services.permissions import Actor
    from app.services.word_template import template_bytes
    from app.web.downloads import safe_filename

    fmt = args.format
    if fmt is None:
        fmt = "xlsx" if args.output and args.output.lower().endswith(".xlsx") else "docx"
    filters = LogFilters(
        owner_id=args.owner,
        status=ActionStatus(args.status) if args.status not in (None, "not_closed") else None,
        open_only=args.status == "not_closed",
        rag=Rag(args.rag) if args.rag else None,
        meeting_id=args.meeting,
        theme=args.theme or "",
        due_from=args.due_from,
        due_to=args.due_to,
        search=args.search or "",
        sort=args.sort,
        descending=args.descending,
    )
    try:
        with _session() as session:
            log = action_log_for(session, by=Actor.system(), filters=filters, fmt=fmt)
            template = template_bytes(session)
    except DomainError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    content = (render_action_log_xlsx(log) if fmt == "xlsx"
               else render_action_log(log, template))
    target = (Path(args.output) if args.output
              else get_settings().export_dir / safe_filename(log.title, "", fmt))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    print(f"Wrote {target} ({len(content):,} bytes; {len(log.rows)} "
          f"action{'' if len(log.rows) == 1 else 's'}: {log.description}).")
    return 0


def _add_export_actions_parser(export) -> None:
    from app.models import ActionStatus, Rag
    from app.services.action_log import SORTS

    actions = export.add_parser(
        "actions", help="the action log as .docx (Ref, Raised, Action, Owner, Due, Status, "
        "Latest update) or .xlsx")
    actions.add_argument("--owner", type=int, metavar="PERSON_ID", help="one owner's actions")
    actions.add_argument("--status", choices=[s.value for s in ActionStatus] + ["not_closed"],
                         help="one status, or not_closed for every open one")
    actions.add_argument("--rag", choices=[r.value for r in Rag])
    actions.add_argument("--meeting", type=int, metavar="MEETING_ID",
                         help="those raised at this meeting")
    actions.add_argument("--theme", help="those raised under this theme")
    actions.add_argument("--due-from", type=_day, metavar="YYYY-MM-DD")
    actions.add_argument("--due-to", type=_day, metavar="YYYY-MM-DD")
    actions.add_argument("--search", help="words in the action, its reference or its latest update")
    actions.add_argument("--sort", choices=list(SORTS), default="reference")
    actions.add_argument("--descending", action="store_true")
    actions.add_argument("--format", choices=["docx", "xlsx"],
                         help="default: from the -o file's name, else docx")
    actions.add_argument("-o", "--output", help="the file to write (default: ASSURE_EXPORT_DIR)")
    actions.set_defaults(func=cmd_export_actions)


def cmd_export_findings(args: argparse.Namespace) -> int:
    from app.export.findings_docx import render_findings_docx
    from app.export.findings_xlsx import render_findings_xlsx
    from app.services.dates import today
    from app.services.findings_dashboard import DashboardFilters, panel_report
    from app.services.permissions import Actor
    from app.services.word_template import template_bytes
    from app.web.downloads import safe_filename

    fmt = args.format
    if fmt is None:
        fmt = "xlsx" if args.output and args.output.lower().endswith(".xlsx") else "docx"
    filters = DashboardFilters(inspection_id=args.inspection, kind=args.kind,
                               status=args.status, assessment=args.assessment,
                               overdue=args.overdue)
    day = today()
    with _session() as session:
        report = panel_report(session, by=Actor.system(), filters=filters, today=day, fmt=fmt)
        template = template_bytes(session)
    content = (render_findings_xlsx(report) if fmt == "xlsx"
               else render_findings_docx(report, template))
    target = (Path(args.output) if args.output
              else get_settings().export_dir / safe_filename(f"{report.title} {day}", "", fmt))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    count = sum(len(section.rows) for section in report.sections)
    print(f"Wrote {target} ({len(content):,} bytes; {count} "
          f"finding{'' if count == 1 else 's'}: {report.description})")
    return 0


def _add_export_findings_parser(export) -> None:
    from app.services.inspections import FORCE_STATUSES, KINDS, OPCC_STATUSES

    findings = export.add_parser(
        "findings", help="HMICFRS findings: the report to the Police and Crime Panel as .docx "
        "or .xlsx (counts by status, grade and area, then each inspection's findings)")
    findings.add_argument("--inspection", type=int, metavar="INSPECTION_ID",
                          help="one inspection's findings")
    findings.add_argument("--kind", choices=list(KINDS))
    findings.add_argument("--status", choices=list(FORCE_STATUSES), help="the force's status")
    findings.add_argument("--assessment", choices=list(OPCC_STATUSES),
                          help="the Commissioner's assessment")
    findings.add_argument("--overdue", action="store_true", help="only overdue findings")
    findings.add_argument("--format", choices=["docx", "xlsx"],
                          help="default: from the -o file's name, else docx")
    findings.add_argument("-o", "--output", help="the file to write (default: ASSURE_EXPORT_DIR)")
    findings.set_defaults(func=cmd_export_findings)


def _read_json(read, unknown) -> dict:
    """What a file was read as, for --json."""
    from dataclasses import asdict

    data = asdict(read)
    data.pop("text", None)
    data["unknown_people"] = [asdict(p) for p in unknown]
    return data


def _print_json(data: dict) -> None:
    import json

    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def cmd_import(args: argparse.Namespace) -> int:
    """Read an old minutes document or action log; save it unless --dry-run."""
    from app.services import minutes_import, record_import
    from app.services.errors import DomainError
    from app.services.permissions import Actor

    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    minutes = args.kind == "minutes"
    read: Any
    try:
        read = (minutes_import.read_minutes(path.name, content) if minutes
                else minutes_import.read_action_log(path.name, content))
    except DomainError as exc:
        return _refused("Not imported", exc)
    if minutes and args.date is not None:
        read.meeting_date = args.date
    by = Actor.system()
    try:
        with _session() as session:
            found = [] if read.unrecognised else record_import.unknown_people(
                session, attendance=getattr(read, "attendance", []), actions_read=read.actions)
            data = _read_json(read, found)
            earlier = record_import.earlier_import(session, content)
            data["imported_before"] = (
                {"import_id": earlier.id, "meeting_id": earlier.meeting_id,
                 "action_ids": earlier.actions, "imported_at": _iso(earlier.imported_at)}
                if earlier else None)
            if args.dry_run:
                if args.json:
                    _print_json(data)
                else:
                    _print_import_summary(read, found, minutes)
                session.rollback()
                return 0
            if read.unrecognised:
                print("Not imported: " + " ".join(read.notes) + " Import it on the page "
                      "(Meetings, then Import old minutes), where the items can be marked.",
                      file=sys.stderr)
                return 1
            if minutes and read.meeting_date is None:
                print("Not imported: the meeting's date was not found in the file; give it "
                      "with --date YYYY-MM-DD.", file=sys.stderr)
                return 1
            choices = record_import.creating_everyone(found)
            if minutes:
                saved = record_import.save_minutes(session, by=by, filename=path.name,
                                                   content=content, again=args.again,
                                                   draft=record_import.MinutesDraft(
                    series_id=args.series, meeting_date=read.meeting_date,
                    start_time=read.start_time, venue=read.venue, chair=read.chair,
                    minute_taker=read.minute_taker, attendance=read.attendance,
                    items=read.items, actions=read.actions, people=choices))
            else:
                saved = record_import.save_action_log(
                    session, by=by, filename=path.name, content=content, again=args.again,
                    draft=record_import.ActionLogDraft(actions=read.actions, people=choices))
            result: dict[str, Any] = {"import_id": saved.id, "meeting_id": saved.meeting_id,
                      "action_ids": saved.actions, "people_created": [p.label for p in found]}
    except record_import.AlreadyImported as exc:
        print(f"Not imported: {exc.message} To import it again, add --again.", file=sys.stderr)
        return 1
    except DomainError as exc:
        return _refused("Not imported", exc)
    if args.json:
        _print_json({**data, **result})
        return 0
    if saved.meeting_id:
        print(f"Meeting {saved.meeting_id}")
    print("Actions " + (" ".join(map(str, saved.actions)) or "none"))
    for label in result["people_created"]:
        print(f"Person created: {label}")
    return 0


def _print_import_summary(read, found, minutes: bool) -> None:
    if read.unrecognised:
        print("Not recognised: " + " ".join(read.notes))
        return
    if minutes:
        print(f"{read.title or 'Minutes'}: {read.meeting_date or 'date not found'}, "
              f"{len(read.items)} items, {len(read.attendance)} attending, "
              f"{len(read.actions)} actions ({read.layout} layout)")
    else:
        print(f"{len(read.actions)} actions")
    for person in found:
        print(f"Not in the directory (would be created): {person.label}")


def _add_import_parsers(commands) -> None:
    importing = commands.add_parser(
        "import", help="read old minutes (.docx) or an action log (.xlsx, .docx) into the "
                       "record, or print what an inspection report holds"
    ).add_subparsers(dest="import_kind", required=True)
    minutes = importing.add_parser(
        "minutes", help="old minutes as an approved, imported meeting of a series; people "
                        "not in the directory are created")
    minutes.add_argument("file")
    minutes.add_argument("--series", type=int, required=True, metavar="ID",
                         help="the series (meeting type) the meeting belongs to")
    minutes.add_argument("--date", type=_day, metavar="YYYY-MM-DD",
                         help="the meeting's date, when the file does not say it")
    actions = importing.add_parser(
        "actions", help="an old action log's actions, with their references where free")
    actions.add_argument("file")
    for parser, kind in ((minutes, "minutes"), (actions, "actions")):
        parser.add_argument("--dry-run", action="store_true", help="read the file, save nothing")
        parser.add_argument("--json", action="store_true",
                            help="print what was read (and, when saved, the new ids) as JSON")
        parser.add_argument("--again", action="store_true",
                            help="import a file that was imported before once more")
        parser.set_defaults(func=cmd_import, kind=kind)
    actions.set_defaults(series=None, date=None)
    inspection = importing.add_parser(
        "inspection", help="read an HMICFRS report (.txt, .pdf or .docx) and print its title, "
        "force or service, grades and findings; nothing is saved")
    inspection.add_argument("file")
    inspection.add_argument("--json", action="store_true", help="print what was read as JSON")
    inspection.set_defaults(func=cmd_import_inspection)


def cmd_schedule_generate(args: argparse.Namespace) -> int:
    from app.services import schedule
    from app.services.dates import to_london
    from app.services.errors import DomainError
    from app.services.permissions import Actor

    try:
        with _session() as session:
            made = schedule.generate_meetings(session, meeting_type_id=args.series_id,
                                              by=Actor.system())
    except DomainError as exc:
        return _refused("No meetings made", exc)
    for meeting in made.made:
        holiday = schedule.holiday_of(meeting)
        note = f"  (bank holiday: {holiday})" if holiday else ""
        print(f"{meeting.id:>6}  {to_london(meeting.starts_at):%a %d %b %Y %H:%M}"
              f"{note}")
    print(f"Made {len(made.made)} meetings; {made.already} dates already had theirs.")
    return 0


def cmd_reminders_send(args: argparse.Namespace) -> int:
    from app.services import invites, public_question_mail
    from app.services.mail import base_url_from_settings, mailer_from_settings
    from app.services.notifications import send_reminders

    try:
        mailer = mailer_from_settings()
    except ValueError as exc:  # a malformed ASSURE_SMTP_URL
        print(f"No reminders sent: {exc}", file=sys.stderr)
        return 1
    with _session() as session:
        report = send_reminders(session, today=args.date, mailer=mailer,
                                base_url=args.base_url or base_url_from_settings())
    print("\n".join(report.lines()))
    with _session() as session:  # emails to members of the public about their questions
        told = public_question_mail.deliver(session, mailer=mailer, stop_at_first_wait=False,
                                            base_url=args.base_url or base_url_from_settings())
    if told.sent or told.failed or told.waiting:
        print(f"Emails about questions from the public: sent {told.sent}, failed {told.failed},"
              f" waiting for the mail server {told.waiting}.")
    with _session() as session:  # calendar invitations still waiting for the mail server
        invited = invites.deliver(session, mailer=mailer, stop_at_first_wait=False,
                                  base_url=args.base_url or base_url_from_settings())
    if invited.sent or invited.failed or invited.waiting:
        print(f"Calendar invitations: sent {invited.sent}, failed {invited.failed}, "
              f"waiting for the mail server {invited.waiting}.")
        for error in invited.errors:
            print(f"  {error}")
    return 1 if report.failed or invited.failed or told.failed else 0


def cmd_retention_run(args: argparse.Namespace) -> int:
    from app.services.public_questions import erase_expired_submitters

    with _session() as session:
        erased = erase_expired_submitters(session, today=args.date)
    print(f"Erased the details of {erased} member{'' if erased == 1 else 's'} of the public "
          "whose questions are older than the office keeps them.")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from app.services.backup import BackupError, backup, shown

    url = get_settings().database_url
    try:
        result = backup(url, Path(args.output) if args.output else None)
    except BackupError as exc:
        print(f"No backup made: {exc}", file=sys.stderr)
        return 1
    manifest = result.manifest
    print(f"Backed up {shown(url)} to {result.path} ({manifest.size:,} bytes, schema revision "
          f"{manifest.revision}); it passed its check.")
    print(f"Manifest: {result.manifest_path} (sha256 {manifest.sha256})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from app.services.backup import BackupError, NeedsConfirmation, restore, shown

    url = get_settings().database_url
    try:
        manifest = restore(Path(args.file), url, replace=args.yes)
    except NeedsConfirmation as exc:
        print(f"Nothing restored: {exc}", file=sys.stderr)
        return 2
    except BackupError as exc:
        print(f"Nothing restored: {exc}", file=sys.stderr)
        return 1
    print(f"Restored {args.file} (taken {manifest.created_at}, schema revision "
          f"{manifest.revision}) into {shown(url)}; the database passed its integrity check.")
    return 0


def inspection_as_json(report, filename: str) -> dict:
    """What the importer read from a report, as `assure import inspection --json` prints it."""
    from app.services.inspections import s55_due

    return {
        "file": filename,
        "title": report.title,
        "force": report.force,  # the police force, or the fire and rescue service
        "sector": report.sector,
        "kind": report.kind,
        "published": _iso(report.published_on),
        "s55_due": _iso(s55_due(report.published_on)),
        "grades": [{"area": area, "grade": grade} for area, grade in report.judgments],
        "findings": [{
            "kind": f.kind, "number": f.number, "text": f.text, "addressee": f.addressee,
            "deadline": f.deadline, "deadline_date": _iso(f.deadline_date), "area": f.area,
        } for f in report.findings],
        "unrecognised": report.unrecognised,
        "notes": report.notes,
    }


def cmd_import_inspection(args: argparse.Namespace) -> int:
    """Read an inspection report and print what was found; nothing is saved."""
    import json

    from app.services.errors import InvalidInput
    from app.services.inspection_import import MAX_FILE_BYTES, extract_text, parse_report

    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        print(f"Nothing read: {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    try:
        text = extract_text(path.name, content)
    except InvalidInput as exc:
        return _refused(f"Nothing read from {args.file}", exc)
    data = inspection_as_json(parse_report(text), path.name)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"Title:      {data['title'] or '-'}")
    label = "Service:" if data["sector"] == "fire" else "Force:"
    print(f"{label:<12}{data['force'] or '-'}")
    print(f"Kind:       {data['kind']}")
    print(f"Published:  {data['published'] or '-'}   s55 response due: {data['s55_due'] or '-'}")
    for grade in data["grades"]:
        print(f"Grade:      {grade['area']}: {grade['grade']}")
    for finding in data["findings"]:
        number = f" {finding['number']}" if finding["number"] else ""
        print(f"- {finding['kind'].replace('_', ' ')}{number}: {finding['text'].splitlines()[0]}")
        if finding["addressee"] or finding["deadline"]:
            print(f"    to {finding['addressee'] or '-'}; deadline {finding['deadline'] or '-'}"
                  + (f" ({finding['deadline_date']})" if finding["deadline_date"] else ""))
    for note in data["notes"]:
        print(f"Note: {note}")
    print("Nothing was saved.")
    return 0


def _add_backup_parsers(commands) -> None:
    made = commands.add_parser(
        "backup", help="write a consistent snapshot of the database, and a manifest beside it")
    made.add_argument("-o", "--output", help="the file to write (default: "
                      "var/backups/assure-YYYYMMDD-HHMMSS.db, or .dump on PostgreSQL)")
    made.set_defaults(func=cmd_backup)
    back = commands.add_parser(
        "restore", help="check a backup against its manifest and restore it into the database")
    back.add_argument("file", help="a backup made by `assure backup` (its .json beside it)")
    back.add_argument("--yes", action="store_true",
                      help="replace the database even though it holds data")
    back.set_defaults(func=cmd_restore)


def _day(value: str):
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2019-05-28") from None


def _weekday(value: str) -> int:
    from app.services.office import WEEKDAYS

    for number, name in enumerate(WEEKDAYS):
        if value.strip().lower() in (name.lower(), name[:3].lower()):
            return number
    raise argparse.ArgumentTypeError(f"{value!r} is not a day of the week, e.g. Monday")


def cmd_search(args: argparse.Namespace) -> int:
    import json

    from app.services import search
    from app.services.errors import DomainError
    from app.services.permissions import Actor

    words = " ".join(args.words)
    try:
        with _session() as session:
            page = search.search(session, by=Actor.system(), q=words,
                                 kinds=[args.kind] if args.kind else None, limit=args.limit)
    except DomainError as exc:
        return _refused("Nothing searched", exc)
    if args.json:
        print(json.dumps({"results": [{
            "kind": r.kind.value, "id": r.id, "meeting_id": r.meeting_id, "title": r.title,
            "snippet": str(r.snippet), "url": r.url,
            "date": r.date.isoformat() if r.date else None} for r in page.results],
            "total": page.total}, indent=2))
        return 0
    print(f"{page.total} found" + (f"; the best {len(page.results)}:"
                                   if page.total > len(page.results) else ":"))
    for group in page.groups:
        print(f"\n{group.heading}")
        for r in group.results:
            snippet = str(r.snippet.striptags()).replace("\n", " ")
            print(f"  {r.kind_name} {r.id}: {r.title}  {r.url}\n    {snippet}")
    return 0


def _add_search_parser(commands) -> None:
    from app.services.search_index import Kind

    found = commands.add_parser(
        "search", help="find words in the record (minutes, items, papers, questions, "
                       "answers, actions, updates, decisions, findings), best first")
    found.add_argument("words", nargs="+", help='the words: "a phrase", OR, -word')
    found.add_argument("--kind", choices=[k.value for k in Kind], help="only this kind")
    found.add_argument("--limit", type=int, default=20, help="how many to show (default 20)")
    found.add_argument("--json", action="store_true", help="print JSON, as the API answers")
    found.set_defaults(func=cmd_search)


def _add_reminders_parser(commands) -> None:
    reminders = commands.add_parser("reminders", help="action emails").add_subparsers(
        dest="reminders", required=True)
    send = reminders.add_parser(
        "send", help="send the action emails due today, each once (run it from cron)")
    send.add_argument("--date", type=_day, metavar="YYYY-MM-DD",
                      help="send those due on this day instead of today (London)")
    send.add_argument("--base-url", help="the site's address for links in the emails "
                      "(default: ASSURE_BASE_URL, else http://127.0.0.1:8000)")
    send.set_defaults(func=cmd_reminders_send)


def _add_retention_parser(commands) -> None:
    retention = commands.add_parser(
        "retention", help="personal details kept only as long as the office says").add_subparsers(
        dest="retention", required=True)
    run = retention.add_parser(
        "run", help="erase the details of members of the public whose questions are older "
        "than the office's retention period (run it from cron, daily)")
    run.add_argument("--date", type=_day, metavar="YYYY-MM-DD",
                     help="erase as on this day instead of today (London)")
    run.set_defaults(func=cmd_retention_run)


def build_parser() -> argparse.ArgumentParser:
    """The command line's grammar."""
    parser = argparse.ArgumentParser(prog="assure", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the pages and the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="the database").add_subparsers(dest="db", required=True)
    upgrade = db.add_parser("upgrade", help="migrate the database to the latest schema")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=cmd_db_upgrade)

    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="demo", required=True)
    load = demo.add_parser("load", help="load the April 2019 reference meeting")
    load.add_argument("--if-empty", action="store_true",
                      help="do nothing (and succeed) when the database already holds meetings")
    load.set_defaults(func=cmd_demo_load)

    users = commands.add_parser("users", help="users").add_subparsers(dest="users", required=True)
    create = users.add_parser(
        "create", help="create a user; the password is read from stdin, or generated and printed"
    )
    create.add_argument("email")
    create.add_argument("--name", help="the user's full name (creates a person)")
    create.add_argument("--role", required=True,
                        choices=["admin", "chair", "secretariat", "force", "viewer"])
    create.add_argument("--person-id", type=int, help="link the user to an existing person")
    create.set_defaults(func=cmd_users_create)
    reset = users.add_parser(
        "reset-two-factor",
        help="forget a user's authenticator app and recovery codes (a lost phone); they set "
             "it up again at their next sign-in")
    reset.add_argument("email")
    reset.set_defaults(func=cmd_users_reset_two_factor)

    tokens = commands.add_parser("tokens", help="API tokens").add_subparsers(
        dest="tokens", required=True)
    _add_access_parsers(commands, users, tokens)

    settings = commands.add_parser(
        "settings", help="show the office's settings, or change them with the options")
    settings.add_argument("--office-name", help='e.g. "Office of the Police and Crime '
                          'Commissioner for West Mercia"')
    settings.add_argument("--short-name", help='e.g. "OPCC"')
    settings.add_argument("--force-name", help='e.g. "West Mercia Police"')
    settings.add_argument("--marking", help='the default protective marking, e.g. "OFFICIAL"')
    settings.add_argument("--action-reference-format",
                          help='e.g. "A/{year}/{seq:03d}" for A/2019/014')
    settings.add_argument("--decision-reference-format",
                          help='e.g. "D/{year}/{seq:03d}" for D/2019/014')
    settings.add_argument("--publish-within-days", type=int,
                          help="days within which minutes are published")
    settings.add_argument("--reminder-days-before", type=int, metavar="DAYS",
                          help="email action owners this many days before the due date "
                          "(0: only on the day)")
    settings.add_argument("--owner-link-days", type=int, metavar="DAYS",
                          help="how long the link emailed to an action owner works")
    settings.add_argument("--digest-day", type=_weekday, metavar="DAY",
                          help="the day the weekly digest of overdue actions goes, e.g. Monday")
    settings.set_defaults(func=cmd_settings)

    export = commands.add_parser("export", help="documents").add_subparsers(
        dest="export", required=True)
    minutes = export.add_parser("minutes", help="the minutes of a meeting as .docx")
    minutes.add_argument("meeting_id", type=int)
    minutes.add_argument("--edition", choices=["internal", "public"], default="internal")
    minutes.add_argument("-o", "--output", help="the file to write (default: ASSURE_EXPORT_DIR)")
    minutes.set_defaults(func=cmd_export_minutes)
    agenda = export.add_parser("agenda", help="the agenda of a meeting as .docx")
    agenda.add_argument("meeting_id", type=int)
    agenda.add_argument("--edition", choices=["internal", "public"], default="internal")
    agenda.add_argument("-o", "--output", help="the file to write (default: ASSURE_EXPORT_DIR)")
    agenda.set_defaults(func=cmd_export_agenda)
    pack = export.add_parser("questions", help="the question pack for the force as .docx")
    pack.add_argument("meeting_id", type=int)
    pack.add_argument("-o", "--output", help="the file to write (default: ASSURE_EXPORT_DIR)")
    pack.set_defaults(func=cmd_export_questions)
    _add_export_actions_parser(export)
    _add_export_findings_parser(export)

    scheduling = commands.add_parser("schedule", help="series' schedules").add_subparsers(
        dest="schedule", required=True)
    generate = scheduling.add_parser(
        "generate", help="make a series' meetings for the next 12 months")
    generate.add_argument("series_id", type=int)
    generate.set_defaults(func=cmd_schedule_generate)
    _add_reminders_parser(commands)
    _add_retention_parser(commands)
    _add_backup_parsers(commands)
    _add_import_parsers(commands)
    _add_search_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `assure` command."""
    args = build_parser().parse_args(argv)
    # A backup is taken, and one restored, whatever state the database is in; reading a report
    # touches no database.
    if args.func not in (cmd_db_upgrade, cmd_backup, cmd_restore, cmd_import_inspection):
        problem = schema_out_of_date()
        if problem:
            print(problem, file=sys.stderr)
            return 1
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
