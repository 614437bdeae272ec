"""The server's access log without the secrets that travel in addresses (owner links and
calendar feed tokens): whoever reads the log, or the files it is shipped to, gets no key."""

import logging

from app.services.text import hide_link_secrets

# uvicorn writes one line per request here: (client, method, path with query, version, status).
ACCESS_LOGGERS = ("uvicorn.access",)


class HideLinkSecrets(logging.Filter):
    """Replaces owner-link and feed tokens in a log record's message and arguments by "…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = hide_link_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(hide_link_secrets(a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def install() -> None:
    """Put the filter on the access loggers, once (create_app runs once per process, but
    more often in tests)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideLinkSecrets) for f in logger.filters):
            logger.addFilter(HideLinkSecrets())
