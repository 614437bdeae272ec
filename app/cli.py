"""The `assure` command: the same services as the web pages and the API."""

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from app.config import get_settings

ROOT = Path(__file__).resolve().parents[1]


def _session() -> Session:
    from app.db import get_engine, open_session

    return open_session(get_engine(), write=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    print(f"Assure is serving at http://{args.host}:{args.port}  (Ctrl+C stops it)")
    uvicorn.run("app.main:app", host=args.host, port=args.port, workers=args.workers,
                proxy_headers=True, log_level="info")
    return 0


def alembic_config(url: str | None = None):
    """The Alembic configuration of this project, for a database URL (the settings' default)."""
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from alembic import command

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
    print("Loaded the demo: the Monthly Assurance Meeting of April 2019 and its next meeting.")
    print()
    print("  Sign in at http://127.0.0.1:8000/sign-in")
    print(f"  Email:    {result.admin_email}")
    print(f"  Password: {result.admin_password}")
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
    with _session() as session:
        try:
            user = identity.create_user(
                session, email=args.email, role=Role(args.role), password=password,
                name=args.name, person_id=args.person_id, by=Actor.system(),
            )
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())
            print(f"Not created: {detail or exc.message}", file=sys.stderr)
            return 1
    print(f"Created user {user.email} ({user.role}).")
    if generated:
        print(f"Password (shown only now): {password}")
    return 0


def cmd_tokens_create(args: argparse.Namespace) -> int:
    from app.services import identity
    from app.services.permissions import Actor

    with _session() as session:
        user = identity.find_user(session, args.email)
        if user is None:
            print(f"There is no user with the email {args.email}.", file=sys.stderr)
            return 1
        print(identity.create_token(session, user=user, by=Actor.system()))
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from app.services.errors import DomainError
    from app.services.office import OfficeChanges, get_office, update_office
    from app.services.permissions import Actor

    changes = OfficeChanges(
        office_name=args.office_name, office_short_name=args.short_name,
        force_name=args.force_name, default_marking=args.marking,
        action_reference_format=args.action_reference_format,
        publish_within_days=args.publish_within_days,
    )
    with _session() as session:
        try:
            if any(v is not None for v in vars(changes).values()):
                update_office(session, changes=changes, by=Actor.system())
            office = get_office(session)
            session.commit()
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())
            print(f"Not changed: {detail or exc.message}", file=sys.stderr)
            return 1
        for label, value in (
            ("Office", office.office_name), ("Short name", office.office_short_name),
            ("Force", office.force_name), ("Default marking", office.default_marking),
            ("Action references", office.action_reference_format),
            ("Publish minutes within (days)", office.publish_within_days),
        ):
            print(f"{label}: {value}")
    return 0


def _export(args: argparse.Namespace, build, render, suffix: str) -> int:
    """Build a document from the record, write it, and say where."""
    from app.services.errors import DomainError
    from app.services.permissions import Actor
    from app.web.downloads import safe_filename

    with _session() as session:
        try:
            record = build(session, Actor.system())
        except DomainError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    content = render(record)
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


def cmd_schedule_generate(args: argparse.Namespace) -> int:
    from app.services import schedule
    from app.services.dates import to_london
    from app.services.errors import DomainError
    from app.services.permissions import Actor

    with _session() as session:
        try:
            made = schedule.generate_meetings(session, meeting_type_id=args.series_id,
                                              by=Actor.system())
        except DomainError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in getattr(exc, "errors", {}).items())
            print(f"No meetings made: {detail or exc.message}", file=sys.stderr)
            return 1
        for meeting in made.made:
            holiday = schedule.holiday_of(meeting)
            note = f"  (bank holiday: {holiday})" if holiday else ""
            print(f"{meeting.id:>6}  {to_london(meeting.starts_at):%a %d %b %Y %H:%M}"
                  f"{note}")
    print(f"Made {len(made.made)} meetings; {made.already} dates already had theirs.")
    return 0


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

    tokens = commands.add_parser("tokens", help="API tokens").add_subparsers(
        dest="tokens", required=True)
    token = tokens.add_parser("create", help="create an API token and print it (only it)")
    token.add_argument("email")
    token.set_defaults(func=cmd_tokens_create)

    settings = commands.add_parser(
        "settings", help="show the office's settings, or change them with the options")
    settings.add_argument("--office-name", help='e.g. "Office of the Police and Crime '
                          'Commissioner for West Mercia"')
    settings.add_argument("--short-name", help='e.g. "OPCC"')
    settings.add_argument("--force-name", help='e.g. "West Mercia Police"')
    settings.add_argument("--marking", help='the default protective marking, e.g. "OFFICIAL"')
    settings.add_argument("--action-reference-format",
                          help='e.g. "A/{year}/{seq:03d}" for A/2019/014')
    settings.add_argument("--publish-within-days", type=int,
                          help="days within which minutes are published")
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

    scheduling = commands.add_parser("schedule", help="series' schedules").add_subparsers(
        dest="schedule", required=True)
    generate = scheduling.add_parser(
        "generate", help="make a series' meetings for the next 12 months")
    generate.add_argument("series_id", type=int)
    generate.set_defaults(func=cmd_schedule_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `assure` command."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
