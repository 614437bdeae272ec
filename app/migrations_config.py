"""Where this project's Alembic migrations are and which revision they end at, for the
command line, the backups and the tests alike."""

from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[1]


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of this project, for a database URL (the settings' default)."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revisions() -> set[str]:
    """The schema revisions this version of Assure's migrations end at (one, unless branched)."""
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())
