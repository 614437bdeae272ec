"""The server's access log without the secrets that travel in addresses (owner links and
calendar feed tokens): whoever reads the log, or the files it is shipped to, gets no key."""

import logging
import re

from app.services.text import HIDDEN, hide_link_secrets

# uvicorn writes one line per request here: (client, method, path with query, version, status).
ACCESS_LOGGERS = ("uvicorn.access",)
# Owner-link and feed tokens are 43 URL-safe characters; an address that carries one in a shape
# the rules of hide_link_secrets do not know (";token=…", "?a=b?token=…", "token%00=…") still
# loses it. Nothing else Assure puts in an address is so long without a dot or a slash.
_LONG_RUN = re.compile(r"[A-Za-z0-9_-]{32,}")


def _hidden(text: str) -> str:
    return _LONG_RUN.sub(HIDDEN, hide_link_secrets(text))


class HideLinkSecrets(logging.Filter):
    """Replaces owner-link and feed tokens in a log record's message and arguments by "…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _hidden(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_hidden(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Put the filter on the access loggers, once (create_app runs once per process, but
    more often in tests)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideLinkSecrets) for f in logger.filters):
            logger.addFilter(HideLinkSecrets())
