"""Signing in through the form as a browser does, second factor included."""

import re
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
from sqlmodel import Session, select

from app.models import User
from tests.factories import TOTP_SECRET


def code_for(session: Session, user_id: int, secret: str = TOTP_SECRET) -> str:
    """A TOTP code the app has not seen yet: this time step's, or the next one's when this
    one was used already (the app refuses a code twice, and accepts one step of drift)."""
    with Session(session.get_bind()) as fresh:
        last = fresh.get(User, user_id).totp_last_step
    now = int(time.time() // 30)
    step = now if last is None or last < now else last + 1
    if step > now + 1:  # both used: wait for the next step
        time.sleep((step - 1) * 30 - time.time() + 0.1)
    return pyotp.TOTP(secret).at(step * 30)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', html)[1]


def sign_in_through_form(client, session: Session, email: str, password: str,
                         next_path: str | None = None, secret: str = TOTP_SECRET):
    """Post the sign-in form, then the code when one is asked for; the last response."""
    data = {"email": email, "password": password}
    if next_path is not None:
        data["next"] = next_path
    response = client.post("/sign-in", data=data, follow_redirects=False)
    location = response.headers.get("location", "")
    if response.status_code != 303 or not location.startswith("/sign-in/code"):
        return response
    with Session(session.get_bind()) as fresh:
        user_id = fresh.exec(select(User.id).where(User.email == email.strip().lower())).one()
    form = client.get(location)
    next_value = parse_qs(urlsplit(location).query).get("next", ["/"])[0]
    return client.post("/sign-in/code", data={
        "code": code_for(session, user_id, secret), "next": next_value,
        "csrf_token": csrf_of(form.text)}, follow_redirects=False)
