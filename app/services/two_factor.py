"""The TOTP second factor (RFC 6238, as authenticator apps use) and its recovery codes.

The secret is stored encrypted with a key derived from the installation's secret key, so a
copy of the database alone does not give the codes away; it never goes to a log. A code is
accepted once: its time step is remembered and an equal or earlier step is refused (replay).
Ten recovery codes are made at enrolment, shown once, and kept only as salted Argon2 hashes
(the password hasher's), so a copy of the database does not give them away to a quick search
of their 2^40 values; codes kept as plain SHA-256 digests by earlier versions work until they
are used or renewed.
"""

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any, cast

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import CursorResult, or_, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import RecoveryCode, Role, User, utcnow
from app.services import audit
from app.services.errors import Conflict, InvalidInput
from app.services.permissions import Actor

# Administrators, the Commissioner's side and the secretariat must use a second factor.
REQUIRED_FOR = frozenset({Role.admin, Role.chair, Role.secretariat})
ISSUER = "Assure"
RECOVERY_CODES = 10
STEP_SECONDS = 30


def required(user: User) -> bool:
    """Whether the user's role must sign in with a second factor."""
    return user.role in REQUIRED_FOR


def enabled(user: User) -> bool:
    """Whether the user has confirmed a TOTP app."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"assure-totp-secret:" + get_settings().signing_key().encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _open(sealed: str | None) -> str | None:
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        # The installation's secret key changed: the app cannot be read; a recovery code
        # (or an administrator's reset) is the way in.
        return None


def pending_secret(session: Session, user: User) -> str:
    """The secret to show while enrolling: the same one on every visit until confirmed."""
    if enabled(user):
        raise Conflict("Two-step verification is already set up for this account.")
    secret = _open(user.totp_secret)
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = _seal(secret)
        session.flush()
    return secret


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code as a data: URI for an <img> (the CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff")


def _step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def _check_totp(user: User, code: str) -> int | None:
    """The time step a TOTP code belongs to (this step or either neighbour), or None."""
    secret = _open(user.totp_secret)
    if secret is None or not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = _step()
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _normal_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _hasher() -> PasswordHasher:
    # A cycle: identity imports this module. Looked up at each call, as tests swap the hasher.
    from app.services import identity

    return identity._hasher


def _legacy_digest(code: str) -> str:
    return hashlib.sha256(_normal_code(code).encode()).hexdigest()


def _is_recovery_code(code: str) -> bool:
    """Whether a normalised code has the shape of a recovery code (10 hex digits)."""
    return len(code) == 10 and all(c in "0123456789abcdef" for c in code)


def _code_matches(stored: str, code: str) -> bool:
    if not stored.startswith("$argon2"):  # a SHA-256 digest kept by an earlier version
        return hmac.compare_digest(stored, _legacy_digest(code))
    try:
        return _hasher().verify(stored, code)
    except (VerificationError, InvalidHashError):
        return False


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    assert user.id is not None  # a saved user
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 10 hex characters, 40 bits
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hasher().hash(raw)))
    return codes


def confirm_enrolment(session: Session, *, user: User, code: str, by: Actor) -> list[str]:
    """Turn on TOTP once the app shows a right code; returns the recovery codes, shown once."""
    if enabled(user):
        raise Conflict("Two-step verification is already set up for this account.")
    code = _normal_code(code)
    step = _check_totp(user, code)
    if step is None:
        raise InvalidInput({"code": "Enter the 6-digit code your authenticator app shows now."
                                    if code else "Enter the 6-digit code from your app."})
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user)
    audit.record(session, by=by, verb="totp_enrol", object_type="user", object_id=user.id,
                 summary=f"two-step verification set up for {user.email}")
    session.flush()
    return codes


def new_recovery_codes(session: Session, *, user: User, by: Actor) -> list[str]:
    """Replace a user's recovery codes with ten new ones, shown once."""
    if not enabled(user):
        raise Conflict("Set up two-step verification first.")
    codes = _new_recovery_codes(session, user)
    audit.record(session, by=by, verb="recovery_codes", object_type="user", object_id=user.id,
                 summary="new recovery codes made")
    session.flush()
    return codes


def recovery_codes_left(session: Session, user: User) -> int:
    """How many of the user's recovery codes are still unused."""
    return len(list(session.exec(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)))))


def verify(session: Session, *, user: User, code: str) -> str | None:
    """Check a sign-in code: a TOTP code not used before, or an unused recovery code.

    Returns "totp" or "recovery" (the change is in the caller's transaction), or None.
    """
    code = _normal_code(code)
    if not code or not enabled(user):
        return None
    if len(code) == 6 and code.isdigit():
        step = _check_totp(user, code)
        if step is None:
            return None
        # One statement that only succeeds for a step later than the last one used, so two
        # processes given the same code at the same moment cannot both accept it.
        taken = cast(CursorResult[Any], session.execute(  # an UPDATE's result: its rowcount
            update(User).where(col(User.id) == user.id,
                               or_(col(User.totp_last_step).is_(None),
                                   col(User.totp_last_step) < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)))
        if taken.rowcount != 1:
            return None
        user.totp_last_step = step
        return "totp"
    if not _is_recovery_code(code):
        return None
    # A salted hash cannot be looked up: try each unused code of this user (ten at most).
    unused = session.exec(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None))
        .order_by(col(RecoveryCode.id)))
    found = next((c for c in unused if _code_matches(c.code_hash, code)), None)
    if found is None:
        return None
    # Only the request whose update finds the code still unused accepts it.
    taken = cast(CursorResult[Any], session.execute(  # an UPDATE's result: its rowcount
        update(RecoveryCode).where(col(RecoveryCode.id) == found.id,
                                   col(RecoveryCode.used_at).is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)))
    if taken.rowcount != 1:
        return None
    return "recovery"


def reset(session: Session, *, user: User, by: Actor) -> None:
    """Forget a user's TOTP app and recovery codes (a lost phone); they enrol again."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    audit.record(session, by=by, verb="totp_reset", object_type="user", object_id=user.id,
                 summary=f"two-step verification reset for {user.email}")
    session.flush()
