"""The import graph reads one way: the services know nothing of the web or the command line,
the document builders never touch the database, and an import hidden inside a function says
why it is there (a cycle, or what it would cost every start-up)."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Each import statement of a module, and whether it is inside a function."""
    tree = ast.parse(path.read_text(), filename=str(path))
    inside = {id(node) for function in ast.walk(tree)
              if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
              for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)}
    return [(node, id(node) in inside) for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)]


def _names(path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules an import statement names, relative ones made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = _module_name(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    # `from app.services import audit` imports the module app.services.audit.
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _offences(package: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((APP / package).rglob("*.py")):
        for node, _ in _imports(path):
            for name in _names(path, node):
                if any(name == f or name.startswith(f + ".") for f in forbidden):
                    found.append(f"{path.relative_to(APP.parent)}:{node.lineno} imports {name}")
    return found


def test_services_import_nothing_from_the_web_or_the_command_line():
    assert not _offences("services", ("app.web", "app.cli", "app.main", "fastapi", "starlette",
                                      "jinja2", "jinja2_fragments"))


def test_document_builders_never_touch_the_database():
    assert not _offences("export", ("app.db", "app.web", "app.cli", "app.main", "sqlmodel",
                                    "sqlalchemy"))


@pytest.mark.parametrize("package", ["services", "export"])
def test_an_import_inside_a_function_says_why(package):
    unexplained = []
    for path in sorted((APP / package).rglob("*.py")):
        lines = path.read_text().splitlines()
        for node, in_function in _imports(path):
            said = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
            if in_function and not said:
                unexplained.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert not unexplained, ("move these imports to the top of the module, or say in a comment "
                             "which cycle or start-up cost keeps them in the function: "
                             + ", ".join(unexplained))


def test_the_checks_see_imports_when_there_are_some():
    # Otherwise the rules above would pass on a walk that read nothing.
    office = APP / "services" / "office.py"
    assert "app.services.audit" in {name for node, _ in _imports(office)
                                    for name in _names(office, node)}
    assert _offences("export", ("app.services",))


# Where a transaction may end early, and why: each is a short transaction of its own that
# must outlive the use case around it (app/services/common.py commit_apart).
COMMITS_APART = {
    "common": "write_at_best: a bookkeeping write skipped when the database is busy",
    "sign_in_limits": "a sign-in try counts for everyone before its password is checked",
    "identity": "a failed sign-in, code or password change is recorded before the refusal",
    "tokens": "a wrong code for a new API token is recorded before the refusal",
    "owner_links": "a link that does not work is tallied before the refusal",
    "notifications": "each reminder is claimed before it is mailed and marked sent after",
    "invites": "a change is kept before its calendar invitations are mailed; each is claimed "
               "before it is mailed and marked sent after",
    "public_question_mail": "a question is kept before the emails about it are mailed; each "
                            "is claimed before it is mailed and marked sent after",
}


# The services that are themselves a boundary, with their one commit each.
BOUNDARIES = {
    "common": "commit_apart itself",
    "scheduler": "the reminders job's unit of work",
    "backup": "a restore, into the database it restores to",
}


def _calls(path: Path) -> list[tuple[str, int]]:
    """(name, line) of every call of a method or function in a module."""
    return _calls_in(path.read_text())


def _calls_in(source: str) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            found.append((name, node.lineno))
    return found


def test_services_never_commit_the_callers_transaction():
    """A use case is one transaction, committed at the boundary (a request, a command, the
    reminders job). Services add and flush; only commit_apart ends a transaction early, and
    only where COMMITS_APART says why."""
    offences = []
    for path in sorted((APP / "services").glob("*.py")):
        module = path.stem
        for name, line in _calls(path):
            if name == "commit" and module not in BOUNDARIES:
                offences.append(f"{module}.py:{line} commits")
            if name == "commit_apart" and module not in COMMITS_APART:
                offences.append(f"{module}.py:{line} commits apart without a reason here")
    assert offences == []
    for module in BOUNDARIES:
        commits = [line for name, line in _calls(APP / "services" / f"{module}.py")
                   if name == "commit"]
        assert len(commits) == 1, f"{module}.py commits at {commits}: {BOUNDARIES[module]}"


def test_the_commit_check_sees_commits():
    assert _calls_in("def f(session):\n    session.commit()\n") == [("commit", 2)]
    assert ("commit_apart", 1) in _calls_in("commit_apart(session)\n")
