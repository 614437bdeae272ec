"""`assure` finds the office's database from any folder: the defaults (var/assure.db, var/,
exports/, .env) are in the office's folder (the checkout `make run` runs from, or
ASSURE_HOME), not in whichever folder the command is typed in; a DATABASE_URL given
explicitly still wins. The real command, in processes of its own."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OFFICE = "Office of the Police and Crime Commissioner for Anyshire"


def environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "ASSURE_HOME", "ASSURE_EXPORT_DIR",
                          "ASSURE_OUTBOX_DIR")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**env, **values}


def assure(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(BIN / "assure"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_without_settings_the_defaults_are_in_the_checkout_from_any_folder(tmp_path):
    """Reads the settings only: the checkout's own database is not opened."""
    shown = subprocess.run(
        [sys.executable, "-c", "from app.config import get_settings as g; s = g(); "
         "print(s.database_url); print(s.outbox_dir); print(s.export_dir)"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=60, check=True)
    assert shown.stdout.splitlines() == [f"sqlite:///{ROOT / 'var' / 'assure.db'}",
                                         str(ROOT / "var" / "outbox"), str(ROOT / "exports")]


def test_the_command_uses_the_offices_database_from_another_folder(tmp_path):
    office, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    office.mkdir()
    elsewhere.mkdir()
    env = environment(ASSURE_HOME=str(office))
    assure(office, env, "db", "upgrade")
    assure(office, env, "settings", "--office-name", OFFICE)
    assert f"Office: {OFFICE}" in assure(elsewhere, env, "settings")
    assert list(elsewhere.iterdir()) == []  # no second database made where the command ran
    assert (office / "var" / "assure.db").exists()


def test_a_database_url_given_explicitly_still_wins(tmp_path):
    office, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    office.mkdir()
    elsewhere.mkdir()
    home = environment(ASSURE_HOME=str(office))
    assure(office, home, "db", "upgrade")
    assure(office, home, "settings", "--office-name", OFFICE)
    other = {**home, "DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}"}
    assure(elsewhere, other, "db", "upgrade")
    assert OFFICE not in assure(elsewhere, other, "settings")
    relative = {**home, "DATABASE_URL": "sqlite:///relative.db"}  # as written: from here
    assure(elsewhere, relative, "db", "upgrade")
    assert (elsewhere / "relative.db").exists()
    assert OFFICE not in assure(elsewhere, relative, "settings")


def test_the_offices_env_file_is_read_from_any_folder(tmp_path):
    office, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    office.mkdir()
    elsewhere.mkdir()
    (office / ".env").write_text(f"DATABASE_URL=sqlite:///{tmp_path / 'from-env.db'}\n")
    env = environment(ASSURE_HOME=str(office))
    assure(office, env, "db", "upgrade")
    assure(elsewhere, env, "settings", "--office-name", OFFICE)
    assert (tmp_path / "from-env.db").exists() and not (office / "var" / "assure.db").exists()
    assert f"Office: {OFFICE}" in assure(office, env, "settings")
