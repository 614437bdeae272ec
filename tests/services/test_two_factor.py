"""Recovery codes are kept as salted slow hashes, work once (even when several processes are
given the same code at the same moment), and codes kept as SHA-256 digests by an earlier
version keep working until they are used or renewed."""

import hashlib
import threading

import pytest
from sqlmodel import Session, select

from app.db import open_session
from app.models import RecoveryCode, Role, User
from app.services import two_factor
from tests.factories import SYSTEM, committed, make_user


def _user_with_codes(session) -> tuple[User, list[str]]:
    user, _ = make_user(session, Role.chair, totp=True)
    return user, committed(session, two_factor.new_recovery_codes(session, user=user, by=SYSTEM))


def _hashes(session, user) -> list[str]:
    session.expire_all()
    return list(session.exec(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)))


def test_codes_are_kept_as_salted_argon2_hashes(session):
    user, codes = _user_with_codes(session)
    hashes = _hashes(session, user)
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    plain = [c.replace("-", "") for c in codes]
    assert not any(p in h or hashlib.sha256(p.encode()).hexdigest() == h
                   for p in plain for h in hashes)
    # Salted: the same code hashed again is stored differently.
    assert two_factor._hasher().hash(plain[0]) not in hashes


def test_a_code_works_once_whatever_its_spelling(session):
    user, codes = _user_with_codes(session)
    spelled = f"  {codes[3].upper()} "
    assert two_factor.verify(session, user=user, code=spelled) == "recovery"
    session.commit()
    assert two_factor.verify(session, user=user, code=codes[3]) is None
    assert two_factor.verify(session, user=user, code="0123456789") is None
    assert two_factor.recovery_codes_left(session, user) == 9


def test_a_digest_kept_by_an_earlier_version_works_until_used_or_renewed(session):
    user, _ = make_user(session, Role.chair, totp=True)
    old, other = "a1b2c3d4e5", "f0e9d8c7b6"
    for code in (old, other):
        session.add(RecoveryCode(user_id=user.id,
                                 code_hash=hashlib.sha256(code.encode()).hexdigest()))
    session.commit()
    assert two_factor.verify(session, user=user, code="A1B2C-3D4E5") == "recovery"
    session.commit()
    assert two_factor.verify(session, user=user, code=old) is None
    two_factor.new_recovery_codes(session, user=user, by=SYSTEM)
    assert two_factor.verify(session, user=user, code=other) is None
    assert all(h.startswith("$argon2id$") for h in _hashes(session, user))


@pytest.mark.separate_connections  # threads, each with a connection of its own
def test_one_code_given_to_several_processes_at_once_is_accepted_once(session, engine):
    user, codes = _user_with_codes(session)
    accepted, start = [], threading.Barrier(4)

    def attempt() -> None:
        start.wait()
        with open_session(engine, write=True) as own:
            found = two_factor.verify(own, user=own.get(User, user.id), code=codes[0])
            own.commit()
            accepted.append(found)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(accepted, key=str) == [None, None, None, "recovery"]
    with Session(engine) as fresh:
        assert two_factor.recovery_codes_left(fresh, fresh.get(User, user.id)) == 9
