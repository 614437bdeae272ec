"""Email: composing messages and handing them to a mail server, or to an outbox folder.

With ASSURE_SMTP_URL set, messages go through that SMTP server:
`smtp://user:pass@host:587` (STARTTLS), `smtps://user:pass@host:465` (TLS from the start) or
`smtp://host:25` (a relay that needs no sign-in). Without it, each message is written as an
.eml file to the outbox folder (ASSURE_OUTBOX_DIR, default var/outbox), where a developer or a
pickup service running as the same user can read it: the messages carry owner links, so the
folder Assure makes is 0700 and each file 0600.
"""

import logging
import os
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from app.config import VAR_DIR, get_settings
from app.files import private_dir, private_file

log = logging.getLogger(__name__)

DEFAULT_FROM = "assure@localhost"
DEFAULT_OUTBOX = VAR_DIR / "outbox"
DEFAULT_TIMEOUT = 30  # seconds to wait for the mail server at each step


class MailError(Exception):
    """A message could not be handed over, and trying again later will not help."""


class TemporaryMailError(MailError):
    """A message could not be handed over now (server down, busy, a 4xx answer); try later."""


class Mailer(Protocol):
    """Something that delivers messages; `sender` is the From address it uses."""

    sender: str

    def send(self, message: EmailMessage) -> None: ...

    def describe(self) -> str: ...


def compose(*, sender: str, to: str, subject: str, body: str,
            headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text message (UTF-8) with the headers every mail server expects."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message


@dataclass
class OutboxMailer:
    """Writes each message as an .eml file; the names sort in the order they were written."""

    folder: Path
    sender: str = DEFAULT_FROM

    def send(self, message: EmailMessage) -> None:
        """Write the message to a new file of its own, whole or not at all."""
        try:
            # Messages hold owner links and names: the folder and files are owner-only.
            private_dir(self.folder)
            # UTC time to the microsecond, then the process and a random part: unique across
            # processes and machines sharing the folder, and sortable by time.
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            name = f"{stamp}-{os.getpid()}-{secrets.token_hex(4)}.eml"
            partial = self.folder / f".{name}.part"
            with private_file(partial, exclusive=True) as out:
                out.write(message.as_bytes())
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, self.folder / name)
        except OSError as exc:
            raise TemporaryMailError(f"could not write to the outbox {self.folder}: {exc}") from exc

    def describe(self) -> str:
        return f"the outbox folder {self.folder}"


@dataclass
class SmtpServer:
    """Where and how to reach an SMTP server, read from an smtp:// or smtps:// URL."""

    host: str
    port: int
    tls: bool  # TLS from the first byte (smtps); otherwise STARTTLS when the server offers it
    username: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        """Read `smtp://user:pass@host:587`, `smtps://host:465`, `smtp://host`."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError("ASSURE_SMTP_URL must start smtp:// or smtps://, e.g. "
                             "smtp://user:password@mail.example.org:587")
        if not parts.hostname:
            raise ValueError("ASSURE_SMTP_URL names no host, e.g. smtp://mail.example.org:25")
        tls = scheme == "smtps"
        try:
            port = parts.port or (465 if tls else 25)
        except ValueError as exc:
            raise ValueError(f"ASSURE_SMTP_URL has a bad port: {exc}") from exc
        return cls(host=parts.hostname, port=port, tls=tls,
                   username=unquote(parts.username or ""), password=unquote(parts.password or ""))

    def describe(self) -> str:
        """Where mail goes, without the password."""
        scheme = "smtps" if self.tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


@dataclass
class SmtpMailer:
    """Sends each message through an SMTP server, in a connection of its own."""

    server: SmtpServer
    sender: str = DEFAULT_FROM
    timeout: float = DEFAULT_TIMEOUT

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the server; raise TemporaryMailError when a retry may work."""
        context = ssl.create_default_context()
        client: smtplib.SMTP
        try:
            if self.server.tls:
                client = smtplib.SMTP_SSL(self.server.host, self.server.port,
                                          timeout=self.timeout, context=context)
            else:
                client = smtplib.SMTP(self.server.host, self.server.port, timeout=self.timeout)
            with client:
                client.ehlo()
                if not self.server.tls:
                    if client.has_extn("starttls"):
                        client.starttls(context=context)
                        client.ehlo()
                    elif self.server.username:
                        raise MailError(f"{self.server.host} does not offer STARTTLS; the "
                                        "password is not sent unencrypted (use smtps://?)")
                if self.server.username:
                    client.login(self.server.username, self.server.password)
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = f"the server refused the recipient: {exc.recipients}"
            if all(400 <= code < 500 for code in codes):
                raise TemporaryMailError(error) from exc
            raise MailError(error) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"the mail server refused the user name or password ({exc.smtp_code})"
                            ) from exc
        except smtplib.SMTPResponseException as exc:
            error = f"the mail server answered {exc.smtp_code} {exc.smtp_error!r}"
            if 400 <= exc.smtp_code < 500:
                raise TemporaryMailError(error) from exc
            raise MailError(error) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise TemporaryMailError(f"{self.server.describe()} hung up: {exc}") from exc
        except smtplib.SMTPException as exc:  # before OSError, of which it is a kind
            raise MailError(f"the mail server failed: {exc}") from exc
        except OSError as exc:  # refused connections, timeouts, TLS failures
            raise TemporaryMailError(f"could not reach {self.server.describe()}: {exc}") from exc

    def describe(self) -> str:
        return f"the mail server {self.server.describe()}"


def make_mailer(*, smtp_url: str = "", outbox_dir: Path | str = DEFAULT_OUTBOX,
                sender: str = DEFAULT_FROM, timeout: float = DEFAULT_TIMEOUT) -> Mailer:
    """The SMTP mailer when a URL is given, otherwise the outbox folder."""
    sender = sender or DEFAULT_FROM
    if smtp_url:
        return SmtpMailer(SmtpServer.from_url(smtp_url), sender=sender, timeout=timeout)
    return OutboxMailer(Path(outbox_dir or DEFAULT_OUTBOX), sender=sender)


def mailer_from_settings(settings=None) -> Mailer:
    """The mailer this installation's settings ask for."""
    settings = settings or get_settings()
    return make_mailer(smtp_url=settings.smtp_url, outbox_dir=settings.outbox_dir,
                       sender=settings.mail_from, timeout=settings.smtp_timeout_seconds)


def base_url_from_settings(settings=None) -> str:
    """The address of the site, for links in emails (ASSURE_BASE_URL)."""
    settings = settings or get_settings()
    return (settings.base_url or "http://127.0.0.1:8000").rstrip("/")
