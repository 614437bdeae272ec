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
