"""The password rule: at least 12 characters, no composition rules, refused when zxcvbn finds
it guessable or when it is the user's own email or name."""

import io

import pytest
from sqlmodel import func, select

from app.models import Role, User
from app.services import identity, passwords
from app.services.errors import InvalidInput
from tests.factories import SYSTEM


@pytest.mark.parametrize("password", [
    "correct horse battery staple",  # lower case and spaces only: no composition rules
    "tangerine velvet submarine",
    "Ünïcödé wörds sïng lóudly",
    "x" * 3 + "7Hq!pZ2@mW9#",
])
def test_long_unguessable_passwords_are_accepted_whatever_they_are_made_of(password):
    assert passwords.problem(password) is None
    passwords.check_password(password)


def test_a_short_password_is_refused_with_the_length_in_the_message():
    assert passwords.problem("Xq7!mZ2@wP9") == "Your password must be at least 12 characters long."


def test_a_very_long_password_is_refused():
    assert "at most 1024" in passwords.problem("a" * 1025)
    long_and_random = ("tangerine velvet submarine " * 38)[:1024]
    assert passwords.problem(long_and_random) is None


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "aaaaaaaaaaaaaaaa",
                                      "iloveyou12345", "abcdefghijklm"])
def test_guessable_passwords_are_refused_with_zxcvbn_s_advice(password):
    message = passwords.problem(password)
    assert message is not None and message.startswith("This password would be easy to guess.")
    with pytest.raises(InvalidInput) as caught:
        passwords.check_password(password)
    assert caught.value.errors == {"password": message}


def test_zxcvbn_s_feedback_is_in_the_message():
    assert "This is a very common password." in passwords.problem("password1234")


def test_the_user_s_own_email_or_name_is_refused():
    own = ["jackie.irvin@opcc.example", "Jackie Irvin Thompson"]
    assert "email address or your name" in passwords.problem(
        "jackie.irvin@opcc.example", user_inputs=own)
    assert "email address or your name" in passwords.problem(
        "Jackie Irvin Thompson", user_inputs=own)
    # Run together, with digits or symbols added, they are still the name.
    assert "email address or your name" in passwords.problem("JackieIrvin1!", user_inputs=own)
    assert passwords.problem("Jackie loves tangerines", user_inputs=own) is None


def test_generated_passwords_pass_the_rule():
    for _ in range(20):
        assert passwords.problem(passwords.generate_password()) is None
        assert passwords.problem(identity.generate_password()) is None


def test_create_user_refuses_a_weak_password_and_makes_nothing(session):
    with pytest.raises(InvalidInput) as caught:
        identity.create_user(session, email="weak@opcc.example", role=Role.viewer,
                             password="password1234", by=SYSTEM, name="Wendy Weak")
    assert "easy to guess" in caught.value.errors["password"]
    with pytest.raises(InvalidInput) as caught:
        identity.create_user(session, email="wendy.weak@opcc.example", role=Role.viewer,
                             password="wendy.weak@opcc.example", by=SYSTEM)
    assert "email address or your name" in caught.value.errors["password"]
    session.rollback()
    assert session.exec(select(func.count()).select_from(User)).one() == 0


def test_create_user_keeps_argon2(session):
    user = identity.create_user(session, email="ok@opcc.example", role=Role.viewer,
                                password="tangerine velvet submarine", by=SYSTEM)
    assert user.password_hash.startswith("$argon2id$")


def test_the_command_line_refuses_a_weak_password(tmp_path, monkeypatch, capsys):
    import app.db
    from app.cli import main
    from app.config import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr(app.db, "_engines", {})
    get_settings.cache_clear()
    try:
        assert main(["db", "upgrade"]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("password1234\n"))
        assert main(["users", "create", "weak@opcc.example", "--role", "viewer"]) == 1
        assert "This is a very common password." in capsys.readouterr().err
        monkeypatch.setattr("sys.stdin", io.StringIO("tangerine velvet submarine\n"))
        assert main(["users", "create", "fine@opcc.example", "--role", "viewer"]) == 0
    finally:
        for engine in app.db._engines.values():
            engine.dispose()
        get_settings.cache_clear()
