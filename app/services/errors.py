"""The one exception hierarchy of the domain; the web layer maps each to a status code."""

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class Unauthorized(DomainError):
    """No credentials, or credentials that are not valid."""

    status_code = 401


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""

    status_code = 403


class NotFound(DomainError):
    """No such object, or one the caller may not see."""

    status_code = 404


class Gone(DomainError):
    """The object was there and was deleted; `extra` may say by whom and when."""

    status_code = 410


class Conflict(DomainError):
    """The object changed since the caller read it, or the change clashes with the record."""

    status_code = 409

    def __init__(self, message: str, current: Any = None, **extra: Any) -> None:
        super().__init__(message, **extra)
        self.current = current


class InvalidInput(DomainError):
    """Input that is well-formed but wrong; `errors` maps each field to what is wrong with it."""

    status_code = 422

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message or "Some of what was sent is not valid.")
        self.errors = errors


class TooManyAttempts(DomainError):
    """Too many failed sign-ins lately; `retry_at` is when the next try will be heard."""

    status_code = 429

    def __init__(self, message: str, retry_at=None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class Busy(DomainError):
    """The database is busy; the same request can be sent again."""

    status_code = 503
