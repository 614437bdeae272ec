"""Settings, read once from the environment and an optional `.env` file."""

import ipaddress
import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.files import private_dir, write_private


def _home() -> Path:
    """The office's folder, where the defaults live: the database (var/assure.db), var/ (the
    generated secret key, the outbox, backups), exports/ and .env. ASSURE_HOME when set; else
    the checkout Assure runs from (`make run` installs it from there), whichever folder
    `assure` is run in; else, for a copy installed elsewhere, the current folder."""
    if os.environ.get("ASSURE_HOME"):
        return Path(os.environ["ASSURE_HOME"]).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "app").is_dir():
        return checkout
    return Path.cwd()


HOME = _home()
VAR_DIR = HOME / "var"


def normalise_database_url(url: str) -> str:
    """Accept the spellings people paste (`postgres://`, `postgresql://`) and pick psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _persistent_secret() -> str:
    # One machine without ASSURE_SECRET_KEY (make run) keeps a generated key under var/, so
    # that signed links, sessions and authenticator keys survive a restart. Several machines
    # must set the variable.
    path = VAR_DIR / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    private_dir(VAR_DIR)
    # Written aside and linked into place, so processes starting together agree on one key
    # (the first link wins) and nobody reads a half-written file.
    spare = VAR_DIR / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    write_private(spare, secrets.token_urlsafe(48).encode())
    try:
        os.link(spare, path)
    except FileExistsError:
        pass
    finally:
        spare.unlink()
    return path.read_text().strip()


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache
def parse_networks(value: str) -> tuple[Network, ...]:
    """"10.0.0.1, 192.168.0.0/16" → networks; ValueError names an entry that is neither."""
    networks = []
    for entry in (part.strip() for part in value.split(",")):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or a network such as "
                                 "10.0.0.0/8") from None
    return tuple(networks)


def parse_delay(value: str) -> tuple[float, float] | None:
    """"1-3" → (1.0, 3.0), "2" → (2.0, 2.0), "" → None (ASSURE_TEST_SAVE_DELAY)."""
    if not value.strip():
        return None
    low, _, high = value.strip().partition("-")
    try:
        shortest, longest = float(low), float(high or low)
    except ValueError:
        raise ValueError(f"{value!r} is not a number of seconds or a range such as 1-3") from None
    if not 0 <= shortest <= longest <= 60:
        raise ValueError(f"{value!r}: the range must be within 0-60 seconds, shortest first")
    return shortest, longest


class Settings(BaseSettings):
    """Everything configurable about one installation."""

    # What is set explicitly (the environment, .env) is taken as written: a relative path is
    # from the current folder. The defaults are in the office's folder (HOME).
    model_config = SettingsConfigDict(env_file=HOME / ".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{VAR_DIR / 'assure.db'}",
                              alias="DATABASE_URL")
    secret_key: str = Field(default="", alias="ASSURE_SECRET_KEY")
    export_dir: Path = Field(default=HOME / "exports", alias="ASSURE_EXPORT_DIR")
    session_idle_minutes: int = Field(default=60, alias="ASSURE_SESSION_IDLE_MINUTES")
    session_max_hours: int = Field(default=12, alias="ASSURE_SESSION_MAX_HOURS")
    # The session cookie is `__Host-`, Secure unless this is turned off (see cookies_secure).
    secure_cookies: bool | None = Field(default=None, alias="ASSURE_SECURE_COOKIES")
    # Sign-in rate limits: failures per account, and per address, within the window.
    sign_in_max_failures: int = Field(default=5, ge=1, alias="ASSURE_SIGN_IN_MAX_FAILURES")
    sign_in_max_failures_per_address: int = Field(
        default=20, ge=1, alias="ASSURE_SIGN_IN_MAX_FAILURES_PER_ADDRESS")
    sign_in_window_minutes: int = Field(default=15, ge=1, alias="ASSURE_SIGN_IN_WINDOW_MINUTES")
    # Email: through SMTP when a URL is set (smtp://user:pass@host:587), else .eml files.
    smtp_url: str = Field(default="", alias="ASSURE_SMTP_URL")
    smtp_timeout_seconds: float = Field(default=30, gt=0, alias="ASSURE_SMTP_TIMEOUT")
    outbox_dir: Path = Field(default=VAR_DIR / "outbox", alias="ASSURE_OUTBOX_DIR")
    mail_from: str = Field(default="assure@localhost", alias="ASSURE_MAIL_FROM")
    base_url: str = Field(default="http://127.0.0.1:8000", alias="ASSURE_BASE_URL")
    # The public question form: the fewest seconds a person takes to fill it in (a form sent
    # back sooner is a bot's), and how many questions one address may send in an hour.
    public_question_min_seconds: float = Field(default=5, ge=0, le=600,
                                               alias="ASSURE_PUBLIC_QUESTION_MIN_SECONDS")
    public_questions_per_hour: int = Field(default=3, ge=1, le=1000,
                                           alias="ASSURE_PUBLIC_QUESTIONS_PER_HOUR")
    # The in-app scheduler that sends the action emails; off unless asked for.
    scheduler_enabled: bool = Field(default=False, alias="ASSURE_SCHEDULER")
    scheduler_minutes: float = Field(default=15, gt=0, alias="ASSURE_SCHEDULER_MINUTES")
    # The reverse proxies whose X-Forwarded-For is believed: addresses or networks, comma
    # separated. None by default: a request's address is the peer's own.
    trusted_proxies: str = Field(default="", alias="ASSURE_TRUSTED_PROXIES")
    # The database connections of one process: how many requests use the database at once
    # (each holds one connection), how many more connections may be opened for what is written
    # apart from a request (a refusal for the audit log, the scheduler), and how many seconds a
    # request waits for its turn before it is answered 503 (app/db.py).
    db_pool_size: int = Field(default=10, ge=1, le=1000, alias="ASSURE_DB_POOL_SIZE")
    db_max_overflow: int = Field(default=5, ge=0, le=1000, alias="ASSURE_DB_MAX_OVERFLOW")
    db_pool_timeout: float = Field(default=3, gt=0, le=300, alias="ASSURE_DB_POOL_TIMEOUT")
    # FOR TESTS ONLY, off by default and never to be set on a real installation: every save of
    # a minute entry (its POST and PATCH) waits this many seconds before it is handled, "2" or
    # a range "1-3" (a random wait within it), so that a browser test can show what a slow
    # server does to the minutes page (tests/e2e/test_slow_saves.py).
    test_save_delay: str = Field(default="", alias="ASSURE_TEST_SAVE_DELAY")
    # FOR TESTS ONLY, off (0) by default and never to be set on a real installation: the idle
    # limit of a signed-in session in seconds instead of ASSURE_SESSION_IDLE_MINUTES, so that a
    # browser test can show the warning before it and what happens after it without waiting
    # an hour (tests/e2e/test_session_idle.py).
    test_session_idle_seconds: int = Field(default=0, ge=0, le=3600,
                                           alias="ASSURE_TEST_SESSION_IDLE_SECONDS")

    @field_validator("database_url")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("test_save_delay")
    @classmethod
    def _delay(cls, value: str) -> str:
        parse_delay(value)
        return value

    def test_save_delay_range(self) -> tuple[float, float] | None:
        """ASSURE_TEST_SAVE_DELAY as (shortest, longest) seconds; None when unset (for tests
        only)."""
        return parse_delay(self.test_save_delay)

    def idle_minutes(self) -> float:
        """How long a signed-in session lasts without a request, in minutes:
        ASSURE_SESSION_IDLE_MINUTES, or ASSURE_TEST_SESSION_IDLE_SECONDS when a test sets it."""
        if self.test_session_idle_seconds:
            return self.test_session_idle_seconds / 60
        return self.session_idle_minutes

    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        """The networks of ASSURE_TRUSTED_PROXIES."""
        return parse_networks(self.trusted_proxies)

    def cookies_secure(self) -> bool:
        """Whether the session cookie is `__Host-` and Secure: yes unless ASSURE_SECURE_COOKIES
        turns it off. Browsers keep Secure cookies over https and on http://127.0.0.1 and
        http://localhost (`make run`; Chromium does, tests/e2e shows it); an office that serves
        plain http under another name must turn it off, or better, serve https."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        return True

    def signing_key(self) -> str:
        """The secret used to sign cookies and links."""
        return self.secret_key or _persistent_secret()


@lru_cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
