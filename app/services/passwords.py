"""The password rule (ASVS 2.1): long enough, not guessable, and no composition rules.

A password of 12 to 1024 characters is accepted unless zxcvbn, a maintained strength
estimator, finds it guessable (a score under 3 of 4), or it is the user's own email or name.
Nothing asks for digits, capitals or symbols: length and unguessability are what count.
"""

import re
import secrets

from zxcvbn import zxcvbn

from app.services.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024
MIN_SCORE = 3
# zxcvbn refuses more than 72 characters (its matching grows fast with length): a longer
# password is judged on its first 72, which is already far beyond guessing when they pass.
_ESTIMATE_CHARS = 72


def _words_of(user_inputs: list[str]) -> list[str]:
    words: list[str] = []
    for value in user_inputs:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.append(value)
        if "@" in value:
            words.append(value.split("@", 1)[0])
        words.extend(part for part in value.replace("@", " ").replace(".", " ").split()
                     if len(part) >= 3)
    return words


def _only_own_words(password: str, own: list[str]) -> bool:
    """Whether the password's letters are nothing but the user's own words run together
    ("JackieIrvin1!"), whatever digits or symbols are added."""
    letters = re.sub(r"[^a-z]", "", password.lower())
    parts = {re.sub(r"[^a-z]", "", word) for word in own}
    parts = {part for part in parts if len(part) >= 3}
    if not letters or not parts:
        return False
    reachable = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        reachable[end] = any(reachable[end - len(part)] and letters.endswith(part, 0, end)
                             for part in parts if len(part) <= end)
    return reachable[-1]


def problem(password: str, *, user_inputs: list[str] | None = None) -> str | None:
    """What is wrong with a password, in words for the person choosing it; None when it is
    acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Your password must be at most {MAX_LENGTH} characters long."
    own = _words_of(user_inputs or [])
    squashed = "".join(password.lower().split())
    if any(squashed == "".join(word.split()) for word in own if word) or _only_own_words(
            password, own):
        return "Your password must not be your email address or your name."
    result = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=own)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    advice = " ".join(part for part in [feedback.get("warning") or "",
                                        *(feedback.get("suggestions") or [])] if part)
    message = "This password would be easy to guess."
    if advice:
        message += f" {advice}"
    return message + " A few unrelated words make a long password that is easy to remember."


def check_password(password: str, *, user_inputs: list[str] | None = None) -> None:
    """Refuse a password that breaks the rule, with the reason on the `password` field."""
    found = problem(password, user_inputs=user_inputs)
    if found:
        raise InvalidInput({"password": found})


def generate_password() -> str:
    """A random password to print once; 20 URL-safe characters (120 bits) always pass."""
    while True:
        password = secrets.token_urlsafe(15)
        if problem(password) is None:
            return password
